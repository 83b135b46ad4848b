import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../src/delivery/deliveryQueue.js';
import type { ListenerDeps } from '../../src/listeners/deps.js';
import { DELIVERY_CLAIM_MS, postSavedReview } from '../../src/listeners/postSavedReview.js';
import { BoltLogger } from '../../src/observability/logger.js';
import type { ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { createKyselyVoteRepository } from '../../src/storage/voteRepository.js';
import { BackgroundWork } from '../../src/work.js';
import { capturedLog } from '../support/capturedLog.js';
import { deliverySetup } from '../support/deliverySetup.js';

const logger = new BoltLogger(capturedLog().log);
const setup = deliverySetup('C0POSTING1');

function depsWith(reviews: ReviewRepository, clock: () => Date): ListenerDeps {
  return {
    reviews,
    votes: createKyselyVoteRepository(setup.database().db, clock),
    installations: null,
    clock,
    isTrustedResponseUrl: () => false,
    work: new BackgroundWork(),
    deliveries: new DeliveryQueue(1),
    // Recording fails for good here: no waiting between the attempts.
    recordRetryDelaysMs: [],
  };
}

describe('postSavedReview: the posting claim', () => {
  let nowMs = Date.UTC(2026, 0, 1);
  const clock = () => new Date(nowMs);

  /** A repository that can't record an outcome (the database went away): the posting breaks off. */
  function breakingOffRepository(): ReviewRepository {
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const unreachable = async (): Promise<never> => {
      throw new Error('database went away');
    };
    return { ...reviews, markDelivered: unreachable, markFailed: unreachable };
  }

  function startPosting(deps: ListenerDeps, saved: { teamId: string; id: string }): void {
    const fake = setup.fake();
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
    postSavedReview(deps, client, logger, saved, ['pending']);
  }

  it('gives its claim back when the posting breaks off, so Post again can take it at once', async () => {
    const reviews = breakingOffRepository();
    const deps = depsWith(reviews, clock);
    const { teamId, id } = await setup.pendingReview(reviews);
    const saved = { teamId, id };

    startPosting(deps, saved);
    expect(await deps.work.drain(10_000)).toBe(true);

    expect((await reviews.get(saved.teamId, saved.id))?.deliveryClaimedUntil).toBeNull();
    expect(await reviews.claimDelivery(saved.teamId, saved.id, ['pending'], 1_000)).not.toBeNull();
  });

  it('leaves alone a claim another posting took after its own lapsed', async () => {
    const reviews = breakingOffRepository();
    const deps = depsWith(reviews, clock);
    const { teamId, id } = await setup.pendingReview(reviews);
    const saved = { teamId, id };
    const held = setup.fake().holdNext('chat.postMessage');

    startPosting(deps, saved);
    await held.arrived;
    // This instance stalls past its lease; Post again on another instance claims the review.
    nowMs += DELIVERY_CLAIM_MS + 1_000;
    const other = await reviews.claimDelivery(saved.teamId, saved.id, ['pending'], 60_000);
    expect(other?.deliveryClaimedUntil).toBeInstanceOf(Date);
    held.release();
    expect(await deps.work.drain(10_000)).toBe(true);

    expect((await reviews.get(saved.teamId, saved.id))?.deliveryClaimedUntil).toEqual(
      other?.deliveryClaimedUntil,
    );
  });
});

describe('postSavedReview: after the posting', () => {
  it('logs a failed Home refresh as that, not as a posting that broke off', async () => {
    const clock = () => new Date();
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const deps = depsWith(reviews, clock);
    const saved = await setup.pendingReview(reviews);
    const fake = setup.fake();
    const log = capturedLog();

    postSavedReview(
      deps,
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      new BoltLogger(log.log),
      saved,
      ['pending'],
      async () => {
        throw new Error('views.publish: ratelimited');
      },
    );
    expect(await deps.work.drain(10_000)).toBe(true);

    expect((await reviews.get(saved.teamId, saved.id))?.status).toBe('posted');
    const errors = log.lines.filter((line) => line.level === 'error').map((line) => line.msg);
    expect(errors).toEqual([
      `review ${saved.id}: the posting finished, but refreshing App Home afterwards failed`,
    ]);
  });
});
