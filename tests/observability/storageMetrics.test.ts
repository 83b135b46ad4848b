import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { countingDeliveries } from '../../src/observability/storageMetrics.js';
import { type Database, openDatabase } from '../../src/storage/database.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { newReviewFixture, postedOutcomeFixture } from '../storage/support.js';

let database: Database;
beforeAll(async () => {
  database = await openDatabase('sqlite::memory:');
});
afterAll(async () => {
  await database.close();
});

async function delivered(metrics: Metrics, status: string): Promise<number> {
  const counted = await metrics.reviewsDelivered.get();
  return counted.values
    .filter((sample) => sample.labels.status === status)
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** A pending review, saved through a repository that counts deliveries in fresh metrics. */
async function savedReview(clock: () => Date = () => new Date()) {
  const metrics = new Metrics();
  const reviews = countingDeliveries(createKyselyReviewRepository(database.db, clock), metrics);
  const { review } = await reviews.createPending(newReviewFixture());
  return { metrics, reviews, review };
}

describe('countingDeliveries', () => {
  const outcome = postedOutcomeFixture();

  it('counts each recorded outcome once, by status', async () => {
    const { metrics, reviews, review } = await savedReview();
    await reviews.markFailed(review.teamId, review.id, 'channel_not_found', null);
    await reviews.markDelivered(review.teamId, review.id, outcome);
    expect(await delivered(metrics, 'failed')).toBe(1);
    expect(await delivered(metrics, 'posted')).toBe(1);
  });

  it('does not count a delivery that leaves another posting’s on record', async () => {
    const { metrics, reviews, review } = await savedReview();
    await reviews.markDelivered(review.teamId, review.id, outcome);
    const after = await reviews.markDelivered(
      review.teamId,
      review.id,
      postedOutcomeFixture({ status: 'sent-as-dm', messageTs: '1700000009.000900' }),
    );
    expect(after.messageTs).toBe(outcome.messageTs);
    expect(await delivered(metrics, 'posted')).toBe(1);
    expect(await delivered(metrics, 'sent-as-dm')).toBe(0);
  });

  it('does not count a failure that leaves another posting’s delivery on record', async () => {
    const { metrics, reviews, review } = await savedReview();
    await reviews.markDelivered(review.teamId, review.id, outcome);
    const after = await reviews.markFailed(review.teamId, review.id, 'channel_not_found', null);
    expect(after.status).toBe('posted');
    expect(await delivered(metrics, 'posted')).toBe(1);
    expect(await delivered(metrics, 'failed')).toBe(0);
  });

  it('does not count a failure left unrecorded because another posting took the review over', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const { metrics, reviews, review } = await savedReview(() => new Date(nowMs));
    const { teamId, id } = review;
    await reviews.markFailed(teamId, id, 'channel_not_found', null);
    // Post again: this posting's claim lapses, and another posting's replaces it.
    const lapsed = await reviews.claimDelivery(teamId, id, ['failed'], 1_000);
    nowMs += 2_000;
    expect(await reviews.claimDelivery(teamId, id, ['failed'], 60_000)).not.toBeNull();

    const after = await reviews.markFailed(
      teamId,
      id,
      'channel_not_found',
      lapsed?.deliveryClaimedUntil ?? null,
    );
    expect(after.status).toBe('failed');
    expect(await delivered(metrics, 'failed')).toBe(1);
  });
});
