import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverReview } from '../../src/delivery/deliverReview.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { type Database, openDatabase } from '../../src/storage/database.js';
import type { ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { newReviewFixture, uniqueId } from '../storage/support.js';
import { capturedLog } from '../support/capturedLog.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';

const logger = new BoltLogger(capturedLog().log);
const CHANNEL = 'C0DELIVER1';

describe('deliverReview when the database fails after the verdict is out', () => {
  let fake: FakeSlack;
  let database: Database;

  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addChannel(CHANNEL, { member: true });
    database = await openDatabase('sqlite::memory:');
  });

  afterAll(async () => {
    await database?.close();
    await fake?.close();
  });

  it('reports the failure and posts the verdict nowhere else (no DM, no failed mark)', async () => {
    const stored = createKyselyReviewRepository(database.db, () => new Date());
    let failedMarks = 0;
    const reviews: ReviewRepository = {
      ...stored,
      markDelivered: async () => {
        throw new Error('database went away');
      },
      markFailed: async (...args) => {
        failedMarks += 1;
        return stored.markFailed(...args);
      },
    };
    const { review } = await reviews.createPending(
      newReviewFixture({
        teamId: uniqueId('T'),
        target: { channelId: CHANNEL, threadTs: null, broadcast: false, responseUrl: null },
      }),
    );
    const postsBefore = fake.callCount('chat.postMessage');

    await expect(
      deliverReview(new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }), review, {
        reviews,
        logger: logger,
        isTrustedResponseUrl: () => false,
      }),
    ).rejects.toThrow('database went away');

    // The verdict and its thread reply, in the channel only.
    expect(fake.callCount('chat.postMessage') - postsBefore).toBe(2);
    expect(failedMarks).toBe(0);
    expect((await stored.get(review.teamId, review.id))?.status).toBe('pending');
  });
});
