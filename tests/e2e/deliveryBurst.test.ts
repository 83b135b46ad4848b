/**
 * A burst of "Post verdict" submissions: every one is acknowledged and saved at once, postings take
 * turns (at most 8 at a time per instance), other requests stay fast meanwhile, and every verdict
 * arrives once Slack answers again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ActionId } from '../../src/constants.js';
import {
  answerUntilLastStep,
  CHANNEL,
  openChecklist,
  type Running,
  startRunning,
  submitStep,
  USER,
} from '../observability/support.js';
import { isRecord } from '../support/json.js';
import { E2e } from './harness.js';

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

describe('two instances', () => {
  it('a review another instance posted while it waited its turn is not posted again', async () => {
    const e2e = await E2e.start({ instances: 2, env: { LOG_LEVEL: 'warn' } });
    try {
      const [app] = e2e.apps;
      if (!app) throw new Error('no instance');
      const first: Running = {
        e2e,
        fake: e2e.fake,
        app,
        slack: e2e.slack(0),
        databaseUrl: e2e.databaseUrl,
        env: e2e.env,
        close: () => e2e.close(),
      };
      e2e.fake.addChannel(CHANNEL, { member: true });
      // Eight reviews by someone else take every turn on the first instance; the asker's waits.
      const others = Array.from({ length: DELIVERY_CONCURRENCY }, (_, i) => ({
        title: `Two-up ${i}`,
        problem: 'x',
        user: 'U0OTHER001',
      }));
      const waiting = 'Two-up waiting';
      const mine = { title: waiting, problem: 'x', user: USER };
      const viewIds = new Map<string, string>();
      for (const review of [...others, mine]) {
        const viewId = await openChecklist(first, review);
        await answerUntilLastStep(first, viewId, review);
        viewIds.set(review.title, viewId);
      }
      const holds = others.map(() => e2e.fake.holdNext('chat.postMessage'));
      await Promise.all(
        others.map((review) => submitStep(first, viewIds.get(review.title) ?? '', review)),
      );
      await Promise.all(holds.map((hold) => hold.arrived));
      expect((await submitStep(first, viewIds.get(waiting) ?? '', mine)).status).toBe(200);
      const parentsOf = (title: string) =>
        e2e.fake
          .callsTo('chat.postMessage')
          .filter(
            (call) =>
              call.args.thread_ts === undefined && JSON.stringify(call.args).includes(title),
          );
      const titles = [...others.map((review) => review.title), waiting];

      // The second instance does not know; its Home offers Post again, and it posts.
      const home = await e2e.openHome(USER, { instance: 1 });
      const block = (Array.isArray(home.view.blocks) ? home.view.blocks : [])
        .filter(isRecord)
        .find(
          (candidate) =>
            String(candidate.block_id).startsWith('undelivered_') &&
            JSON.stringify(candidate).includes(waiting),
        );
      if (!block) throw new Error(`${waiting} is not listed as not posted yet`);
      await e2e.click(home, ActionId.retryDelivery, {
        user: USER,
        blockId: String(block.block_id),
        instance: 1,
      });
      await vi.waitFor(() => expect(parentsOf(waiting)).toHaveLength(1), { timeout: 5_000 });

      // When its turn comes on the first instance, it reads the review again and leaves it.
      for (const hold of holds) hold.release();
      await vi.waitFor(
        () =>
          expect(titles.filter((title) => parentsOf(title).length > 0)).toHaveLength(titles.length),
        { timeout: 10_000 },
      );
      await vi.waitFor(
        async () => {
          const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
          expect(metrics).toMatch(/ftrag_in_flight\{what="deliveries"\} 0\b/);
        },
        { timeout: 10_000 },
      );
      expect(parentsOf(waiting)).toHaveLength(1);
    } finally {
      await e2e.close();
    }
  });
});
