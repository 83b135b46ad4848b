import { LogLevel, WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { messageGoneError } from '../../src/delivery/deliverReview.js';
import {
  NOT_INSTALLED,
  SWEEP_BATCH,
  startDeliverySweep,
  TOKEN_READ_ATTEMPTS,
  TOKEN_UNREADABLE,
} from '../../src/listeners/deliverySweep.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { keepAliveFetch, SLACK_RETRY_CONFIG } from '../../src/observability/slackFetch.js';
import { CorruptRowError } from '../../src/storage/errors.js';
import type { Review } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { newReviewFixture, uniqueId } from '../storage/support.js';
import { capturedLog } from '../support/capturedLog.js';
import { DELIVERY_TOKEN, deliverySetup, TokenedDeliveryClients } from '../support/deliverySetup.js';

const setup = deliverySetup('C0SWEEPING');

/**
 * The sweep's interval, ticked by the test; `stopped` once the sweep stopped it. The sweep's is
 * the first asked for; those of its postings (their claims' renewals) never tick.
 */
function handTickedInterval() {
  let onTick: (() => void) | null = null;
  let asked = false;
  const state = { stopped: false, ms: 0 };
  return {
    state,
    interval: (ms: number, tick: () => void) => {
      if (asked) return () => undefined;
      asked = true;
      state.ms = ms;
      onTick = tick;
      return () => {
        state.stopped = true;
        onTick = null;
      };
    },
    tick: () => onTick?.(),
  };
}

/** Waits for the sweep and for the postings it queued meanwhile. */
async function settled(work: { size: number; drain(ms: number): Promise<boolean> }) {
  while (work.size > 0) expect(await work.drain(10_000)).toBe(true);
  // The sweep counts as running until its promise chain has settled too: a tick before that is
  // skipped.
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * One test's sweep: its clock (starting at `startMs`, moved with `advance`), reviews on the shared
 * database, a hand-ticked interval, and a client on the fake; `start` starts the sweep (every
 * 60 s, 30 s of grace), posting with the client `deliveryFor` gives and publishing Home with the
 * one on the fake.
 */
function sweepSetup(startMs: number) {
  let nowMs = startMs;
  const clock = () => new Date(nowMs);
  const reviews = createKyselyReviewRepository(setup.database().db, clock);
  const ticks = handTickedInterval();
  const deps = { ...setup.listenerDeps(reviews, clock), interval: ticks.interval };
  const fake = setup.fake();
  const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
  const captured = capturedLog();
  return {
    reviews,
    ticks,
    deps,
    fake,
    client,
    lines: captured.lines,
    advance: (ms: number) => {
      nowMs += ms;
    },
    start: (deliveryFor: (review: Review) => Promise<WebClient | null>) =>
      startDeliverySweep(deps, {
        intervalMs: 60_000,
        graceMs: 30_000,
        clientFor: async (review) => {
          const delivery = await deliveryFor(review);
          return delivery && { delivery, home: client };
        },
        logger: new BoltLogger(captured.log),
        log: captured.log,
      }),
  };
}

describe('startDeliverySweep', () => {
  it('sweeps at once and on each tick, only reviews past the grace period, and stops', async () => {
    const { reviews, ticks, deps, client, lines, advance, start } = sweepSetup(
      Date.UTC(2026, 3, 1),
    );
    const offered: string[] = [];
    const saved = await setup.pendingReview(reviews);

    advance(10_000);
    const stop = start(async (review) => {
      offered.push(review.id);
      return client;
    });
    expect(ticks.state.ms).toBe(60_000);
    // The first sweep, at once: saved 10 s ago, still its own instance's to post.
    await settled(deps.work);
    expect(offered).toEqual([]);

    advance(21_000);
    ticks.tick();
    await settled(deps.work);
    expect(offered).toEqual([saved.id]);
    expect((await reviews.get(saved.teamId, saved.id))?.status).toBe('posted');
    expect(lines.filter((line) => String(line.msg).startsWith('delivery sweep'))).toEqual([
      expect.objectContaining({ reviewId: saved.id, teamId: saved.teamId }),
    ]);

    stop();
    expect(ticks.state.stopped).toBe(true);
    const later = await setup.pendingReview(reviews);
    advance(60_000);
    ticks.tick();
    await settled(deps.work);
    expect(offered).not.toContain(later.id);
  });

  it('posts with the delivery client and publishes App Home with the other one', async () => {
    const { reviews, deps, fake, advance, start } = sweepSetup(Date.UTC(2026, 5, 1));
    const saved = await setup.pendingReview(reviews);
    const deliveryClients = new TokenedDeliveryClients({ slackApiUrl: fake.apiUrl });

    advance(60_000);
    const before = fake.calls.length;
    const stop = start(async (review) => deliveryClients.for(fake.botToken, review.teamId));
    await settled(deps.work);
    stop();
    expect((await reviews.get(saved.teamId, saved.id))?.status).toBe('posted');
    const since = fake.calls.slice(before);
    const posts = since.filter((call) => call.method === 'chat.postMessage');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.map((call) => call.token)).toEqual(posts.map(() => DELIVERY_TOKEN));
    // A 429 on the delivery client holds back every posting queued on it: Home is not one.
    // (Other tests' reviews, left pending on the same database, may be swept along.)
    const published = since.filter((call) => call.method === 'views.publish');
    expect(published.map((call) => call.args.user_id)).toContain(saved.userId);
    expect(published.map((call) => call.token)).toEqual(published.map(() => fake.botToken));
  });

  it('marks failed, once, a review whose workspace has no installation, so it holds up no other', async () => {
    // Older than the other tests' reviews (same database): these are the oldest the sweep lists.
    const { reviews, ticks, deps, client, advance, start } = sweepSetup(Date.UTC(2025, 0, 1));
    // Review id to its workspace, ftrag installed in none of them.
    const uninstalled = new Map<string, string>();
    for (let i = 0; i < SWEEP_BATCH; i += 1) {
      const review = await setup.pendingReview(reviews);
      uninstalled.set(review.id, review.teamId);
      advance(1);
    }
    const installed = await setup.pendingReview(reviews);
    const offered: string[] = [];

    advance(60_000);
    const stop = start(async (review) => {
      offered.push(review.id);
      return uninstalled.has(review.id) ? null : client;
    });
    await settled(deps.work);
    for (const [id, teamId] of uninstalled) {
      expect(await reviews.get(teamId, id)).toMatchObject({
        status: 'failed',
        lastError: NOT_INSTALLED,
      });
    }

    advance(60_000);
    ticks.tick();
    await settled(deps.work);
    advance(60_000);
    ticks.tick();
    await settled(deps.work);
    stop();
    expect((await reviews.get(installed.teamId, installed.id))?.status).toBe('posted');
    expect(offered.filter((id) => uninstalled.has(id))).toEqual([...uninstalled.keys()]);
  });

  it('leaves pending, for the next sweep, a review whose token could not be read, and goes on', async () => {
    const { reviews, ticks, deps, client, advance, start } = sweepSetup(Date.UTC(2024, 0, 1));
    const unreadable = await setup.pendingReview(reviews);
    advance(1);
    const readable = await setup.pendingReview(reviews);
    let failing = true;

    advance(60_000);
    const stop = start(async (review) => {
      if (review.id === unreadable.id && failing) throw new Error('database unavailable');
      return client;
    });
    await settled(deps.work);
    expect((await reviews.get(unreadable.teamId, unreadable.id))?.status).toBe('pending');
    expect((await reviews.get(readable.teamId, readable.id))?.status).toBe('posted');

    failing = false;
    advance(60_000);
    ticks.tick();
    await settled(deps.work);
    stop();
    expect((await reviews.get(unreadable.teamId, unreadable.id))?.status).toBe('posted');
  });

  it('marks failed, after a few sweeps, reviews whose token can’t be read, so they hold up no other', async () => {
    // Older than the other tests' reviews (same database): these are the oldest the sweep lists.
    const { reviews, ticks, deps, client, lines, advance, start } = sweepSetup(
      Date.UTC(2021, 0, 1),
    );
    // Review id to its workspace, whose token is sealed with a key this instance doesn't have.
    const unreadable = new Map<string, string>();
    for (let i = 0; i < SWEEP_BATCH; i += 1) {
      const review = await setup.pendingReview(reviews);
      unreadable.set(review.id, review.teamId);
      advance(1);
    }
    const readable = await setup.pendingReview(reviews);
    const sweep = async () => {
      advance(60_000);
      ticks.tick();
      await settled(deps.work);
    };

    advance(60_000);
    const stop = start(async (review) => {
      if (unreadable.has(review.id)) {
        throw new CorruptRowError('installation token sealed with an unknown key');
      }
      return client;
    });
    await settled(deps.work);
    for (let sweeps = 1; sweeps < TOKEN_READ_ATTEMPTS - 1; sweeps += 1) await sweep();
    // One attempt short: still pending, for the next sweep.
    for (const [id, teamId] of unreadable) {
      expect((await reviews.get(teamId, id))?.status).toBe('pending');
    }
    await sweep();
    expect((await reviews.get(readable.teamId, readable.id))?.status).toBe('pending');
    // The next sweep lists past them.
    await sweep();
    stop();

    for (const [id, teamId] of unreadable) {
      expect(await reviews.get(teamId, id)).toMatchObject({
        status: 'failed',
        lastError: TOKEN_UNREADABLE,
      });
      // Post again, once the key is fixed, posts it.
      expect(await reviews.claimDelivery(teamId, id, ['pending', 'failed'], 1_000)).not.toBeNull();
    }
    expect((await reviews.get(readable.teamId, readable.id))?.status).toBe('posted');
    const [first] = unreadable;
    const said = lines.filter((line) => line.reviewId === first?.[0]).map((line) => line.msg);
    expect(said).toEqual([
      ...Array.from({ length: TOKEN_READ_ATTEMPTS - 1 }, () =>
        expect.stringContaining('the next sweep tries again'),
      ),
      expect.stringContaining('marked failed'),
    ]);
  });

  it('records failed, posting nothing, a review whose verdict out before is gone', async () => {
    const { reviews, deps, fake, client, advance, start } = sweepSetup(Date.UTC(2023, 0, 1));
    const saved = await setup.pendingReview(reviews);
    // A posting put its verdict out, then broke off; the message was deleted since.
    const claimed = await reviews.claimDelivery(saved.teamId, saved.id, ['pending'], 10_000);
    const held = claimed?.deliveryClaimedUntil;
    if (!held) throw new Error('the review was not claimed');
    const gone = { channelId: 'C0SWEEPING', messageTs: '1672531200.000100' };
    await reviews.recordPostedVerdict(
      saved.teamId,
      saved.id,
      { status: 'posted', ...gone, threadTs: gone.messageTs, channelError: null },
      held,
    );
    await reviews.releaseDelivery(saved.teamId, saved.id, held);

    advance(60_000);
    const before = fake.calls.length;
    const stop = start(async () => client);
    await settled(deps.work);
    stop();
    const since = fake.calls.slice(before);
    expect(since.filter((call) => call.args.channel === gone.channelId)).toEqual([
      expect.objectContaining({
        method: 'chat.update',
        args: expect.objectContaining({ ts: gone.messageTs }),
      }),
    ]);
    expect(await reviews.get(saved.teamId, saved.id)).toMatchObject({
      status: 'failed',
      lastError: messageGoneError('message_not_found'),
    });
  });
  it('tells the asker once when Slack never answers its post, then leaves the review to Post again', async () => {
    const { reviews, ticks, deps, fake, client, advance, start } = sweepSetup(Date.UTC(2022, 0, 1));
    const { review: saved } = await reviews.createPending(
      newReviewFixture({
        teamId: uniqueId('T'),
        userId: uniqueId('U'),
        target: { channelId: 'C0SWEEPING', threadTs: null, broadcast: false, responseUrl: null },
      }),
    );
    // The app's retry policy and transport, with a timeout short enough for a test.
    const slow = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      logLevel: LogLevel.ERROR,
      retryConfig: SLACK_RETRY_CONFIG,
      fetch: keepAliveFetch(300),
    });
    const held = fake.holdNext('chat.postMessage');

    advance(60_000);
    const stop = start(async (review) => (review.id === saved.id ? slow : client));
    await settled(deps.work);
    held.release();
    expect(await reviews.get(saved.teamId, saved.id)).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('the verdict may be in the channel already'),
    });
    // Sweeps every minute after that: the review is failed, none takes it again.
    for (let sweep = 0; sweep < 3; sweep += 1) {
      advance(60_000);
      ticks.tick();
      await settled(deps.work);
    }
    stop();
    expect(fake.messages(saved.userId).map((message) => message.text)).toEqual([
      expect.stringContaining("I couldn't confirm that your verdict on"),
    ]);
    expect((await reviews.get(saved.teamId, saved.id))?.status).toBe('failed');
  });
});
