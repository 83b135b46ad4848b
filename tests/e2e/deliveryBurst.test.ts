/**
 * A burst of "Post verdict" submissions: every one is acknowledged and saved at once, postings take
 * turns (at most 8 at a time per instance), other requests stay fast meanwhile, and every verdict
 * arrives once Slack answers again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerUntilLastStep,
  openChecklist,
  type Running,
  startRunning,
  submitStep,
  USER,
} from '../observability/support.js';

let running: Running;

beforeAll(async () => {
  running = await startRunning({ LOG_LEVEL: 'warn' });
});

afterAll(async () => {
  await running?.close();
});

const BURST = 12;
const DELIVERY_CONCURRENCY = 8;

describe('a burst of final submissions', () => {
  it('acks and saves each at once; postings take turns; all arrive', async () => {
    const reviews = Array.from({ length: BURST }, (_, index) => ({
      title: `Burst review ${index}`,
      problem: 'Many teams at once',
    }));
    const opened: { viewId: string; review: (typeof reviews)[number] }[] = [];
    for (const review of reviews) {
      const viewId = await openChecklist(running, review);
      await answerUntilLastStep(running, viewId, review);
      opened.push({ viewId, review });
    }
    // Slack stops answering chat.postMessage until released.
    const holds = Array.from({ length: BURST }, () => running.fake.holdNext('chat.postMessage'));
    const answers = await Promise.all(
      opened.map(({ viewId, review }) => submitStep(running, viewId, review)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    await Promise.all(holds.slice(0, DELIVERY_CONCURRENCY).map((hold) => hold.arrived));
    const ninth = holds[DELIVERY_CONCURRENCY];
    const arrivedEarly = await Promise.race([
      ninth?.arrived.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 500)),
    ]);
    expect(arrivedEarly).toBe(false);

    // Meanwhile the other four wait their turn, already saved, and a new command is answered at once.
    const metrics = await (await fetch(`${running.app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/ftrag_in_flight\{what="queued_deliveries"\} 4\b/);
    const started = performance.now();
    const command = await running.slack.slashCommand({ command: '/ftrag', text: 'meanwhile' });
    expect(command.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1_000);

    // Home lists them as not posted yet, and as being posted: no "Post again" to post one twice.
    const home = JSON.stringify((await running.e2e.openHome(USER)).view.blocks);
    expect(home).toContain('Not posted yet');
    expect(home).toContain('Being posted now');
    expect(home).not.toContain('Post again');

    for (const hold of holds) hold.release();
    for (const review of reviews) {
      await running.fake.waitFor(
        'chat.postMessage',
        (call) =>
          JSON.stringify(call.args).includes(review.title) && call.args.thread_ts === undefined,
        10_000,
      );
    }
    const parents = running.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.args.thread_ts === undefined);
    expect(parents).toHaveLength(BURST);
  });
});
