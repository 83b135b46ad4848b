import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { deliverReview } from '../../src/delivery/deliverReview.js';
import { BoltLogger } from '../../src/observability/logger.js';
import type { ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { capturedLog } from '../support/capturedLog.js';
import { deliverySetup } from '../support/deliverySetup.js';

const logger = new BoltLogger(capturedLog().log);
const setup = deliverySetup('C0DELIVER1');

describe('deliverReview when the database fails after the verdict is out', () => {
  it('tries to record it again, then reports the failure and posts the verdict nowhere else (no DM, no failed mark)', async () => {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    let failedMarks = 0;
    let recordAttempts = 0;
    const reviews: ReviewRepository = {
      ...stored,
      markDelivered: async () => {
        recordAttempts += 1;
        throw new Error('database went away');
      },
      markFailed: async (...args) => {
        failedMarks += 1;
        return stored.markFailed(...args);
      },
    };
    const review = await setup.pendingReview(reviews);
    const postsBefore = fake.callCount('chat.postMessage');

    await expect(
      deliverReview(new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }), review, {
        reviews,
        logger,
        isTrustedResponseUrl: () => false,
        recordRetryDelaysMs: [1, 1],
      }),
    ).rejects.toThrow('database went away');
    expect(recordAttempts).toBe(3);

    // The verdict and its thread reply, in the channel only.
    expect(fake.callCount('chat.postMessage') - postsBefore).toBe(2);
    expect(failedMarks).toBe(0);
    expect((await stored.get(review.teamId, review.id))?.status).toBe('pending');
  });

  it('records a verdict that is out once the database answers again, and posts it once', async () => {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    let recordAttempts = 0;
    const reviews: ReviewRepository = {
      ...stored,
      markDelivered: async (...args) => {
        recordAttempts += 1;
        if (recordAttempts <= 2) throw new Error('database busy');
        return stored.markDelivered(...args);
      },
    };
    const review = await setup.pendingReview(reviews);
    const postsBefore = fake.callCount('chat.postMessage');
    const log = capturedLog();

    const delivered = await deliverReview(
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      review,
      {
        reviews,
        logger: new BoltLogger(log.log),
        isTrustedResponseUrl: () => false,
        recordRetryDelaysMs: [1, 1, 1],
      },
    );

    expect(delivered.status).toBe('posted');
    expect((await stored.get(review.teamId, review.id))?.status).toBe('posted');
    expect(fake.callCount('chat.postMessage') - postsBefore).toBe(2);
    expect(recordAttempts).toBe(3);
    expect(log.lines.filter((line) => String(line.msg).includes('retrying'))).toHaveLength(2);
  });
});
