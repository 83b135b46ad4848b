/**
 * A burst of "Post verdict" submissions: every one is acknowledged and saved at once, postings take
 * turns (at most 8 at a time per instance), other requests stay fast meanwhile, and every verdict
 * arrives once Slack answers again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ActionId } from '../../src/constants.js';
import { DELIVERY_CLAIM_MS } from '../../src/listeners/postSavedReview.js';
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
    const command = await running.slack.slashCommand({
      command: '/ftrag',
      text: 'meanwhile',
      user: USER,
      triggerId: running.fake.issueTriggerId({ userId: USER }),
    });
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

/**
 * Two instances on one database. On the first, eight reviews by someone else hold every posting
 * turn (their chat.postMessage calls are held), and the asker's review waits its turn; the second
 * instance's Home offers Post again for it.
 */
async function waitingBehindEightOthers() {
  // Slack's answers are held here for longer than the default 10 s a call may wait: a verdict's
  // post that times out is not repeated (Slack may have posted it), which is not what this tests.
  const e2e = await E2e.start({
    instances: 2,
    env: { LOG_LEVEL: 'warn', SLACK_CALL_TIMEOUT_MS: '60000' },
  });
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
        (call) => call.args.thread_ts === undefined && JSON.stringify(call.args).includes(title),
      );

  // The second instance does not know; its Home offers Post again.
  const home = await e2e.openHome(USER, { instance: 1 });
  const undeliveredBlock = (view: typeof home) =>
    (Array.isArray(view.view.blocks) ? view.view.blocks : [])
      .filter(isRecord)
      .find(
        (candidate) =>
          String(candidate.block_id).startsWith('undelivered_') &&
          JSON.stringify(candidate).includes(waiting),
      );
  const block = undeliveredBlock(home);
  if (!block) throw new Error(`${waiting} is not listed as not posted yet`);
  const pressPostAgain = () =>
    e2e.click(home, ActionId.retryDelivery, {
      user: USER,
      blockId: String(block.block_id),
      instance: 1,
    });
  const titles = [...others.map((review) => review.title), waiting];
  /** Lets Slack answer again; every review gets its verdict and the first instance goes idle. */
  const releaseAllAndSettle = async (timeout: number) => {
    for (const hold of holds) hold.release();
    await vi.waitFor(
      () =>
        expect(titles.filter((title) => parentsOf(title).length > 0)).toHaveLength(titles.length),
      { timeout },
    );
    await vi.waitFor(
      async () => {
        const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
        expect(metrics).toMatch(/ftrag_in_flight\{what="deliveries"\} 0\b/);
      },
      { timeout: 10_000 },
    );
  };
  return { e2e, holds, waiting, parentsOf, pressPostAgain, undeliveredBlock, releaseAllAndSettle };
}

describe('two instances', () => {
  it('a review another instance posted while it waited its turn is not posted again', async () => {
    const setup = await waitingBehindEightOthers();
    const { e2e, waiting, parentsOf } = setup;
    try {
      await setup.pressPostAgain();
      // Bounds for a loaded machine (a full run with other suites on 2 cores), not expectations.
      await vi.waitFor(() => expect(parentsOf(waiting)).toHaveLength(1), { timeout: 15_000 });

      // When its turn comes on the first instance, it finds the review posted and leaves it.
      await setup.releaseAllAndSettle(20_000);
      expect(parentsOf(waiting)).toHaveLength(1);
    } finally {
      await e2e.close();
    }
  }, 60_000);

  it('a review being posted by one instance is not posted again by Post again on another', async () => {
    const setup = await waitingBehindEightOthers();
    const { e2e, holds, waiting, parentsOf } = setup;
    try {
      // One turn frees up on the first instance: its review's thread reply, then the asker's
      // verdict, which the first instance has claimed, is held on its way to Slack; Slack then
      // rate-limits it, so the posting waits out Retry-After past the claim's first lease.
      const threadReply = e2e.fake.holdNext('chat.postMessage');
      const minePosting = e2e.fake.holdNext('chat.postMessage');
      holds[0]?.release();
      await threadReply.arrived;
      threadReply.release();
      await minePosting.arrived;
      // Slack answers again well after the check below, even on a busy machine.
      const retryAfterSeconds = Math.ceil(DELIVERY_CLAIM_MS / 1000) + 7;
      e2e.fake.failNext('chat.postMessage', { status: 429, retryAfter: retryAfterSeconds });
      minePosting.release();
      await new Promise((resolve) => setTimeout(resolve, DELIVERY_CLAIM_MS + 1_500));

      // Post again on the second instance's stale Home: the first instance has kept extending its
      // claim, so the second leaves the review alone, and its Home says it is being posted.
      const posted = () =>
        parentsOf(waiting).filter((call) => call.httpStatus === 200 && call.response?.ok === true);
      const before = e2e.fake.calls.length;
      await setup.pressPostAgain();
      await e2e.fake.waitFor(
        'views.publish',
        (call) => call.index >= before && call.args.user_id === USER,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(posted()).toHaveLength(0);
      const home = await e2e.openHome(USER, { instance: 1 });
      expect(JSON.stringify(setup.undeliveredBlock(home))).toContain('Being posted now');

      await setup.releaseAllAndSettle(20_000);
      expect(posted()).toHaveLength(1);
    } finally {
      await e2e.close();
    }
  }, 50_000);
});
