/**
 * Slack rate-limits chat.postMessage per channel (about 1 a second, short bursts). A burst of
 * verdicts into one channel is answered 429s with Retry-After for a while: the postings wait as
 * told, however many times that takes, and every verdict lands in its thread once. Scaled up to
 * 5 posts a second (no burst: with bursts of 2 the unfixed retry budget ran out only now and then).
 * It still takes some 20 s: each 429 pauses the WebClient's whole queue for Retry-After (1 s).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  answerUntilLastStep,
  openChecklist,
  type Running,
  startRunning,
  submitStep,
} from '../observability/support.js';
import { ASKER, CHANNEL } from './harness.js';

const BURST = 10;

let running: Running;

beforeAll(async () => {
  running = await startRunning(
    { LOG_LEVEL: 'warn' },
    { rateLimits: { postPerChannelPerSecond: 5, burst: 1 } },
  );
});

afterAll(async () => {
  await running?.close();
});

describe('a burst of verdicts into one rate-limited channel', () => {
  it('waits out every Retry-After: each verdict and its thread reply arrive once', async () => {
    const reviews = Array.from({ length: BURST }, (_, index) => ({
      title: `Rate-limited review ${index}`,
      problem: 'Many verdicts into one channel',
      user: ASKER,
      channel: CHANNEL,
    }));
    const viewIds: string[] = [];
    for (const review of reviews) {
      const viewId = await openChecklist(running, review);
      await answerUntilLastStep(running, viewId, review);
      viewIds.push(viewId);
    }
    const answers = await Promise.all(
      reviews.map((review, index) => submitStep(running, viewIds[index] ?? '', review)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    await vi.waitFor(
      async () => {
        const metrics = await (await fetch(`${running.app.baseUrl}/metrics`)).text();
        expect(metrics).toMatch(/ftrag_in_flight\{what="deliveries"\} 0\b/);
        expect(metrics).toMatch(/ftrag_in_flight\{what="queued_deliveries"\} 0\b/);
      },
      { timeout: 60_000, interval: 250 },
    );

    const fake = running.fake;
    const posts = fake.callsTo('chat.postMessage');
    // Slack did rate-limit the burst, more than once for some postings.
    expect(posts.filter((call) => call.httpStatus === 429).length).toBeGreaterThan(BURST);
    const posted = posts.filter((call) => call.httpStatus === 200 && call.response?.ok === true);
    const arrived = reviews.map((review) => {
      const parents = posted.filter(
        (call) =>
          call.args.thread_ts === undefined && JSON.stringify(call.args).includes(review.title),
      );
      const ts = parents[0]?.response?.ts;
      const replies = posted.filter((call) => ts !== undefined && call.args.thread_ts === ts);
      return {
        title: review.title,
        in: parents.map((call) => call.args.channel),
        replies: replies.length,
      };
    });
    expect(arrived).toEqual(
      reviews.map((review) => ({ title: review.title, in: [CHANNEL], replies: 1 })),
    );
    // Nothing went another way (response_url, DM): every post is one of those.
    expect(posted).toHaveLength(2 * BURST);
    expect(fake.allMessages()).toHaveLength(2 * BURST);
    expect(fake.violations).toEqual([]);

    const home = JSON.stringify((await running.e2e.openHome(ASKER)).view.blocks);
    expect(home).not.toContain('Not posted yet');
  }, 120_000);
});
