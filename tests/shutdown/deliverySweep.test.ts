/**
 * A rolling deploy: SIGTERM leaves reviews pending, and another instance on the same database posts,
 * by itself, those safe to post unattended (their posting never started), but never one whose
 * posting broke off mid-call with nothing on record (the verdict may be in the channel): that one
 * stays for App Home's Post again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActionId } from '../../src/constants.js';
import type { Review } from '../../src/storage/index.js';
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
import { DEFAULT_TEAM_ID } from '../support/slackIds.js';
import { reviewsIn, stopWithOneQueued } from './support.js';

let running: Running | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The instance started after the stop: it sweeps every half second, whatever a review's age. */
const SWEEPING = {
  DELIVERY_SWEEP_INTERVAL_MS: '500',
  DELIVERY_SWEEP_GRACE_MS: '0',
  LOG_LEVEL: 'info',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function reviewTitled(databaseUrl: string, title: string): Promise<Review | undefined> {
  return (await reviewsIn(databaseUrl)).find((review) => review.answers.title === title);
}

describe('the delivery sweep', () => {
  it('posts, once, a verdict a stopped instance left queued', async () => {
    running = await startRunning({ SHUTDOWN_TIMEOUT_MS: '8000' });
    const { fake, e2e } = running;
    const exit = stopWithOneQueued(running, 'Left queued by a deploy');
    expect(await exit).toEqual({ code: 0, signal: null });
    const left = (await reviewsIn(running.databaseUrl)).filter((r) => r.status === 'pending');
    expect(left).toHaveLength(1);
    const [waiting] = left;
    if (!waiting) throw new Error('no review left pending');
    const title = waiting.answers.title;
    const verdicts = () => fake.messages(CHANNEL).filter((message) => message.text.includes(title));
    expect(verdicts()).toHaveLength(0);

    // The next instance of the deploy, on the same database: nobody presses anything.
    const next = e2e.apps[await e2e.startInstance(SWEEPING)];
    if (!next) throw new Error('no second instance');
    await expect
      .poll(async () => (await reviewTitled(running?.databaseUrl ?? '', title))?.status, {
        timeout: 10_000,
      })
      .toBe('posted');
    // A few more sweeps: it is not posted again.
    await sleep(1_500);
    expect(verdicts()).toHaveLength(1);
    const [verdict] = verdicts();
    expect(fake.thread(CHANNEL, verdict?.ts ?? '')).toHaveLength(2);
    expect(await reviewTitled(running.databaseUrl, title)).toMatchObject({
      status: 'posted',
      messageTs: verdict?.ts,
    });
    // One line for the review picked up, with its ids and no text of its own.
    const picked = next
      .logs()
      .split('\n')
      .filter((line) => line.includes('delivery sweep'));
    expect(picked).toHaveLength(1);
    expect(picked[0]).toContain(waiting.id);
    expect(picked[0]).toContain(DEFAULT_TEAM_ID);
    expect(picked[0]).not.toContain(title);
  }, 60_000);

  it('leaves a posting cut off mid-call, with nothing on record, to Post again', async () => {
    running = await startRunning({ SHUTDOWN_TIMEOUT_MS: '500' });
    const { fake, app, e2e } = running;
    const review = { title: 'Cut off before Slack answered', problem: 'SIGTERM mid-call' };
    const viewId = await openChecklist(running, review);
    await answerUntilLastStep(running, viewId, review);
    // Slack takes the verdict but answers only after the instance is gone: the message is in the
    // channel, and nothing on the review says so.
    const held = fake.holdNext('chat.postMessage');
    expect((await submitStep(running, viewId, review)).status).toBe(200);
    await held.arrived;
    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    held.release();
    const cutOff = await reviewTitled(running.databaseUrl, review.title);
    if (!cutOff) throw new Error('no review');
    expect(cutOff).toMatchObject({ status: 'pending', postedVerdict: null });

    const before = fake.calls.length;
    const instance = await e2e.startInstance(SWEEPING);
    // Once the stopped instance's claim has lapsed, Home offers Post again, warning that the
    // verdict may be out already…
    const blockId = `undelivered_${cutOff.id}`;
    const postAgainShown = async () => {
      const home = await e2e.openHome(USER, { instance });
      return (Array.isArray(home.view.blocks) ? home.view.blocks : [])
        .filter(isRecord)
        .some(
          (b) =>
            b.block_id === blockId &&
            JSON.stringify(b).includes(ActionId.retryDelivery) &&
            JSON.stringify(b).includes('the verdict may be in the channel already'),
        );
    };
    await vi.waitFor(async () => expect(await postAgainShown()).toBe(true), {
      timeout: 20_000,
      interval: 500,
    });
    // …and sweeps meanwhile and after leave it alone: no verdict posted again.
    await sleep(2_000);
    const posts = fake.callsTo('chat.postMessage').filter((call) => call.index >= before);
    expect(posts).toHaveLength(0);
    expect(await reviewTitled(running.databaseUrl, review.title)).toMatchObject({
      status: 'pending',
    });
    expect(await postAgainShown()).toBe(true);
    expect(e2e.apps[instance]?.logs()).not.toContain('delivery sweep');
  }, 60_000);

  it('leaves a posting cut off while Slack kept its link waiting delivered, for no sweep to post again', async () => {
    running = await startRunning({ SHUTDOWN_TIMEOUT_MS: '500' });
    const { fake, app, e2e } = running;
    const review = {
      title: 'Cut off while asking for its link',
      problem: 'SIGTERM after the post',
    };
    const viewId = await openChecklist(running, review);
    await answerUntilLastStep(running, viewId, review);
    // The verdict and its detail are out; Slack keeps the link waiting past the stop.
    const held = fake.holdNext('chat.getPermalink');
    expect((await submitStep(running, viewId, review)).status).toBe(200);
    await held.arrived;
    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    held.release();
    const verdicts = () =>
      fake.messages(CHANNEL).filter((message) => message.text.includes(review.title));
    const [verdict] = verdicts();
    expect(await reviewTitled(running.databaseUrl, review.title)).toMatchObject({
      status: 'posted',
      messageTs: verdict?.ts,
      permalink: null,
    });

    const before = fake.calls.length;
    await e2e.startInstance(SWEEPING);
    // A few sweeps: the verdict is neither finished nor posted again.
    await sleep(2_000);
    const since = fake.calls.filter((call) => call.index >= before);
    expect(since.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
    expect(verdicts()).toHaveLength(1);
    expect(fake.thread(CHANNEL, verdict?.ts ?? '')).toHaveLength(2);
  }, 60_000);
});
