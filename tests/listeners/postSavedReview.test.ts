import { LogLevel, WebClient } from '@slack/web-api';
import { describe, expect, it, vi } from 'vitest';
import { UNREADABLE_REVIEW } from '../../src/delivery/deliverReview.js';
import type { ListenerDeps } from '../../src/listeners/deps.js';
import { DELIVERY_CLAIM_MS, postSavedReview } from '../../src/listeners/postSavedReview.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { keepAliveFetch, SLACK_RETRY_CONFIG } from '../../src/observability/slackFetch.js';
import { CorruptRowError } from '../../src/storage/errors.js';
import type { ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { newReviewFixture, uniqueId } from '../storage/support.js';
import { capturedLog } from '../support/capturedLog.js';
import { deliverySetup } from '../support/deliverySetup.js';

const logger = new BoltLogger(capturedLog().log);
const setup = deliverySetup('C0POSTING1');

function depsWith(reviews: ReviewRepository, clock: () => Date): ListenerDeps {
  // Recording fails for good here: no waiting between the attempts.
  return { ...setup.listenerDeps(reviews, clock), recordRetryDelaysMs: [] };
}

/** A pending review whose verdict goes to its asker's DM (no channel), and only there. */
async function dmReview(reviews: ReviewRepository) {
  const { review } = await reviews.createPending(
    newReviewFixture({
      teamId: uniqueId('T'),
      userId: uniqueId('U'),
      target: { channelId: null, threadTs: null, broadcast: false, responseUrl: null },
    }),
  );
  return review;
}

/** Queues the posting of `saved` on the fake, as /ftrag's submission or Post again does. */
function startPosting(deps: ListenerDeps, saved: { teamId: string; id: string }): void {
  const fake = setup.fake();
  const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
  postSavedReview(deps, client, logger, saved, ['pending']);
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

describe('postSavedReview: a posting that breaks off before it posts anything', () => {
  const clock = () => new Date();

  /** Listener deps whose first `failures` reads of the votes fail (a database failover). */
  function failingVotes(reviews: ReviewRepository, failures: number): ListenerDeps {
    const deps = depsWith(reviews, clock);
    let left = failures;
    return {
      ...deps,
      votes: {
        ...deps.votes,
        listVotes: async (...args) => {
          if (left > 0) {
            left -= 1;
            throw new Error('Connection terminated unexpectedly');
          }
          return deps.votes.listVotes(...args);
        },
      },
    };
  }

  it('leaves a review no posting had started to the delivery sweep, Slack never called', async () => {
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const deps = failingVotes(reviews, 1);
    const saved = await setup.pendingReview(reviews);
    const callsBefore = setup.fake().calls.length;

    startPosting(deps, saved);
    expect(await deps.work.drain(10_000)).toBe(true);

    expect(setup.fake().calls.length).toBe(callsBefore);
    expect(await reviews.get(saved.teamId, saved.id)).toMatchObject({
      status: 'pending',
      lastError: null,
      postedVerdict: null,
      deliveryClaimedUntil: null,
    });
    const unattended = await reviews.listUnattended(clock(), 100);
    expect(unattended.map((review) => review.id)).toContain(saved.id);
  });

  it('marks failed, Slack never called, a review whose votes can’t be read back', async () => {
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const base = depsWith(reviews, clock);
    let reads = 0;
    const deps: ListenerDeps = {
      ...base,
      // Retried, it would fail every time.
      recordRetryDelaysMs: [1, 1, 1],
      votes: {
        ...base.votes,
        listVotes: async () => {
          reads += 1;
          throw new CorruptRowError('vote of U1 on review R1: invalid vote');
        },
      },
    };
    const saved = await setup.pendingReview(reviews);
    const callsBefore = setup.fake().calls.length;

    startPosting(deps, saved);
    expect(await deps.work.drain(10_000)).toBe(true);

    expect(reads).toBe(1);
    expect(setup.fake().calls.length).toBe(callsBefore);
    expect(await reviews.get(saved.teamId, saved.id)).toMatchObject({
      status: 'failed',
      lastError: UNREADABLE_REVIEW,
      deliveryClaimedUntil: null,
    });
  });

  it('keeps a review an earlier posting broke off mid-call off the sweep: the verdict may be out', async () => {
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const deps = failingVotes(reviews, 1);
    const saved = await setup.pendingReview(reviews);
    // An earlier posting broke off mid-call: its verdict may be in the channel.
    const earlier = await reviews.claimDelivery(saved.teamId, saved.id, ['pending'], 60_000);
    if (!earlier?.deliveryClaimedUntil) throw new Error('not claimed');
    await reviews.releaseDelivery(saved.teamId, saved.id, earlier.deliveryClaimedUntil);

    // Post again, which breaks off before it posts anything.
    startPosting(deps, saved);
    expect(await deps.work.drain(10_000)).toBe(true);

    expect(await reviews.get(saved.teamId, saved.id)).toMatchObject({
      status: 'pending',
      postingStarted: true,
    });
    const unattended = await reviews.listUnattended(clock(), 100);
    expect(unattended.map((review) => review.id)).not.toContain(saved.id);
  });
});

describe('postSavedReview: recording a failure', () => {
  it('tries again to record why nothing could be posted, rather than leave the review pending unsaid', async () => {
    const clock = () => new Date();
    const stored = createKyselyReviewRepository(setup.database().db, clock);
    let failures = 1;
    const reviews: ReviewRepository = {
      ...stored,
      markFailed: async (...args) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('Connection terminated unexpectedly');
        }
        return stored.markFailed(...args);
      },
    };
    const deps = { ...depsWith(reviews, clock), recordRetryDelaysMs: [1] };
    const saved = await dmReview(stored);
    setup.fake().failNext('chat.postMessage', { error: 'user_not_found' });

    startPosting(deps, saved);
    expect(await deps.work.drain(10_000)).toBe(true);

    expect(await stored.get(saved.teamId, saved.id)).toMatchObject({
      status: 'failed',
      lastError: 'user_not_found',
      deliveryClaimedUntil: null,
    });
  });
});

describe('postSavedReview: renewing the claim', () => {
  let nowMs = Date.UTC(2026, 2, 1);
  const clock = () => new Date(nowMs);

  /** The renewal's interval, ticked by the test. */
  function handTickedInterval() {
    let onTick: (() => void) | null = null;
    return {
      interval: (_ms: number, tick: () => void) => {
        onTick = tick;
        return () => {
          onTick = null;
        };
      },
      tick: () => onTick?.(),
    };
  }

  /**
   * The repository, its first extendDelivery held back (a slow database) until `letFirstThrough`;
   * `extensions` are the calls' results, `mostAtOnce` how many were ever under way together.
   */
  function slowFirstExtension(reviews: ReviewRepository) {
    let letFirstThrough = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      letFirstThrough = resolve;
    });
    const extensions: Promise<Date | null>[] = [];
    let underway = 0;
    let mostAtOnce = 0;
    const extendDelivery: ReviewRepository['extendDelivery'] = (...args) => {
      const first = extensions.length === 0;
      const extension = (async () => {
        underway += 1;
        mostAtOnce = Math.max(mostAtOnce, underway);
        try {
          if (first) await firstHeld;
          return await reviews.extendDelivery(...args);
        } finally {
          underway -= 1;
        }
      })();
      extensions.push(extension);
      return extension;
    };
    return {
      reviews: { ...reviews, extendDelivery },
      extensions,
      letFirstThrough,
      mostAtOnce: () => mostAtOnce,
    };
  }

  it('runs one extension at a time, so a slow one does not end the renewal while the claim is held', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, clock);
    const slow = slowFirstExtension(stored);
    const ticks = handTickedInterval();
    const deps = { ...depsWith(slow.reviews, clock), interval: ticks.interval };
    const { teamId, id } = await setup.pendingReview(stored);
    const fake = setup.fake();
    const postsBefore = fake.callCount('chat.postMessage');
    const held = fake.holdNext('chat.postMessage');
    const claimedAt = nowMs;

    postSavedReview(
      deps,
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      logger,
      { teamId, id },
      ['pending'],
    );
    await held.arrived;
    // Slack keeps the posting waiting; the first extension is slow to reach the database, and the
    // ticks after it come while it is still under way.
    nowMs = claimedAt + 3_000;
    ticks.tick();
    ticks.tick();
    ticks.tick();
    await Promise.allSettled(slow.extensions.slice(1));
    slow.letFirstThrough();
    await Promise.allSettled(slow.extensions);
    nowMs = claimedAt + 6_000;
    ticks.tick();
    await Promise.allSettled(slow.extensions);

    expect(slow.mostAtOnce()).toBe(1);
    // Past the end of the first extension's claim, but the renewal went on: still held.
    nowMs = claimedAt + 3_000 + DELIVERY_CLAIM_MS + 1_000;
    expect(await stored.claimDelivery(teamId, id, ['pending'], 60_000)).toBeNull();

    held.release();
    expect(await deps.work.drain(10_000)).toBe(true);
    expect(await stored.get(teamId, id)).toMatchObject({
      status: 'posted',
      deliveryClaimedUntil: null,
    });
    // The verdict and its detail, once.
    expect(fake.callCount('chat.postMessage') - postsBefore).toBe(2);
  });
});

describe('postSavedReview: an extension of the claim whose answer is lost', () => {
  let nowMs = Date.UTC(2026, 4, 1);
  const clock = () => new Date(nowMs);

  it('reads the claim again, keeps renewing it, and records the failure over it', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, clock);
    const extensions: Promise<Date | null>[] = [];
    const reviews: ReviewRepository = {
      ...stored,
      extendDelivery: (...args) => {
        const first = extensions.length === 0;
        const extension = stored.extendDelivery(...args).then((until) => {
          // Written, but the connection dropped before the answer came back.
          if (first) throw new Error('Connection terminated unexpectedly');
          return until;
        });
        extensions.push(extension);
        return extension;
      },
    };
    let onTick: () => void = () => undefined;
    const deps: ListenerDeps = {
      ...depsWith(reviews, clock),
      interval: (_ms, tick) => {
        onTick = tick;
        return () => {
          onTick = () => undefined;
        };
      },
    };
    const saved = await dmReview(stored);
    const fake = setup.fake();
    // Slack keeps the DM waiting, then refuses it.
    const held = fake.holdNext('chat.postMessage');
    fake.failNext('chat.postMessage', { error: 'user_not_found' });
    const log = capturedLog();
    const claimedAt = nowMs;

    postSavedReview(
      deps,
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      new BoltLogger(log.log),
      saved,
      ['pending'],
    );
    await held.arrived;
    nowMs = claimedAt + 3_000;
    onTick();
    await Promise.allSettled(extensions);
    // The next renewal, once the first (and what follows its failure) is done.
    nowMs = claimedAt + 6_000;
    await vi.waitFor(() => {
      onTick();
      expect(extensions).toHaveLength(2);
    });
    const renewed = await extensions[1];
    held.release();
    expect(await deps.work.drain(10_000)).toBe(true);

    expect(renewed).toEqual(new Date(claimedAt + 6_000 + DELIVERY_CLAIM_MS));
    expect(await stored.get(saved.teamId, saved.id)).toMatchObject({
      status: 'failed',
      lastError: 'user_not_found',
      deliveryClaimedUntil: null,
    });
    expect(log.lines.map((line) => String(line.msg))).not.toContainEqual(
      expect.stringContaining('claimed by another posting'),
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

describe('postSavedReview when Slack never answers the channel post', () => {
  /**
   * Posts a review whose channel post Slack holds past the client's timeout, with or without a
   * Home refresh afterwards; the DMs its asker got.
   */
  async function unanswered(refreshHome?: () => Promise<void>) {
    const clock = () => new Date();
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const deps = depsWith(reviews, clock);
    const { review } = await reviews.createPending(
      newReviewFixture({
        teamId: uniqueId('T'),
        userId: uniqueId('U'),
        target: { channelId: 'C0POSTING1', threadTs: null, broadcast: false, responseUrl: null },
      }),
    );
    const fake = setup.fake();
    // The app's retry policy and transport, with a timeout short enough for a test.
    const client = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      logLevel: LogLevel.ERROR,
      retryConfig: SLACK_RETRY_CONFIG,
      fetch: keepAliveFetch(300),
    });
    const held = fake.holdNext('chat.postMessage');
    postSavedReview(deps, client, logger, review, ['pending'], refreshHome);
    expect(await deps.work.drain(10_000)).toBe(true);
    held.release();
    expect((await reviews.get(review.teamId, review.id))?.status).toBe('failed');
    return fake.messages(review.userId);
  }

  it('tells the asker of /ftrag or the shortcut, whose Home is not refreshed, by DM', async () => {
    const dms = await unanswered();
    expect(dms.map((message) => message.text)).toEqual([
      expect.stringContaining("I couldn't confirm that your verdict on"),
    ]);
  });

  it('leaves it to App Home when Home shows the outcome (Post again, a review started there)', async () => {
    let refreshed = 0;
    const dms = await unanswered(async () => {
      refreshed += 1;
    });
    expect(refreshed).toBe(1);
    expect(dms).toHaveLength(0);
  });
});
