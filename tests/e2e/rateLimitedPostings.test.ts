/**
 * A WebClient answered 429 holds every call it is given until Retry-After has passed. Verdicts are
 * posted through clients of their own, so one waiting out a rate limit holds up no one else: a
 * modal opened meanwhile needs its trigger id within 3 s.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../support/fakeSlack.js';
import { E2e, EXAMPLES } from './harness.js';

const e2e = E2e.forFile();

/** Longer than a trigger id lives (3 s): a modal opened after the wait could not open at all. */
const RETRY_AFTER_S = 5;

/** Calls to `method` answered 429, as the app's metrics count them. */
async function rateLimited(method: string): Promise<number> {
  const metrics = await (await fetch(`${e2e.apps[0]?.baseUrl}/metrics`)).text();
  const line = metrics
    .split('\n')
    .find((text) =>
      text.startsWith(`ftrag_slack_api_calls_total{method="${method}",result="rate_limited"} `),
    );
  return Number(line?.split(' ')[1] ?? 0);
}

/**
 * Slack answers the next call to `method` that `when` accepts 429 with Retry-After; `act` makes
 * the app send it. Resolves once the app has the 429 in hand (its metrics count it), and so is
 * waiting it out, with the fake's record of the call.
 */
async function rateLimit(
  method: string,
  when: (call: RecordedCall['args']) => boolean,
  act: () => Promise<unknown>,
): Promise<RecordedCall> {
  const counted = await rateLimited(method);
  e2e.fake.failNext(method, { status: 429, retryAfter: RETRY_AFTER_S }, 1, when);
  await act();
  const limited = await e2e.fake.waitFor(
    method,
    (call) => call.httpStatus === 429 && when(call.args),
  );
  await expect.poll(() => rateLimited(method)).toBe(counted + 1);
  return limited;
}

/** `/ftrag` in `channel`: the views.open it made, which must have opened the modal. */
async function ftragMeanwhile(channel: string): Promise<RecordedCall> {
  e2e.fake.addChannel(channel, { member: true });
  const before = e2e.fake.calls.length;
  const { response, modal } = await e2e.slashCommand('Meanwhile', { channel });
  expect(response.status).toBe(200);
  // The fake answers expired_trigger_id to a views.open that comes after the trigger's 3 s.
  const opened = await e2e.fake.waitFor('views.open', (call) => call.index >= before);
  expect(opened.response).toMatchObject({ ok: true });
  expect(modal?.open).toBe(true);
  return opened;
}

describe('a call waiting out a 429 holds up no one else', () => {
  it('a verdict: /ftrag elsewhere opens its modal meanwhile, and the verdict is posted once after the wait', async () => {
    const channel = 'C0RATELIM2';
    e2e.fake.addChannel(channel, { member: true });
    const limited = await rateLimit(
      'chat.postMessage',
      (args) => args.channel === channel,
      async () => {
        const { modal } = await e2e.slashCommand('Waits out Retry-After', { channel });
        if (!modal) throw new Error('no modal');
        await e2e.walkChecklist(modal.id, {
          ...EXAMPLES.knowledge,
          title: 'Waits out Retry-After',
        });
      },
    );

    const opened = await ftragMeanwhile('C0ELSEWHR1');

    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === channel && call.args.thread_ts !== undefined,
      15_000,
    );
    const attempts = e2e.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === channel && call.args.thread_ts === undefined);
    expect(attempts.map((call) => call.httpStatus)).toEqual([429, 200]);
    // The modal opened while the verdict was still waiting out its Retry-After.
    expect(limited.index).toBeLessThan(opened.index);
    expect(opened.index).toBeLessThan(attempts[1]?.index ?? -1);
    expect(
      e2e.fake
        .messages(channel)
        .filter((message) => message.thread_ts === undefined || message.thread_ts === message.ts),
    ).toHaveLength(1);
  }, 30_000);
});
