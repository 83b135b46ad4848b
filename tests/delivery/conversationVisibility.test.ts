import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askVisibility, isPublicChannel } from '../../src/delivery/conversationVisibility.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack({ botScopes: ['chat:write', 'channels:read'] });
});
afterAll(async () => {
  await fake.close();
});

function client(token = fake.botToken): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.apiUrl,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 0 },
  });
}

describe('askVisibility', () => {
  it('public for a public channel, private for a DM without asking', async () => {
    fake.addChannel('C0ASKOPEN1', { member: false });
    expect(await askVisibility(client(), 'C0ASKOPEN1')).toEqual({
      visibility: 'public',
      asked: true,
    });
    const before = fake.callCount('conversations.info');
    expect(await askVisibility(client(), 'D0ASKDM001')).toEqual({
      visibility: 'private',
      asked: false,
    });
    expect(fake.callCount('conversations.info')).toBe(before);
  });

  it('private when Slack’s refusal says it is not a public channel', async () => {
    // The bot is in it, but was not granted groups:read: Slack names the private kind's scope.
    fake.addChannel('C0ASKPRIV1', { private: true, member: true });
    // The bot is not in it: a private channel is not there for it.
    fake.addChannel('C0ASKPRIV2', { private: true, member: false });
    for (const channel of ['C0ASKPRIV1', 'C0ASKPRIV2']) {
      expect(await askVisibility(client(), channel), channel).toEqual({
        visibility: 'private',
        asked: true,
      });
    }
    expect(
      fake
        .callsTo('conversations.info')
        .filter((call) => String(call.args.channel).startsWith('C0ASKPRIV'))
        .map((call) => call.response?.error),
    ).toEqual(['missing_scope', 'channel_not_found']);
  });

  it('unknown, with Slack’s error, when the refusal says nothing about the channel', async () => {
    fake.addChannel('C0ASKOPEN2');
    fake.setScopes(fake.botToken, ['chat:write']);
    try {
      expect(await askVisibility(client(), 'C0ASKOPEN2')).toEqual({
        visibility: null,
        asked: true,
        slackError: 'missing_scope',
        why: 'missing_scope (needed: channels:read)',
      });
    } finally {
      fake.setScopes(fake.botToken, ['chat:write', 'channels:read']);
    }
    fake.failNext('conversations.info', { error: 'missing_scope' });
    expect(await askVisibility(client(), 'C0ASKOPEN2')).toMatchObject({
      visibility: null,
      slackError: 'missing_scope',
    });
    expect(await askVisibility(client('xoxb-not-a-token'), 'C0ASKOPEN2')).toMatchObject({
      visibility: null,
      slackError: 'invalid_auth',
    });
    fake.failNext('conversations.info', { status: 500 });
    expect(await askVisibility(client(), 'C0ASKOPEN2')).toMatchObject({
      visibility: null,
      slackError: null,
      why: expect.stringContaining('500'),
    });
  });
});

describe('isPublicChannel', () => {
  const open = {
    id: 'C0OPEN0001',
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: false,
    is_ext_shared: false,
    is_pending_ext_shared: false,
  };

  it('is true only for a channel Slack says is neither private nor shared outside the workspace', () => {
    expect(isPublicChannel(open)).toBe(true);
    expect(isPublicChannel({ ...open, is_archived: true, is_org_shared: true })).toBe(true);
    for (const closed of [
      { ...open, is_private: true },
      // Group DMs come back with is_channel too.
      { ...open, is_mpim: true, is_private: true },
      { ...open, is_mpim: true },
      { ...open, is_channel: false, is_group: true },
      { ...open, is_channel: false, is_im: true },
      { ...open, is_ext_shared: true },
      { ...open, is_pending_ext_shared: true },
      // What Slack leaves out is not taken as public.
      { id: 'C0OPEN0001', is_channel: true },
      { id: 'C0OPEN0001', is_private: false },
    ]) {
      expect(isPublicChannel(closed), JSON.stringify(closed)).toBe(false);
    }
  });
});
