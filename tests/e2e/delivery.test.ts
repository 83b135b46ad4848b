import { describe, expect, it } from 'vitest';
import { ActionId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { isRecord } from '../support/json.js';
import { ASKER, E2e, EXAMPLES } from './harness.js';

const e2e = E2e.forFile();

async function postVerdict(channel: string, answers: Answers = EXAMPLES.knowledge) {
  const { modal, responseUrl } = await e2e.slashCommand(answers.title, { channel });
  if (!modal) throw new Error('no modal');
  await e2e.walkChecklist(modal.id, answers);
  return { responseUrl };
}

const bodyText = (body: unknown) =>
  isRecord(body) && typeof body.text === 'string' ? body.text : '';

describe('delivery never loses a verdict', () => {
  // Slack answers not_in_channel for a public channel, channel_not_found for a private one.
  it.each([
    { kind: 'public', channel: 'C0NOTIN001', error: 'not_in_channel' },
    { kind: 'private', channel: 'C0NOTIN003', error: 'channel_not_found' },
  ])(
    '$error (a $kind channel the bot is not in) → posts through the command’s response_url, in the channel',
    async ({ kind, channel, error }) => {
      e2e.fake.addChannel(channel, { member: false, private: kind === 'private' });
      const { responseUrl } = await postVerdict(channel);
      await expect.poll(() => e2e.fake.responseUrlPostsTo(responseUrl).length).toBe(2);
      const refused = e2e.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === channel);
      expect(refused.map((call) => call.response?.error)).toEqual([error]);
      const [parent, detail] = e2e.fake.responseUrlPostsTo(responseUrl);
      expect(parent?.body).toMatchObject({ response_type: 'in_channel' });
      expect(bodyText(parent?.body)).toMatch(/^Verdict: RAG — /);
      expect(JSON.stringify(detail?.body)).toContain('*Rationale*');
      expect(e2e.fake.messages(ASKER)).toEqual([]);
    },
  );

  it('not_in_channel → the verdict, with no thread to point to, says its detail is the next message, also once a vote updates it', async () => {
    const channel = 'C0NOTIN002';
    e2e.fake.setBotNotInChannel(channel);
    const { responseUrl } = await postVerdict(channel);
    await expect.poll(() => e2e.fake.responseUrlPostsTo(responseUrl).length).toBe(2);
    const [parentPost, detailPost] = e2e.fake.responseUrlPostsTo(responseUrl);
    expect(parentPost?.body).not.toHaveProperty('thread_ts');
    expect(detailPost?.body).not.toHaveProperty('thread_ts');
    expect(JSON.stringify(parentPost?.body)).not.toContain('in the thread');
    expect(JSON.stringify(parentPost?.body)).toContain('are in the next message');

    const parent = e2e.fake.messages(channel).find((m) => m.text === bodyText(parentPost?.body));
    if (!parent) throw new Error('no verdict in the channel');
    await e2e.click(parent, ActionId.agree, { user: ASKER });
    await expect
      .poll(() => JSON.stringify(e2e.message(channel, parent.ts).blocks))
      .toContain(`Agreed: <@${ASKER}>`);
    const updated = JSON.stringify(e2e.message(channel, parent.ts).blocks);
    expect(updated).not.toContain('in the thread');
    expect(updated).toContain('are in the next message');
  });

  it('channel_not_found (a private channel the bot is not in) and a failing response_url → a DM to the person with how to invite the bot', async () => {
    const channel = 'C0CLOSED01';
    e2e.fake.addChannel(channel, { member: false, private: true });
    const responseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
    e2e.fake.failResponseUrl(responseUrl, 404, { body: 'expired_url' });
    const { modal } = await e2e.slashCommand('DM fallback', { channel, responseUrl });
    if (!modal) throw new Error('no modal');
    await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title: 'DM fallback' });
    const dmChannel = e2e.fake.dmChannelFor(ASKER);
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === dmChannel && call.args.thread_ts !== undefined,
    );
    const dm = e2e.fake
      .messages(ASKER)
      .find((message) => JSON.stringify(message.blocks).includes('DM fallback'));
    if (!dm) throw new Error('no DM');
    const blocks = JSON.stringify(dm.blocks);
    expect(blocks).toContain('/invite @ftrag');
    expect(blocks).toContain(`<#${channel}>`);
    expect(blocks).toContain("because I'm not a member there");
    const refused = e2e.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
    expect(refused.map((call) => call.response?.error)).toEqual(['channel_not_found']);
    expect(dm.text).toMatch(/^Verdict: RAG — /);
    expect(e2e.fake.thread(dm.channel, dm.ts)).toHaveLength(2);
  });

  it('429 with Retry-After, then success: posted once', async () => {
    const channel = 'C0RATELIM1';
    e2e.fake.addChannel(channel, { member: true });
    e2e.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await postVerdict(channel, { ...EXAMPLES.behavior, title: 'Rate limited' });
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === channel && call.args.thread_ts !== undefined,
      10_000,
    );
    const parents = e2e.fake
      .messages(channel)
      .filter((message) => message.thread_ts === undefined || message.thread_ts === message.ts);
    expect(parents).toHaveLength(1);
    const attempts = e2e.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === channel && call.args.thread_ts === undefined);
    expect(attempts.map((call) => call.httpStatus)).toEqual([429, 200]);
  });

  it('Slack 5xx to the channel post: sent once, posted nowhere else, the asker told to look', async () => {
    // A 5xx may come after the message was posted: repeating the post could make two copies.
    const channel = 'C0FIVEXX01';
    const title = 'Flaky Slack';
    e2e.fake.addChannel(channel, { member: true });
    e2e.fake.failNext('chat.postMessage', { status: 503 }, 1, (args) => args.channel === channel);
    const dms = e2e.fake.messages(ASKER).length;
    const { responseUrl } = await postVerdict(channel, { ...EXAMPLES.both, title });
    const told = `I couldn't confirm that your verdict on *${title}* was posted in <#${channel}>`;
    await expect
      .poll(() => e2e.fake.messages(ASKER).filter((message) => message.text.includes(told)))
      .toHaveLength(1);
    const attempts = e2e.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === channel);
    expect(attempts.map((call) => call.httpStatus)).toEqual([503]);
    expect(e2e.fake.responseUrlPostsTo(responseUrl)).toHaveLength(0);
    // The word to look is the only DM: no copy of the verdict.
    expect(e2e.fake.messages(ASKER)).toHaveLength(dms + 1);
  });
});
