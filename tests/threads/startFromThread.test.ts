import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { escapeMrkdwn } from '../../src/views/text.js';
import { ASKER, blocksOf, CHANNEL, headerOf, mrkdwnSentToSlack } from '../e2e/harness.js';
import type { StoredView } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import { appMentionEvent, buildMessageShortcut } from '../support/slackRequests.js';
import {
  ALICE,
  BOB,
  expectSafeAndWithinLimits,
  HOSTILE_MESSAGE,
  HOSTILE_MESSAGE_AS_READ,
  KNOWLEDGE,
  ThreadsApp,
} from './harness.js';

const t = ThreadsApp.forFile();

/** The answers without a problem, so the pre-filled "What goes wrong today?" stays as it was. */
const { problem: _problem, ...KEEP_PROBLEM } = KNOWLEDGE;
const answersKeepingProblem: Answers = KEEP_PROBLEM;

function problemInput(view: StoredView): unknown {
  const blocks = Array.isArray(view.view.blocks) ? view.view.blocks.filter(isRecord) : [];
  const block = blocks.find((b) => b.block_id === BlockId.problem);
  return isRecord(block?.element) ? block.element.initial_value : undefined;
}

async function runShortcut(
  message: { ts: string; text: string; thread_ts?: string },
  prefilled: string,
) {
  const before = t.fake.calls.length;
  const response = await t.slack().interactive(
    buildMessageShortcut({
      callbackId: CallbackId.reviewMessageShortcut,
      message: { ...message, user: ALICE },
      channel: CHANNEL,
      user: ASKER,
      triggerId: t.fake.issueTriggerId({ userId: ASKER }),
    }),
  );
  expect(response.status).toBe(200);
  const modal = await t.openedModal(before);
  expect(problemInput(modal)).toBe(prefilled);
  return t.walkToVerdict(modal.id, answersKeepingProblem, { user: ASKER });
}

describe('the message shortcut', () => {
  it('answers under a parent message, which stays untouched', async () => {
    const parent = t.fake.addMessage(CHANNEL, {
      text: `The bot quotes last quarter's refund window ${HOSTILE_MESSAGE}`,
      user: ALICE,
    });
    const call = await runShortcut(
      { ts: parent.ts, text: parent.text },
      `The bot quotes last quarter's refund window ${HOSTILE_MESSAGE_AS_READ}`,
    );

    expect(call.args.thread_ts).toBe(parent.ts);
    const thread = t.fake.thread(CHANNEL, parent.ts);
    expect(thread.map((m) => m.ts)).toContain(String(call.response?.ts));
    // The verdict and its detail are replies; nothing was edited or posted to the channel.
    expect(thread).toHaveLength(3);
    const after = t.message(CHANNEL, parent.ts);
    expect(after.text).toBe(parent.text);
    expect(after.edited).toBeUndefined();
    expect(after.blocks).toBeUndefined();
    expect(t.fake.messages(CHANNEL).map((m) => m.ts)).toEqual([parent.ts]);
    // The problem as the reader saw it, escaped once for mrkdwn: not Slack's entities escaped again.
    const sent = mrkdwnSentToSlack(t.fake).join('\n');
    expect(sent).toContain(escapeMrkdwn(HOSTILE_MESSAGE_AS_READ));
    expect(sent).not.toContain('&amp;lt;');
    expectSafeAndWithinLimits(t.fake);
  });

  it('answers under the parent when run on a thread reply', async () => {
    const parent = t.fake.addMessage(CHANNEL, { text: 'Support bot for refunds', user: ALICE });
    const reply = t.fake.addMessage(CHANNEL, {
      text: `It also breaks our JSON ${HOSTILE_MESSAGE}`,
      user: BOB,
      thread_ts: parent.ts,
    });
    const call = await runShortcut(
      { ts: reply.ts, text: reply.text, thread_ts: parent.ts },
      `It also breaks our JSON ${HOSTILE_MESSAGE_AS_READ}`,
    );

    expect(call.args.thread_ts).toBe(parent.ts);
    expect(t.fake.thread(CHANNEL, reply.ts)).toEqual([t.message(CHANNEL, reply.ts)]);
    const after = t.message(CHANNEL, parent.ts);
    expect(after.text).toBe('Support bot for refunds');
    expect(after.edited).toBeUndefined();
    expect(t.fake.thread(CHANNEL, parent.ts).map((m) => m.ts)).toContain(String(call.response?.ts));
    expectSafeAndWithinLimits(t.fake);
  });
});

describe('mentioning the app', () => {
  it('answers in the thread with a button that runs the checklist for that thread', async () => {
    const parent = t.fake.addMessage(CHANNEL, { text: 'Ticket triage bot', user: ALICE });
    const text = `<@${t.fake.botUserId}>   should we fine-tune this? ${HOSTILE_MESSAGE}`;
    const mention = t.fake.addMessage(CHANNEL, { text, user: BOB, thread_ts: parent.ts });
    const before = t.fake.calls.length;
    await t.event(
      appMentionEvent({ text, user: BOB, channel: CHANNEL, ts: mention.ts, threadTs: parent.ts }),
    );
    const answer = await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.thread_ts === parent.ts,
    );
    const reply = t.message(CHANNEL, String(answer.response?.ts));
    expect(reply.text).toMatch(/verdict is posted in this thread/);

    const opening = t.fake.calls.length;
    await t.click(reply, ActionId.startMentionReview, { user: BOB });
    const modal = await t.openedModal(opening);
    expect(problemInput(modal)).toBe(`should we fine-tune this? ${HOSTILE_MESSAGE_AS_READ}`);

    const verdict = await t.walkToVerdict(modal.id, answersKeepingProblem, {
      user: BOB,
      extra: { [BlockId.broadcast]: { [ActionId.broadcast]: ['broadcast'] } },
      threadTs: parent.ts,
    });
    expect(String(verdict.args.reply_broadcast)).toBe('true');
    expect(headerOf(t.message(CHANNEL, String(verdict.response?.ts)))).toBe('Verdict: RAG');
    expect(t.message(CHANNEL, parent.ts).edited).toBeUndefined();
    expectSafeAndWithinLimits(t.fake);
  });

  it('starts a thread on a top-level mention and fits a long message into the button', async () => {
    const text = `<@${t.fake.botUserId}> ${'"quoted\\" '.repeat(400)}`;
    const mention = t.fake.addMessage(CHANNEL, { text, user: BOB });
    const before = t.fake.calls.length;
    await t.event(appMentionEvent({ text, user: BOB, channel: CHANNEL, ts: mention.ts }));
    const answer = await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.thread_ts === mention.ts,
    );
    const reply = t.message(CHANNEL, String(answer.response?.ts));
    const actions = blocksOf(reply).find((b) => b.block_id === BlockId.mentionStart);
    const button = Array.isArray(actions?.elements) ? actions.elements.filter(isRecord)[0] : {};
    expect(String(button?.value).length).toBeLessThanOrEqual(2000);

    const opening = t.fake.calls.length;
    await t.click(reply, ActionId.startMentionReview, { user: BOB });
    const modal = await t.openedModal(opening);
    const problem = String(problemInput(modal));
    expect(problem.startsWith('"quoted\\" "quoted')).toBe(true);
    expect(problem.endsWith('…')).toBe(true);
    expect([...problem].length).toBeLessThanOrEqual(1000);
    expectSafeAndWithinLimits(t.fake);
  });

  it('when it is not in the channel, DMs the button with how to invite it; the verdict follows', async () => {
    const outside = 'C0OUTSIDE1';
    t.fake.addChannel(outside, { member: false });
    const text = `<@${t.fake.botUserId}> review this please`;
    const before = t.fake.calls.length;
    await t.event(appMentionEvent({ text, user: BOB, channel: outside }));
    const dmCall = await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.channel === BOB,
    );
    const dm = t.message(t.fake.dmChannelFor(BOB), String(dmCall.response?.ts));
    expect(JSON.stringify(dm.blocks)).toContain('/invite @ftrag');

    const opening = t.fake.calls.length;
    await t.click(dm, ActionId.startMentionReview, { user: BOB });
    const modal = await t.openedModal(opening);
    expect(problemInput(modal)).toBe('review this please');
    const verdict = await t.walkToVerdict(modal.id, answersKeepingProblem, { user: BOB });
    expect(verdict.args.channel).toBe(BOB);
    expect(JSON.stringify(verdict.args.blocks)).toContain('Invite me with `/invite @ftrag`');
    expectSafeAndWithinLimits(t.fake);
  });

  it('when it can’t post in the thread for another reason, DMs the button saying why, without an invite', async () => {
    const archived = 'C0ARCHIVE1';
    t.fake.addChannel(archived, { member: true });
    t.fake.failNext('chat.postMessage', { error: 'is_archived' });
    const before = t.fake.calls.length;
    await t.event(
      appMentionEvent({ text: `<@${t.fake.botUserId}> review this`, user: BOB, channel: archived }),
    );
    const dmCall = await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.channel === BOB,
    );
    const dm = t.message(t.fake.dmChannelFor(BOB), String(dmCall.response?.ts));
    expect(JSON.stringify(dm.blocks)).toContain(
      `I couldn't answer your mention in <#${archived}> because that channel is archived.`,
    );
    expect(JSON.stringify(dm)).not.toContain('/invite');
    expectSafeAndWithinLimits(t.fake);
  });
});
