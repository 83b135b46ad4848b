/**
 * A WebClient answered 429 holds every call it is given until Retry-After has passed. Verdicts and
 * the tallies votes bring up to date are sent through clients of their own, so one waiting out a
 * rate limit holds up no one else: a modal opened meanwhile needs its trigger id within 3 s.
 */
import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, ReviewMenuChoice } from '../../src/constants.js';
import type { RecordedCall } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import { appMentionEvent } from '../support/slackRequests.js';
import { ASKER, blocksOf, E2e, EXAMPLES, isVerdictActions } from './harness.js';

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

/** A verdict posted in `channel`, with its thread reply: its message ts. */
async function postedVerdict(channel: string, title: string): Promise<string> {
  e2e.fake.addChannel(channel, { member: true });
  const { modal } = await e2e.slashCommand(title, { channel });
  if (!modal) throw new Error('no modal');
  await e2e.walkChecklist(modal.id, { ...EXAMPLES.behavior, title });
  const posted = await e2e.fake.waitFor(
    'chat.postMessage',
    (call) => call.args.channel === channel && call.args.thread_ts === undefined,
  );
  await e2e.fake.waitFor(
    'chat.postMessage',
    (call) => call.args.channel === channel && call.args.thread_ts !== undefined,
  );
  return String(posted.response?.ts);
}

/**
 * The id of the review whose verdict is message `ts` of `channel` (Challenge's value), once App
 * Home lists it among the asker's reviews: delivered, so Share and Edit answers offer it.
 */
async function listedReview(channel: string, ts: string): Promise<string> {
  const actions = blocksOf(e2e.message(channel, ts)).find(isVerdictActions);
  const challenge = Array.isArray(actions?.elements)
    ? actions.elements.filter(isRecord).find((element) => element.action_id === ActionId.challenge)
    : undefined;
  const id = String(challenge?.value);
  await expect
    .poll(async () => JSON.stringify((await e2e.openHome()).view.blocks))
    .toContain(`"block_id":"mine_${id}"`);
  return id;
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

  it('a tally after Agree: /ftrag elsewhere opens its modal meanwhile, and the tally shows the vote after the wait', async () => {
    const channel = 'C0RATELIM3';
    const ts = await postedVerdict(channel, 'Agreed while rate-limited');

    const limited = await rateLimit(
      'chat.update',
      (args) => args.channel === channel && args.ts === ts,
      () => e2e.click(e2e.message(channel, ts), ActionId.agree, { user: ASKER }),
    );

    const opened = await ftragMeanwhile('C0ELSEWHR2');

    const updated = await e2e.fake.waitFor(
      'chat.update',
      (call) => call.index > limited.index && call.args.ts === ts && call.httpStatus === 200,
      15_000,
    );
    expect(limited.index).toBeLessThan(opened.index);
    expect(opened.index).toBeLessThan(updated.index);
    expect(JSON.stringify(e2e.message(channel, ts).blocks)).toContain(`Agreed: <@${ASKER}>`);
  }, 30_000);

  it('a challenge: /ftrag elsewhere opens its modal meanwhile, and the reason is posted once after the wait', async () => {
    const channel = 'C0RATELIM4';
    const ts = await postedVerdict(channel, 'Challenged while rate-limited');
    const before = e2e.fake.calls.length;
    await e2e.click(e2e.message(channel, ts), ActionId.challenge, { user: ASKER });
    const challenge = await e2e.openedModal(before);

    const isReason = (args: RecordedCall['args']) =>
      args.channel === channel && args.thread_ts === ts && JSON.stringify(args).includes('Stale');
    const limited = await rateLimit('chat.postMessage', isReason, () =>
      e2e.submit(
        challenge.id,
        { [BlockId.challengeReason]: { [ActionId.challengeReason]: 'Stale labels' } },
        { user: ASKER },
      ),
    );

    const opened = await ftragMeanwhile('C0ELSEWHR3');

    const updated = await e2e.fake.waitFor(
      'chat.update',
      (call) => call.index > limited.index && call.args.ts === ts && call.httpStatus === 200,
      15_000,
    );
    const reasons = e2e.fake.callsTo('chat.postMessage').filter((call) => isReason(call.args));
    expect(reasons.map((call) => call.httpStatus)).toEqual([429, 200]);
    expect(limited.index).toBeLessThan(opened.index);
    expect(opened.index).toBeLessThan(reasons[1]?.index ?? -1);
    expect(JSON.stringify(e2e.fake.thread(channel, ts))).toContain('Stale labels');
    expect(opened.index).toBeLessThan(updated.index);
    expect(JSON.stringify(e2e.message(channel, ts).blocks)).toContain(`Challenged: <@${ASKER}>`);
  }, 30_000);

  it('a shared card: /ftrag elsewhere opens its modal meanwhile, and the card is posted once after the wait', async () => {
    const source = 'C0RATELIM5';
    const target = 'C0SHARETO5';
    const ts = await postedVerdict(source, 'Shared while rate-limited');
    const id = await listedReview(source, ts);
    e2e.fake.addChannel(target, { member: true });
    const share = await e2e.reviewMenuModal(await e2e.openHome(), id, ReviewMenuChoice.share);

    const isCard = (args: RecordedCall['args']) => args.channel === target;
    const limited = await rateLimit('chat.postMessage', isCard, () =>
      e2e.submit(share.id, { [BlockId.shareChannel]: { [ActionId.shareChannel]: target } }),
    );

    const opened = await ftragMeanwhile('C0ELSEWHR5');

    const card = await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index > limited.index && isCard(call.args) && call.httpStatus === 200,
      15_000,
    );
    expect(limited.index).toBeLessThan(opened.index);
    expect(opened.index).toBeLessThan(card.index);
    expect(e2e.fake.messages(target)).toHaveLength(1);
    expect(JSON.stringify(e2e.fake.messages(target))).toContain('Shared while rate-limited');
  }, 30_000);

  it('an edit: /ftrag elsewhere opens its modal meanwhile, and the verdict and its thread show the edit after the wait', async () => {
    const channel = 'C0RATELIM6';
    const title = 'Edited while rate-limited';
    const ts = await postedVerdict(channel, title);
    const id = await listedReview(channel, ts);
    const editing = await e2e.reviewMenuModal(await e2e.openHome(), id, ReviewMenuChoice.edit);

    const limited = await rateLimit(
      'chat.update',
      (args) => args.channel === channel && args.ts === ts,
      () => e2e.walkChecklist(editing.id, { ...EXAMPLES.both, title }),
    );

    const opened = await ftragMeanwhile('C0ELSEWHR6');

    const note = await e2e.fake.waitFor(
      'chat.postMessage',
      (call) =>
        call.index > limited.index &&
        call.args.thread_ts === ts &&
        String(call.args.text).includes('Edited by'),
      15_000,
    );
    const updates = e2e.fake
      .callsTo('chat.update')
      .filter((call) => call.index >= limited.index && call.args.ts === ts);
    expect(updates.map((call) => call.httpStatus)).toEqual([429, 200]);
    expect(limited.index).toBeLessThan(opened.index);
    expect(opened.index).toBeLessThan(updates[1]?.index ?? -1);
    expect(opened.index).toBeLessThan(note.index);
    expect(e2e.message(channel, ts).text).toMatch(/^Verdict: RAG \+ fine-tune/);
  }, 30_000);

  it('an @-mention’s reply: /ftrag elsewhere opens its modal meanwhile, and the reply is posted once after the wait', async () => {
    const channel = 'C0RATELIM7';
    e2e.fake.addChannel(channel, { member: true });
    const mention = e2e.fake.addMessage(channel, {
      text: `<@${e2e.fake.botUserId}> should we fine-tune?`,
      user: ASKER,
    });
    const isReply = (args: RecordedCall['args']) =>
      args.channel === channel && args.thread_ts === mention.ts;
    const limited = await rateLimit('chat.postMessage', isReply, () =>
      e2e.event(
        appMentionEvent({ text: String(mention.text), user: ASKER, channel, ts: mention.ts }),
      ),
    );

    const opened = await ftragMeanwhile('C0ELSEWHR7');

    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index > limited.index && isReply(call.args) && call.httpStatus === 200,
      15_000,
    );
    const replies = e2e.fake.callsTo('chat.postMessage').filter((call) => isReply(call.args));
    expect(replies.map((call) => call.httpStatus)).toEqual([429, 200]);
    expect(limited.index).toBeLessThan(opened.index);
    expect(opened.index).toBeLessThan(replies[1]?.index ?? -1);
  }, 30_000);
});
