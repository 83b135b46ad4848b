import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { startDeliverySweep } from '../../src/listeners/deliverySweep.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { capturedLog } from '../support/capturedLog.js';
import { deliverySetup } from '../support/deliverySetup.js';

const setup = deliverySetup('C0SWEEPING');

/** The sweep's interval, ticked by the test; `stopped` once the sweep stopped it. */
function handTickedInterval() {
  let onTick: (() => void) | null = null;
  const state = { stopped: false, ms: 0 };
  return {
    state,
    interval: (ms: number, tick: () => void) => {
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
}

describe('startDeliverySweep', () => {
  it('sweeps at once and on each tick, only reviews past the grace period, and stops', async () => {
    let nowMs = Date.UTC(2026, 3, 1);
    const clock = () => new Date(nowMs);
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const ticks = handTickedInterval();
    const deps = { ...setup.listenerDeps(reviews, clock), interval: ticks.interval };
    const fake = setup.fake();
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
    const { log, lines } = capturedLog();
    const offered: string[] = [];
    const saved = await setup.pendingReview(reviews);

    nowMs += 10_000;
    const stop = startDeliverySweep(deps, {
      intervalMs: 60_000,
      graceMs: 30_000,
      clientFor: async (review) => {
        offered.push(review.id);
        return client;
      },
      logger: new BoltLogger(log),
      log,
    });
    expect(ticks.state.ms).toBe(60_000);
    // The first sweep, at once: saved 10 s ago, still its own instance's to post.
    await settled(deps.work);
    expect(offered).toEqual([]);

    nowMs += 21_000;
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
    nowMs += 60_000;
    ticks.tick();
    await settled(deps.work);
    expect(offered).not.toContain(later.id);
  });
});
