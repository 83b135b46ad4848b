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
  it('reports the failure and posts the verdict nowhere else (no DM, no failed mark)', async () => {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
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
    const review = await setup.pendingReview(reviews);
    const postsBefore = fake.callCount('chat.postMessage');

    await expect(
      deliverReview(new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }), review, {
        reviews,
        logger,
        isTrustedResponseUrl: () => false,
      }),
    ).rejects.toThrow('database went away');

    // The verdict and its thread reply, in the channel only.
    expect(fake.callCount('chat.postMessage') - postsBefore).toBe(2);
    expect(failedMarks).toBe(0);
    expect((await stored.get(review.teamId, review.id))?.status).toBe('pending');
  });
});
