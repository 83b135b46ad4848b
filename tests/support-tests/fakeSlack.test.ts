import fs from 'node:fs';
import path from 'node:path';
import { type Logger, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';
import { asRecord, isRecord, type JsonObject } from '../support/json.js';
import { sampleViewsDir, webApiSpecPath } from '../support/paths.js';

let fake: FakeSlack;

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  await fake.close();
});

// WebClient logs the `[ERROR] …` response_metadata messages the fake returns, as it does for Slack's.
const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function client(options: WebClientOptions = {}, token: string | null = fake.botToken): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: fake.apiUrl,
    logger: silent,
    retryConfig: { retries: 0 },
    ...options,
  });
}

/** The Slack error a WebClient call rejected with. */
async function slackError(call: Promise<unknown>): Promise<{ error: string; data: JsonObject }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof Error && 'data' in e && isRecord(e.data)) {
      return { error: String(e.data.error), data: e.data };
    }
    throw e;
  }
  throw new Error('expected the call to fail with a Slack error');
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modalView = (extra: JsonObject = {}) => ({
  type: 'modal' as const,
  callback_id: 'cb',
  title: { type: 'plain_text' as const, text: 'Review' },
  submit: { type: 'plain_text' as const, text: 'Go' },
  blocks: [
    {
      type: 'input',
      block_id: 'title',
      label: { type: 'plain_text', text: 'Title' },
      element: { type: 'plain_text_input', action_id: 'value' },
    },
  ],
  ...extra,
});

describe('basics', () => {
  it('serves auth.test for the configured bot and checks the token', async () => {
    const res = await client().auth.test();
    expect(res).toMatchObject({
      ok: true,
      team_id: fake.teamId,
      user_id: fake.botUserId,
      bot_id: fake.botId,
    });
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect((await slackError(client({}, 'xoxb-wrong').auth.test())).error).toBe('invalid_auth');
    expect((await slackError(client({}, null).auth.test())).error).toBe('not_authed');
  });

  it('refuses a revoked token (token_revoked) or a deactivated one (account_inactive)', async () => {
    const revoked = await startFakeSlack({ extraTokens: ['xoxb-gone', 'xoxb-inactive'] });
    try {
      revoked.revokeToken('xoxb-gone');
      revoked.revokeToken('xoxb-inactive', 'account_inactive');
      const web = (token: string) =>
        new WebClient(token, {
          slackApiUrl: revoked.apiUrl,
          logger: silent,
          retryConfig: { retries: 0 },
        });
      expect((await slackError(web('xoxb-gone').auth.test())).error).toBe('token_revoked');
      expect(
        (await slackError(web('xoxb-inactive').conversations.info({ channel: 'C0OPEN0001' })))
          .error,
      ).toBe('account_inactive');
      await expect(web(revoked.botToken).auth.test()).resolves.toMatchObject({ ok: true });
    } finally {
      await revoked.close();
    }
  });

  it('answers unknown_method', async () => {
    expect((await slackError(client().apiCall('nope.nothing'))).error).toBe('unknown_method');
  });

  it('parses form-encoded (WebClient) and JSON bodies and a token in the body', async () => {
    await client().chat.postMessage({
      channel: 'C0FORM0001',
      text: 'form',
      blocks: [section('x')],
    });
    const formCall = fake.callsTo('chat.postMessage')[0];
    expect(formCall?.contentType).toContain('application/x-www-form-urlencoded');
    expect(formCall?.args.blocks).toEqual([section('x')]);
    expect(formCall?.token).toBe(fake.botToken);

    const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${fake.botToken}`,
      },
      body: JSON.stringify({ channel: 'C0JSON0001', text: 'json', blocks: [section('y')] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C0JSON0001' });

    const bodyToken = await fetch(`${fake.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: fake.botToken }).toString(),
    });
    expect(await bodyToken.json()).toMatchObject({ ok: true });
    expect(fake.callsTo('auth.test')[0]?.args.token).toBeUndefined();
  });

  it('waitFor resolves for past and future calls and times out with context', async () => {
    await client().auth.test();
    await expect(fake.waitFor('auth.test')).resolves.toMatchObject({ method: 'auth.test' });
    const before = fake.calls.length;
    const later = fake.waitFor('chat.postMessage', (c) => c.index >= before, 2000);
    setTimeout(() => {
      void client().chat.postMessage({ channel: 'C0LATER001', text: 'later' });
    }, 50);
    expect((await later).args.text).toBe('later');
    await expect(fake.waitFor('views.open', undefined, 50)).rejects.toThrow(
      /no matching views.open call within 50 ms \(calls: auth.test, chat.postMessage\)/,
    );
  });
});

describe('messages', () => {
  it('gives increasing ts, stores history and threads, honours reply_broadcast', async () => {
    const web = client();
    const a = await web.chat.postMessage({ channel: 'C0CHAN0001', text: 'parent' });
    const b = await web.chat.postMessage({ channel: 'C0CHAN0001', text: 'second' });
    expect(a.ts).toMatch(/^\d+\.\d{6}$/);
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
    expect(a.message).toMatchObject({ text: 'parent', bot_id: fake.botId, user: fake.botUserId });
    const parentTs = a.ts ?? '';
    await web.chat.postMessage({ channel: 'C0CHAN0001', thread_ts: parentTs, text: 'reply 1' });
    await web.chat.postMessage({
      channel: 'C0CHAN0001',
      thread_ts: parentTs,
      text: 'reply 2',
      reply_broadcast: true,
    });

    expect(fake.messages('C0CHAN0001').map((m) => m.text)).toEqual(['parent', 'second', 'reply 2']);
    const thread = fake.thread('C0CHAN0001', parentTs);
    expect(thread.map((m) => m.text)).toEqual(['parent', 'reply 1', 'reply 2']);
    expect(thread[0]).toMatchObject({ reply_count: 2, thread_ts: parentTs });
    expect(thread[2]?.subtype).toBe('thread_broadcast');

    const replies = await web.conversations.replies({ channel: 'C0CHAN0001', ts: parentTs });
    expect(replies.messages?.map((m) => m.text)).toEqual(['parent', 'reply 1', 'reply 2']);
  });

  it('threads only under a parent: a reply’s ts as thread_ts is a violation and lands in no thread', async () => {
    const web = client();
    const parent = await web.chat.postMessage({ channel: 'C0CHAN0001', text: 'parent' });
    const reply = await web.chat.postMessage({
      channel: 'C0CHAN0001',
      thread_ts: parent.ts ?? '',
      text: 'reply',
    });
    expect(fake.violations).toEqual([]);

    await web.chat.postMessage({ channel: 'C0CHAN0001', thread_ts: reply.ts ?? '', text: 'api' });
    const url = fake.newResponseUrl({ channel: 'C0CHAN0001' });
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'in_channel', thread_ts: reply.ts, text: 'hook' }),
    });
    expect(answer.status).toBe(200);

    expect(fake.violations.map((v) => [v.source, v.path])).toEqual([
      ['chat.postMessage', '/thread_ts'],
      ['response_url', '/thread_ts'],
    ]);
    // The reply is still a reply, the thread has not grown, and the channel shows neither post.
    expect(fake.thread('C0CHAN0001', parent.ts ?? '').map((m) => m.text)).toEqual([
      'parent',
      'reply',
    ]);
    expect(fake.thread('C0CHAN0001', reply.ts ?? '')[0]).toMatchObject({
      thread_ts: parent.ts,
      text: 'reply',
    });
    expect(fake.thread('C0CHAN0001', parent.ts ?? '')[0]?.reply_count).toBe(1);
    expect(fake.messages('C0CHAN0001').map((m) => m.text)).toEqual(['parent']);
  });

  it('posts DMs by user id into a D… channel that conversations.open also returns', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'U0ALICE001', text: 'hi alice' });
    expect(posted.channel).toMatch(/^D/);
    const opened = await web.conversations.open({ users: 'U0ALICE001' });
    expect(opened.channel?.id).toBe(posted.channel);
    expect(fake.messages('U0ALICE001').map((m) => m.text)).toEqual(['hi alice']);
    expect(fake.messages(posted.channel ?? '')).toHaveLength(1);
  });

  it('answers not_in_channel and channel_not_found', async () => {
    fake.setBotNotInChannel('C0OUTSIDE1');
    fake.setChannelNotFound('C0GONE0001');
    const web = client();
    expect(
      (await slackError(web.chat.postMessage({ channel: 'C0OUTSIDE1', text: 'x' }))).error,
    ).toBe('not_in_channel');
    expect(
      (await slackError(web.chat.postMessage({ channel: 'C0GONE0001', text: 'x' }))).error,
    ).toBe('channel_not_found');
    expect((await slackError(web.chat.postMessage({ channel: '#nowhere', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
    fake.addChannel('C0NAMED001', { name: 'reviews' });
    expect((await web.chat.postMessage({ channel: '#reviews', text: 'x' })).channel).toBe(
      'C0NAMED001',
    );
  });

  it('answers channel_not_found for a private channel, group DM or DM the bot is not in', async () => {
    const web = client();
    const post = async (channel: string) =>
      (await slackError(web.chat.postMessage({ channel, text: 'x' }))).error;
    // Public: there for the bot, but it can't post without being a member (no chat:write.public).
    fake.addChannel('C0OPEN0001', { member: false });
    expect(await post('C0OPEN0001')).toBe('not_in_channel');
    expect((await web.conversations.info({ channel: 'C0OPEN0001' })).channel).toMatchObject({
      is_private: false,
      is_member: false,
    });
    // Private channels (C… or legacy G…), a group DM it left, a DM between other people: not there.
    fake.addChannel('C0CLOSED01', { private: true, member: false });
    fake.addChannel('G0CLOSED01', { member: false });
    const group = (await web.conversations.open({ users: 'U0ALICE001,U0BOB00001' })).channel;
    const mpim = group?.id ?? '';
    fake.setBotNotInChannel(mpim);
    fake.addChannel('D0OTHERS01', { member: false });
    for (const channel of ['C0CLOSED01', 'G0CLOSED01', mpim, 'D0OTHERS01']) {
      expect(await post(channel), channel).toBe('channel_not_found');
      expect(
        (await slackError(web.chat.postEphemeral({ channel, user: 'U0ALICE001', text: 'x' })))
          .error,
        channel,
      ).toBe('channel_not_found');
      expect((await slackError(web.conversations.info({ channel }))).error, channel).toBe(
        'channel_not_found',
      );
    }
    // Its own messages there are out of its reach too, once it has left.
    fake.addChannel('C0CLOSED02', { private: true });
    const posted = await web.chat.postMessage({ channel: 'C0CLOSED02', text: 'before' });
    fake.setBotNotInChannel('C0CLOSED02');
    expect(
      (await slackError(web.chat.update({ channel: 'C0CLOSED02', ts: posted.ts ?? '', text: 'y' })))
        .error,
    ).toBe('channel_not_found');
    // Invited back, it posts again.
    fake.setBotInChannel('C0CLOSED01');
    expect((await web.chat.postMessage({ channel: 'C0CLOSED01', text: 'x' })).ok).toBe(true);
  });

  it('conversations.info tells public channels from private ones, DMs and group DMs', async () => {
    const web = client();
    fake.addChannel('C0OPEN0001', { name: 'open' });
    fake.addChannel('C0CLOSED01', { name: 'closed', private: true });
    const info = async (channel: string) => (await web.conversations.info({ channel })).channel;
    expect(await info('C0OPEN0001')).toMatchObject({
      id: 'C0OPEN0001',
      name: 'open',
      is_channel: true,
      is_private: false,
      is_im: false,
      is_mpim: false,
      is_ext_shared: false,
    });
    expect(await info('C0CLOSED01')).toMatchObject({ is_channel: true, is_private: true });
    const dm = (await web.conversations.open({ users: 'U0ALICE001' })).channel?.id ?? '';
    expect(await info(dm)).toMatchObject({ id: dm, is_im: true, user: 'U0ALICE001' });
    const group = (await web.conversations.open({ users: 'U0ALICE001,U0BOB00001' })).channel;
    expect(await info(group?.id ?? '')).toMatchObject({ is_mpim: true, is_private: true });
    // A private channel the bot is not in is not there for it.
    fake.addChannel('C0CLOSED02', { private: true, member: false });
    expect((await slackError(info('C0CLOSED02'))).error).toBe('channel_not_found');
  });

  it('conversations.info needs the read scope of the conversation’s kind, when scopes are set', async () => {
    const scoped = await startFakeSlack({ botScopes: ['chat:write', 'channels:read'] });
    try {
      const web = new WebClient(scoped.botToken, {
        slackApiUrl: scoped.apiUrl,
        logger: silent,
        retryConfig: { retries: 0 },
      });
      scoped.addChannel('C0OPEN0001');
      scoped.addChannel('C0CLOSED01', { private: true });
      expect((await web.conversations.info({ channel: 'C0OPEN0001' })).channel).toMatchObject({
        is_private: false,
      });
      const refused = await slackError(web.conversations.info({ channel: 'C0CLOSED01' }));
      expect(refused.data).toMatchObject({
        error: 'missing_scope',
        needed: 'groups:read',
        provided: 'chat:write,channels:read',
      });
      const dm = scoped.dmChannelFor('U0ALICE001');
      expect((await slackError(web.conversations.info({ channel: dm }))).data).toMatchObject({
        error: 'missing_scope',
        needed: 'im:read',
      });
      // An install from before channels:read.
      scoped.setScopes(scoped.botToken, ['chat:write']);
      expect(
        (await slackError(web.conversations.info({ channel: 'C0OPEN0001' }))).data,
      ).toMatchObject({ error: 'missing_scope', needed: 'channels:read', provided: 'chat:write' });
      // Other methods don't check scopes.
      await expect(
        web.chat.postMessage({ channel: 'C0OPEN0001', text: 'x' }),
      ).resolves.toMatchObject({ ok: true });
    } finally {
      await scoped.close();
    }
  });

  it('a token from oauth.v2.access has the scopes of its install', async () => {
    fake.setOAuthClient('client-1', 'secret-1');
    const code = fake.issueOAuthCode({
      teamId: 'T0OTHER001',
      userId: 'U0ADMIN001',
      scopes: 'commands',
    });
    const access = await client({}, null).oauth.v2.access({
      client_id: 'client-1',
      client_secret: 'secret-1',
      code,
    });
    const web = client({}, String(access.access_token));
    expect(
      (await slackError(web.conversations.info({ channel: 'C0OPEN0001' }))).data,
    ).toMatchObject({ error: 'missing_scope', needed: 'channels:read', provided: 'commands' });
    // The default bot token, with no scopes set, has them all.
    await expect(client().conversations.info({ channel: 'C0OPEN0001' })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('with knownChannels, other channels are not found', async () => {
    const strict = await startFakeSlack({ knownChannels: ['C0KNOWN001'] });
    try {
      const web = new WebClient(strict.botToken, { slackApiUrl: strict.apiUrl, logger: silent });
      await expect(
        web.chat.postMessage({ channel: 'C0KNOWN001', text: 'ok' }),
      ).resolves.toMatchObject({
        ok: true,
      });
      expect(
        (await slackError(web.chat.postMessage({ channel: 'C0OTHER001', text: 'x' }))).error,
      ).toBe('channel_not_found');
    } finally {
      await strict.close();
    }
  });

  it('enforces message limits with Slack error names and records violations', async () => {
    const web = client();
    const tooMany = await slackError(
      web.chat.postMessage({
        channel: 'C0CHAN0001',
        text: 'x',
        blocks: Array.from({ length: 51 }, () => section('b')),
      }),
    );
    expect(tooMany.error).toBe('invalid_blocks');
    expect(JSON.stringify(tooMany.data.response_metadata)).toContain('json-pointer:/blocks');
    expect(
      (await slackError(web.chat.postMessage({ channel: 'C0CHAN0001', text: 'x'.repeat(40_001) })))
        .error,
    ).toBe('msg_too_long');
    expect(
      (await slackError(web.chat.postMessage({ channel: 'C0CHAN0001', text: '' }))).error,
    ).toBe('no_text');
    const longSection = await slackError(
      web.chat.postMessage({
        channel: 'C0CHAN0001',
        text: 'x',
        blocks: [section('y'.repeat(3001))],
      }),
    );
    expect(longSection.error).toBe('invalid_blocks');
    expect(fake.violations.map((v) => v.slackError)).toEqual([
      'invalid_blocks',
      'msg_too_long',
      'no_text',
      'invalid_blocks',
    ]);
    expect(fake.violations[3]).toMatchObject({
      source: 'chat.postMessage',
      path: '/blocks/0/text/text',
    });
    expect(fake.messages('C0CHAN0001')).toEqual([]);
  });

  it('updates, deletes and links messages; ephemerals are kept apart', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'C0CHAN0001', text: 'v1' });
    const ts = posted.ts ?? '';
    const updated = await web.chat.update({ channel: 'C0CHAN0001', ts, text: 'v2' });
    expect(updated).toMatchObject({ ok: true, ts, text: 'v2' });
    expect(fake.messages('C0CHAN0001')[0]).toMatchObject({
      text: 'v2',
      edited: { user: fake.botUserId },
    });

    const link = await web.chat.getPermalink({ channel: 'C0CHAN0001', message_ts: ts });
    expect(link.permalink).toBe(
      `https://fake.slack.test/archives/C0CHAN0001/p${ts.replace('.', '')}`,
    );
    expect(
      (await slackError(web.chat.getPermalink({ channel: 'C0CHAN0001', message_ts: '1.000001' })))
        .error,
    ).toBe('message_not_found');

    const theirs = fake.addMessage('C0CHAN0001', {
      text: 'a human wrote this',
      user: 'U0HUMAN001',
    });
    expect(
      (await slackError(web.chat.update({ channel: 'C0CHAN0001', ts: theirs.ts, text: 'no' })))
        .error,
    ).toBe('cant_update_message');

    const eph = await web.chat.postEphemeral({
      channel: 'C0CHAN0001',
      user: 'U0HUMAN001',
      text: 'psst',
    });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals('C0CHAN0001')).toMatchObject([{ user: 'U0HUMAN001', text: 'psst' }]);

    await web.chat.delete({ channel: 'C0CHAN0001', ts });
    expect(fake.messages('C0CHAN0001').map((m) => m.text)).toEqual(['a human wrote this']);
  });

  it('serves users.info', async () => {
    const res = await client().users.info({ user: 'U0ALICE001' });
    expect(res.user).toMatchObject({ id: 'U0ALICE001', is_bot: false, team_id: fake.teamId });
    fake.setUser('U0BOB00001', { real_name: 'Bob', tz: 'America/New_York' });
    expect((await client().users.info({ user: 'U0BOB00001' })).user).toMatchObject({
      real_name: 'Bob',
      tz: 'America/New_York',
    });
    fake.setUserNotFound('U0GHOST001');
    expect((await slackError(client().users.info({ user: 'U0GHOST001' }))).error).toBe(
      'user_not_found',
    );
  });
});

describe('views and trigger ids', () => {
  it('opens a modal with a fresh trigger and rejects unknown, reused and expired ones', async () => {
    const web = client();
    expect(
      (await slackError(web.views.open({ trigger_id: '1.2.abc', view: modalView() }))).error,
    ).toBe('invalid_trigger_id');
    const trigger = fake.issueTriggerId({ userId: 'U0ALICE001' });
    const opened = await web.views.open({ trigger_id: trigger, view: modalView() });
    expect(opened.view).toMatchObject({
      type: 'modal',
      callback_id: 'cb',
      team_id: fake.teamId,
      app_id: fake.appId,
      state: { values: {} },
      previous_view_id: null,
    });
    expect(opened.view?.id).toMatch(/^V/);
    expect(opened.view?.root_view_id).toBe(opened.view?.id);
    expect(
      (await slackError(web.views.open({ trigger_id: trigger, view: modalView() }))).error,
    ).toBe('exchanged_trigger_id');
    const old = fake.issueTriggerId({ issuedAt: Date.now() - 3500 });
    expect((await slackError(web.views.open({ trigger_id: old, view: modalView() }))).error).toBe(
      'expired_trigger_id',
    );
    expect(fake.currentModal('U0ALICE001')?.id).toBe(opened.view?.id);
  });

  it('rejects an over-limit view with invalid_arguments and Slack-style messages', async () => {
    const trigger = fake.issueTriggerId();
    const bad = await slackError(
      client().views.open({
        trigger_id: trigger,
        view: modalView({ title: { type: 'plain_text', text: 'A title far too long for Slack' } }),
      }),
    );
    expect(bad.error).toBe('invalid_arguments');
    expect(bad.data.response_metadata).toEqual({
      messages: [
        '[ERROR] title must be at most 24 characters (got 30) [json-pointer:/view/title/text]',
      ],
    });
    expect(fake.violations).toHaveLength(1);
    // A rejected call does not use up the trigger.
    await expect(
      client().views.open({ trigger_id: trigger, view: modalView() }),
    ).resolves.toMatchObject({
      ok: true,
    });
  });

  it('fills in block_id/action_id like Slack, so every sample modal opens and is addressable', async () => {
    const files = fs.readdirSync(sampleViewsDir).filter((f) => f.startsWith('view_modal_'));
    for (const file of files) {
      const view: JsonObject = JSON.parse(fs.readFileSync(path.join(sampleViewsDir, file), 'utf8'));
      const { title, submit, close, blocks } = view;
      const res = await client().apiCall('views.open', {
        trigger_id: fake.issueTriggerId(),
        view: { type: 'modal', title, submit, close, blocks },
      });
      expect(res.ok, file).toBe(true);
      const returnedView: unknown = 'view' in res ? res.view : undefined;
      const returned =
        isRecord(returnedView) && Array.isArray(returnedView.blocks) ? returnedView.blocks : [];
      expect(returned.length).toBeGreaterThan(0);
      for (const block of returned) expect(isRecord(block) && block.block_id).toBeTruthy();
    }
    expect(fake.violations).toEqual([]);
  });

  it('views.update checks the hash; views.push stops at three views', async () => {
    const web = client();
    const opened = await web.views.open({
      trigger_id: fake.issueTriggerId({ userId: 'U0ALICE001' }),
      view: modalView(),
    });
    const id = opened.view?.id ?? '';
    const hash = opened.view?.hash ?? '';
    const updated = await web.views.update({
      view_id: id,
      hash,
      view: modalView({ callback_id: 'cb2' }),
    });
    expect(updated.view).toMatchObject({ id, callback_id: 'cb2' });
    expect(updated.view?.hash).not.toBe(hash);
    expect(
      (await slackError(web.views.update({ view_id: id, hash, view: modalView() }))).error,
    ).toBe('hash_conflict');
    expect(
      (await slackError(web.views.update({ view_id: 'V0NOPE0001', view: modalView() }))).error,
    ).toBe('not_found');
    expect(fake.view(id)?.revision).toBe(2);

    const push = () =>
      web.views.push({
        trigger_id: fake.issueTriggerId({ userId: 'U0ALICE001' }),
        view: modalView(),
      });
    const second = await push();
    expect(second.view).toMatchObject({ root_view_id: id, previous_view_id: id });
    await push();
    expect((await slackError(push())).error).toBe('push_limit_reached');
    expect(fake.modalStack('U0ALICE001')).toHaveLength(3);
  });

  it('publishes Home tabs per user with hash checks', async () => {
    const web = client();
    const home = { type: 'home' as const, blocks: [section('Welcome')] };
    const first = await web.views.publish({ user_id: 'U0ALICE001', view: home });
    expect(first.view).toMatchObject({ type: 'home' });
    const again = await web.views.publish({
      user_id: 'U0ALICE001',
      view: home,
      hash: first.view?.hash ?? '',
    });
    expect(again.view?.id).toBe(first.view?.id);
    expect(
      (
        await slackError(
          web.views.publish({ user_id: 'U0ALICE001', view: home, hash: first.view?.hash ?? '' }),
        )
      ).error,
    ).toBe('hash_conflict');
    expect(fake.homeView('U0ALICE001')?.revision).toBe(2);
    expect(
      (await slackError(web.views.publish({ user_id: 'U0ALICE001', view: modalView() }))).error,
    ).toBe('invalid_arguments');
  });

  it('applies view_submission responses like Slack', async () => {
    const opened = await client().views.open({
      trigger_id: fake.issueTriggerId(),
      view: modalView(),
    });
    const id = opened.view?.id ?? '';
    expect(
      fake.applyViewResponse(id, { response_action: 'errors', errors: { title: 'Too short' } }),
    ).toMatchObject({
      action: 'errors',
      ok: true,
    });
    expect(
      fake.applyViewResponse(id, { response_action: 'errors', errors: { nope: 'x' } }).ok,
    ).toBe(false);
    const tooLong = fake.applyViewResponse(id, {
      response_action: 'update',
      view: modalView({ private_metadata: 'm'.repeat(3001) }),
    });
    expect(tooLong.ok).toBe(false);
    expect(fake.violations.map((v) => v.source)).toEqual(['view_submission_response']);
    expect(fake.applyViewResponse(id, { response_action: 'push', view: modalView() }).ok).toBe(
      true,
    );
    expect(fake.modalStack()).toHaveLength(2);
    fake.applyViewResponse(id, { response_action: 'clear' });
    expect(fake.modalStack()).toHaveLength(0);
  });
});

describe('fault injection with the real WebClient', () => {
  it('429 then success: WebClient waits Retry-After and retries', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const res = await client({
      retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 },
    }).chat.postMessage({
      channel: 'C0CHAN0001',
      text: 'eventually',
    });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.callsTo('chat.postMessage').map((c) => c.httpStatus)).toEqual([429, 200]);
    expect(fake.messages('C0CHAN0001')).toHaveLength(1);
  });

  it('429 with rejectRateLimitedCalls surfaces a rate-limit error', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    await expect(
      client({ rejectRateLimitedCalls: true }).chat.postMessage({
        channel: 'C0CHAN0001',
        text: 'x',
      }),
    ).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('5xx then success: WebClient retries', async () => {
    fake.failNext('views.publish', { status: 503 });
    fake.failNext('views.publish', { status: 500 });
    const res = await client({
      retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 20 },
    }).views.publish({
      user_id: 'U0ALICE001',
      view: { type: 'home', blocks: [section('hi')] },
    });
    expect(res.ok).toBe(true);
    expect(fake.callsTo('views.publish').map((c) => c.httpStatus)).toEqual([503, 500, 200]);
  });

  it('scripted Slack errors, several times', async () => {
    fake.failNext('chat.postMessage', { error: 'fatal_error' }, 2);
    const web = client();
    expect(
      (await slackError(web.chat.postMessage({ channel: 'C0CHAN0001', text: 'a' }))).error,
    ).toBe('fatal_error');
    expect(
      (await slackError(web.chat.postMessage({ channel: 'C0CHAN0001', text: 'b' }))).error,
    ).toBe('fatal_error');
    await expect(web.chat.postMessage({ channel: 'C0CHAN0001', text: 'c' })).resolves.toMatchObject(
      { ok: true },
    );
  });

  it('a scripted error only for the calls it names', async () => {
    const web = client();
    const kept = await web.chat.postMessage({ channel: 'C0CHAN0001', text: 'kept' });
    const refused = await web.chat.postMessage({ channel: 'C0CHAN0001', text: 'refused' });
    fake.failNext('chat.update', { error: 'cant_update_message' }, 1, (a) => a.ts === refused.ts);
    const update = (ts: string | undefined) =>
      web.chat.update({ channel: 'C0CHAN0001', ts: ts ?? '', text: 'updated' });
    await expect(update(kept.ts)).resolves.toMatchObject({ ok: true });
    expect((await slackError(update(refused.ts))).error).toBe('cant_update_message');
    await expect(update(refused.ts)).resolves.toMatchObject({ ok: true });
  });

  it('an answer lost after the call was carried out: the caller gets no answer, the message is there', async () => {
    fake.loseAnswerNext('chat.postMessage');
    const web = client({ retryConfig: { retries: 0 } });
    await expect(web.chat.postMessage({ channel: 'C0CHAN0001', text: 'landed' })).rejects.toThrow();
    expect(fake.messages('C0CHAN0001').map((m) => m.text)).toEqual(['landed']);
    await expect(
      web.chat.postMessage({ channel: 'C0CHAN0001', text: 'next' }),
    ).resolves.toMatchObject({ ok: true });
  });
});

describe('files.uploadV2', () => {
  it('stores uploaded content and shares it in a thread', async () => {
    const web = client();
    const parent = await web.chat.postMessage({ channel: 'C0CHAN0001', text: 'report follows' });
    await web.files.uploadV2({
      channel_id: 'C0CHAN0001',
      thread_ts: parent.ts ?? '',
      filename: 'decision.md',
      title: 'Decision',
      content: '# Use RAG\nbecause knowledge changes often',
      initial_comment: 'Here is the write-up',
    });
    const [file] = fake.files();
    expect(file).toMatchObject({
      filename: 'decision.md',
      title: 'Decision',
      completed: true,
      channelId: 'C0CHAN0001',
    });
    expect(file?.content?.toString('utf8')).toBe('# Use RAG\nbecause knowledge changes often');
    const thread = fake.thread('C0CHAN0001', parent.ts ?? '');
    expect(thread[1]).toMatchObject({ text: 'Here is the write-up' });
    expect(thread[1]?.files?.[0]).toMatchObject({ id: file?.id, name: 'decision.md' });
  });

  it('refuses to complete a file that was never uploaded', async () => {
    const url = await client().files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    expect(url.upload_url).toContain(`${fake.baseUrl}/upload/`);
    const err = await slackError(
      client().files.completeUploadExternal({ files: [{ id: url.file_id ?? '' }] }),
    );
    expect(err.error).toBe('file_not_found');
  });
});

describe('response_url', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('accepts five posts, then refuses', async () => {
    const url = fake.newResponseUrl({ channel: 'C0CHAN0001' });
    expect(url.startsWith(`${fake.baseUrl}/response/`)).toBe(true);
    for (let i = 0; i < 5; i++) expect((await post(url, { text: `update ${i}` })).status).toBe(200);
    const sixth = await post(url, { text: 'one too many' });
    expect(sixth.status).toBe(404);
    expect(fake.responseUrlPostsTo(url).map((p) => p.status)).toEqual([
      200, 200, 200, 200, 200, 404,
    ]);
    expect(fake.ephemerals('C0CHAN0001')).toHaveLength(5);
  });

  it('expires after 30 minutes (fake clock)', async () => {
    let now = Date.now();
    const clocked = await startFakeSlack({ now: () => now });
    try {
      const url = clocked.newResponseUrl();
      now += 31 * 60 * 1000;
      const res = await post(url, { text: 'late' });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('expired_url');
    } finally {
      await clocked.close();
    }
  });

  it('checks message limits and applies replace_original / in_channel', async () => {
    const posted = await client().chat.postMessage({ channel: 'C0CHAN0001', text: 'original' });
    const url = fake.newResponseUrl({ channel: 'C0CHAN0001', messageTs: posted.ts ?? '' });
    const bad = await post(url, {
      text: 'x',
      blocks: Array.from({ length: 51 }, () => section('b')),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('invalid_blocks');
    expect(fake.violations[0]?.source).toBe('response_url');

    expect((await post(url, { replace_original: true, text: 'replaced' })).status).toBe(200);
    expect(fake.messages('C0CHAN0001').map((m) => m.text)).toEqual(['replaced']);
    expect((await post(url, { response_type: 'in_channel', text: 'for everyone' })).status).toBe(
      200,
    );
    expect(fake.messages('C0CHAN0001').map((m) => m.text)).toEqual(['replaced', 'for everyone']);
    expect((await post(url, { delete_original: true })).status).toBe(200);
    expect(fake.messages('C0CHAN0001').map((m) => m.text)).toEqual(['for everyone']);
  });

  it('can be made to fail', async () => {
    const a = fake.newResponseUrl();
    const b = fake.newResponseUrl();
    fake.failResponseUrl(a, 404);
    const failed = await post(a, { text: 'x' });
    expect([failed.status, await failed.text()]).toEqual([404, 'expired_url']);
    expect((await post(b, { text: 'x' })).status).toBe(200);
    fake.failResponseUrl('all', 500, { times: 1 });
    expect((await post(b, { text: 'x' })).status).toBe(500);
    expect((await post(b, { text: 'x' })).status).toBe(200);
  });

  it('can lose the answer to a post it carried out', async () => {
    const url = fake.newResponseUrl({ channel: 'C0CHAN0001' });
    fake.loseResponseUrlAnswerNext(url);
    await expect(post(url, { response_type: 'in_channel', text: 'landed' })).rejects.toThrow();
    expect(fake.messages('C0CHAN0001').at(-1)?.text).toBe('landed');
    expect(fake.responseUrlPostsTo(url)).toHaveLength(1);
    expect((await post(url, { response_type: 'in_channel', text: 'next' })).status).toBe(200);
  });
});

describe("answers carry the fields of Slack's OpenAPI examples", () => {
  type Spec = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const spec: Spec = JSON.parse(fs.readFileSync(webApiSpecPath, 'utf8'));
  const example = (method: string): JsonObject => {
    const op = Object.values(spec.paths[`/${method}`] ?? {})[0];
    const ok = asRecord(op?.responses['200']);
    const body = asRecord(asRecord(ok?.examples)?.['application/json']);
    if (!body) throw new Error(`no example for ${method}`);
    return body;
  };
  const missingKeys = (expected: unknown, actual: unknown): string[] => {
    const e = asRecord(expected) ?? {};
    const a = asRecord(actual) ?? {};
    return Object.keys(e).filter((k) => !(k in a));
  };

  it('for the implemented methods', async () => {
    const web = client();
    const trigger = fake.issueTriggerId();
    const checks: [string, JsonObject, string[]][] = [];
    const call = async (method: string, args: JsonObject, nested: string[] = []) => {
      const res: JsonObject = { ...(await web.apiCall(method, args)) };
      checks.push([method, res, nested]);
      return res;
    };
    await call('auth.test', {});
    const posted = await call('chat.postMessage', { channel: 'C0CHAN0001', text: 'hi' });
    const ts = String(posted.ts);
    await call('chat.postEphemeral', { channel: 'C0CHAN0001', user: 'U0ALICE001', text: 'psst' });
    await call('chat.update', { channel: 'C0CHAN0001', ts, text: 'edited' });
    await call('chat.getPermalink', { channel: 'C0CHAN0001', message_ts: ts });
    await call('conversations.open', { users: 'U0ALICE001' }, ['channel']);
    await call('users.info', { user: 'U0ALICE001' }, ['user']);
    const opened = await call('views.open', { trigger_id: trigger, view: modalView() }, ['view']);
    const viewId = String(asRecord(opened.view)?.id);
    await call('views.update', { view_id: viewId, view: modalView() }, ['view']);
    await call('views.push', { trigger_id: fake.issueTriggerId(), view: modalView() }, ['view']);
    await call(
      'views.publish',
      { user_id: 'U0ALICE001', view: { type: 'home', blocks: [section('hi')] } },
      ['view'],
    );

    for (const [method, res, nested] of checks) {
      const expected = example(method);
      expect(missingKeys(expected, res), method).toEqual([]);
      for (const key of nested) {
        expect(missingKeys(expected[key], res[key]), `${method}.${key}`).toEqual([]);
      }
    }
  });
});
