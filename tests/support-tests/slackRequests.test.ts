import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { verifySlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../support/fakeSlack.js';
import { asArray, asRecord, isRecord, type JsonObject } from '../support/json.js';
import { sampleViewsDir } from '../support/paths.js';
import {
  appHomeOpenedEvent,
  appMentionEvent,
  buildEventCallback,
  buildGlobalShortcut,
  buildMessageShortcut,
  buildSlashCommand,
  buildViewClosed,
  chooseOption,
  clickButton,
  encodeForm,
  fillAndSubmit,
  forgedBlockAction,
  SlackClientForTests,
  tokensRevokedEvent,
} from '../support/slackRequests.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const opt = (text: string, value: string) => ({ text: plain(text), value });
const input = (blockId: string, element: JsonObject, extra: JsonObject = {}) => ({
  type: 'input',
  block_id: blockId,
  label: plain(blockId),
  element: { action_id: 'v', ...element },
  ...extra,
});

/** A modal as Slack would return it (ids and hash present). */
const reviewModal: JsonObject = {
  id: 'V0REVIEW01',
  hash: '1700000000.abcd1234',
  team_id: 'T0FAKETEAM',
  type: 'modal',
  callback_id: 'review',
  private_metadata: '{"channel":"C0TESTCHAN"}',
  title: plain('Review'),
  submit: plain('Decide'),
  blocks: [
    input('title', { type: 'plain_text_input', max_length: 20 }),
    input('notes', { type: 'plain_text_input', multiline: true }, { optional: true }),
    input('budget', { type: 'number_input', is_decimal_allowed: false, min_value: '0' }),
    input('gap', {
      type: 'radio_buttons',
      options: [opt('Knowledge', 'knowledge'), opt('Behaviour', 'behavior')],
    }),
    input('signals', {
      type: 'checkboxes',
      options: [
        opt('Changes often', 'changes'),
        opt('Needs citations', 'citations'),
        opt('Style', 'style'),
      ],
    }),
    input('model', {
      type: 'static_select',
      option_groups: [
        { label: plain('Hosted'), options: [opt('GPT', 'gpt'), opt('Claude', 'claude')] },
      ],
    }),
    input(
      'tags',
      {
        type: 'multi_static_select',
        options: [opt('A', 'a'), opt('B', 'b')],
        max_selected_items: 1,
      },
      { optional: true },
    ),
    input('channel', { type: 'conversations_select' }),
    input('owner', { type: 'users_select', initial_user: 'U0OWNER001' }),
    input('due', { type: 'datepicker' }, { optional: true }),
    input('email', { type: 'email_text_input' }, { optional: true }),
    {
      type: 'actions',
      block_id: 'extra',
      elements: [
        {
          type: 'static_select',
          action_id: 'mode',
          options: [opt('Fast', 'fast'), opt('Careful', 'careful')],
        },
        { type: 'button', action_id: 'help', text: plain('Help'), value: 'help' },
      ],
    },
  ],
};

const fullValues = {
  title: { v: 'Support bot' },
  budget: { v: 12 },
  gap: { v: 'knowledge' },
  signals: { v: ['changes', 'citations'] },
  model: { v: 'claude' },
  channel: { v: 'C0TARGET01' },
};

describe('slash commands', () => {
  it('has Slack field order and encoding', () => {
    const fields = buildSlashCommand({
      command: '/ftrag',
      text: 'new review & more',
      channelId: 'C0ABC',
      responseUrl: 'https://hooks.example.test/commands/1',
      triggerId: '1.2.3',
      user: { id: 'U0ALICE001', name: 'alice' },
    });
    expect(Object.keys(fields)).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    const body = encodeForm(fields);
    expect(body).toContain('command=%2Fftrag&text=new+review+%26+more');
    expect(body).toContain('user_id=U0ALICE001&user_name=alice');
    expect(body).toContain('response_url=https%3A%2F%2Fhooks.example.test%2Fcommands%2F1');
  });

  it('adds enterprise fields for Enterprise Grid workspaces', () => {
    const fields = buildSlashCommand({
      command: '/ftrag',
      workspace: { enterpriseId: 'E0GRID0001' },
    });
    expect(fields.enterprise_id).toBe('E0GRID0001');
  });
});

describe('modal driver: fillAndSubmit', () => {
  it("builds Slack's view.state.values shapes", () => {
    const payload = fillAndSubmit(reviewModal, fullValues, {
      user: 'U0ALICE001',
      triggerId: '9.9.9',
    });
    expect(payload).toMatchObject({
      type: 'view_submission',
      trigger_id: '9.9.9',
      user: { id: 'U0ALICE001', team_id: 'T0FAKETEAM' },
      team: { id: 'T0FAKETEAM' },
      api_app_id: 'A0FAKEAPP1',
      view: {
        id: 'V0REVIEW01',
        hash: '1700000000.abcd1234',
        callback_id: 'review',
        private_metadata: '{"channel":"C0TESTCHAN"}',
        team_id: 'T0FAKETEAM',
      },
    });
    expect(payload.view.state.values).toEqual({
      title: { v: { type: 'plain_text_input', value: 'Support bot' } },
      notes: { v: { type: 'plain_text_input', value: null } },
      budget: { v: { type: 'number_input', value: '12' } },
      gap: { v: { type: 'radio_buttons', selected_option: opt('Knowledge', 'knowledge') } },
      signals: {
        v: {
          type: 'checkboxes',
          selected_options: [opt('Changes often', 'changes'), opt('Needs citations', 'citations')],
        },
      },
      model: { v: { type: 'static_select', selected_option: opt('Claude', 'claude') } },
      tags: { v: { type: 'multi_static_select', selected_options: [] } },
      channel: { v: { type: 'conversations_select', selected_conversation: 'C0TARGET01' } },
      owner: { v: { type: 'users_select', selected_user: 'U0OWNER001' } },
      due: { v: { type: 'datepicker', selected_date: null } },
      email: { v: { type: 'email_text_input', value: null } },
    });
  });

  it('includes stateful elements outside input blocks when given', () => {
    const payload = fillAndSubmit(reviewModal, { ...fullValues, extra: { mode: 'careful' } });
    expect(payload.view.state.values.extra).toEqual({
      mode: { type: 'static_select', selected_option: opt('Careful', 'careful') },
    });
  });

  it.each([
    ['unknown block', { nope: { v: 'x' } }, /no block with block_id "nope"/],
    [
      'unknown action',
      { title: { nope: 'x' } },
      /block "title" has no element with action_id "nope"/,
    ],
    ['unknown option', { gap: { v: 'vibes' } }, /no option with value "vibes"/],
    [
      'unknown checkbox',
      { signals: { v: ['changes', 'astrology'] } },
      /no option with value "astrology"/,
    ],
    ['array for a single select', { model: { v: ['gpt'] } }, /expected a single value/],
    ['string for checkboxes', { signals: { v: 'changes' } }, /expected an array/],
    ['text over max_length', { title: { v: 'x'.repeat(21) } }, /over max_length 20/],
    ['decimal in an integer input', { budget: { v: '1.5' } }, /not an allowed number/],
    ['below min_value', { budget: { v: -1 } }, /min_value/],
    ['too many selected', { tags: { v: ['a', 'b'] } }, /max_selected_items is 1/],
    ['bad email', { email: { v: 'not-an-email' } }, /not an email/],
    ['bad date', { due: { v: '01/02/2025' } }, /YYYY-MM-DD/],
    ['button is not an input', { extra: { help: 'x' } }, /no input state/],
  ])('rejects %s', (_name, override, pattern) => {
    expect(() => fillAndSubmit(reviewModal, { ...fullValues, ...override })).toThrow(pattern);
  });

  it('refuses to submit with an empty required input unless asked to', () => {
    const { title: _title, ...withoutTitle } = fullValues;
    expect(() => fillAndSubmit(reviewModal, withoutTitle)).toThrow(
      /required input "title\/v" is empty/,
    );
    const payload = fillAndSubmit(reviewModal, withoutTitle, { allowMissingRequired: true });
    expect(payload.view.state.values.title).toEqual({
      v: { type: 'plain_text_input', value: null },
    });
  });

  it('needs the view as Slack returned it', () => {
    const { id: _id, ...noId } = reviewModal;
    expect(() => fillAndSubmit(noId, fullValues)).toThrow(/no id\/hash/);
    const noBlockIds = {
      ...reviewModal,
      blocks: [{ type: 'input', label: plain('x'), element: { type: 'plain_text_input' } }],
    };
    expect(() => fillAndSubmit(noBlockIds, {})).toThrow(/has no block_id/);
  });

  it('works on a Slack sample modal opened through the fake (generated ids)', async () => {
    const fake = await startFakeSlack();
    try {
      const sample: JsonObject = JSON.parse(
        fs.readFileSync(path.join(sampleViewsDir, 'view_modal_007.json'), 'utf8'),
      );
      const res = await fetch(`${fake.apiUrl}views.open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.botToken}` },
        body: JSON.stringify({ trigger_id: fake.issueTriggerId(), view: sample }),
      });
      const body: unknown = await res.json();
      const viewId = String(asRecord(asRecord(body)?.view)?.id);
      const stored = fake.view(viewId);
      if (!stored) throw new Error('view not stored');
      const blocks = (asArray(stored.view.blocks) ?? []).flatMap((b) => (isRecord(b) ? [b] : []));
      const inputs = blocks.filter((b) => b.type === 'input');
      const idOf = (i: number) => String(inputs[i]?.block_id);
      const actionOf = (i: number) => String(asRecord(inputs[i]?.element)?.action_id);
      const checkboxValues = (asArray(asRecord(inputs[5]?.element)?.options) ?? []).map((o) =>
        String(asRecord(o)?.value),
      );
      const payload = fillAndSubmit(stored, {
        [idOf(0)]: { [actionOf(0)]: 'one line' },
        [idOf(1)]: { [actionOf(1)]: 'many\nlines' },
        [idOf(3)]: { [actionOf(3)]: 'value-1' },
        [idOf(4)]: { [actionOf(4)]: ['U0ALICE001', 'U0BOB00001'] },
        [idOf(5)]: { [actionOf(5)]: checkboxValues.slice(0, 2) },
      });
      const values = payload.view.state.values;
      expect(Object.keys(values)).toHaveLength(inputs.length);
      expect(values[idOf(2)]?.[actionOf(2)]).toEqual({
        type: 'datepicker',
        selected_date: '1990-04-28',
      });
      expect(values[idOf(4)]?.[actionOf(4)]).toEqual({
        type: 'multi_users_select',
        selected_users: ['U0ALICE001', 'U0BOB00001'],
      });
      expect(payload.view.id).toBe(viewId);
    } finally {
      await fake.close();
    }
  });

  it('builds view_closed', () => {
    const closed = buildViewClosed(reviewModal, { isCleared: true });
    expect(closed).toMatchObject({
      type: 'view_closed',
      is_cleared: true,
      view: { id: 'V0REVIEW01' },
    });
  });
});

describe('clickButton', () => {
  const message = {
    type: 'message' as const,
    channel: 'C0TESTCHAN',
    ts: '1700000000.000100',
    text: 'Review ready',
    blocks: [
      {
        type: 'actions',
        block_id: 'review_actions',
        elements: [
          {
            type: 'button',
            action_id: 'approve',
            text: plain('Approve'),
            value: 'r-1',
            style: 'primary',
          },
        ],
      },
    ],
  };

  it('builds block_actions for a message button', () => {
    const payload = clickButton(message, 'approve', {
      responseUrl: 'http://127.0.0.1:1/response/x',
      triggerId: 't.1.2',
    });
    expect(payload).toMatchObject({
      type: 'block_actions',
      trigger_id: 't.1.2',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: 'C0TESTCHAN',
        is_ephemeral: false,
      },
      channel: { id: 'C0TESTCHAN' },
      message: { ts: message.ts, text: 'Review ready' },
      response_url: 'http://127.0.0.1:1/response/x',
      actions: [
        {
          action_id: 'approve',
          block_id: 'review_actions',
          value: 'r-1',
          type: 'button',
          style: 'primary',
        },
      ],
    });
  });

  it('builds block_actions for a modal button with the current state', () => {
    const payload = clickButton(reviewModal, 'help', { values: { title: { v: 'draft' } } });
    expect(payload.container).toEqual({ type: 'view', view_id: 'V0REVIEW01' });
    expect(payload.response_url).toBeUndefined();
    expect(payload.view?.id).toBe('V0REVIEW01');
    expect(payload.state.values.title).toEqual({ v: { type: 'plain_text_input', value: 'draft' } });
  });

  it('refuses elements that are not buttons and unknown action ids', () => {
    expect(() => clickButton(reviewModal, 'mode')).toThrow(/is a static_select, not a button/);
    expect(() => clickButton(message, 'reject')).toThrow(
      /no button with action_id "reject" \(buttons: approve\)/,
    );
  });
});

describe('chooseOption', () => {
  const message = {
    channel: 'C0TESTCHAN',
    ts: '1700000000.000100',
    blocks: [
      {
        type: 'section',
        block_id: 'row_1',
        text: { type: 'mrkdwn', text: 'Row' },
        accessory: {
          type: 'overflow',
          action_id: 'menu',
          options: [opt('Open', 'open:1'), opt('Share', 'share:1')],
        },
      },
    ],
  };

  it('reports the chosen option as offered, text and all', () => {
    const inView = chooseOption(reviewModal, 'extra', 'mode', 'careful');
    expect(inView.container).toEqual({ type: 'view', view_id: 'V0REVIEW01' });
    expect(inView.actions).toEqual([
      {
        type: 'static_select',
        action_id: 'mode',
        block_id: 'extra',
        selected_option: opt('Careful', 'careful'),
        action_ts: expect.any(String),
      },
    ]);
    const inMessage = chooseOption(message, 'row_1', 'menu', 'share:1');
    expect(inMessage.container).toMatchObject({ type: 'message', channel_id: 'C0TESTCHAN' });
    expect(inMessage.actions[0]).toMatchObject({
      type: 'overflow',
      selected_option: opt('Share', 'share:1'),
    });
  });

  it('refuses what the block does not offer, saying what it does', () => {
    expect(() => chooseOption(message, 'row_1', 'menu', 'edit:1')).toThrow(
      'the overflow "menu" in block "row_1" offers no option "edit:1" (it offers: "open:1", "share:1")',
    );
    expect(() => chooseOption(message, 'row_2', 'menu', 'open:1')).toThrow(
      'no block with block_id "row_2" (blocks: "row_1")',
    );
    expect(() => chooseOption(reviewModal, 'extra', 'help', 'help')).toThrow(
      '"help" in block "extra" is a button',
    );
  });

  it('forgedBlockAction sends the action as given', () => {
    const action = { type: 'overflow', action_id: 'menu', block_id: 'gone', value: 'x' };
    expect(forgedBlockAction(message, action).actions).toEqual([
      { ...action, action_ts: expect.any(String) },
    ]);
  });
});

describe('shortcuts and events', () => {
  it('builds message and global shortcuts', () => {
    const shortcut = buildMessageShortcut({
      callbackId: 'review_message',
      message: {
        ts: '1700000000.000200',
        thread_ts: '1700000000.000100',
        text: 'Should we fine-tune?',
        user: 'U0BOB00001',
      },
      channel: 'C0TESTCHAN',
      triggerId: 'trig',
    });
    expect(shortcut).toMatchObject({
      type: 'message_action',
      callback_id: 'review_message',
      trigger_id: 'trig',
      message_ts: '1700000000.000200',
      channel: { id: 'C0TESTCHAN' },
      message: { ts: '1700000000.000200', thread_ts: '1700000000.000100', user: 'U0BOB00001' },
    });
    expect(buildGlobalShortcut({ callbackId: 'new_review' })).toMatchObject({
      type: 'shortcut',
      callback_id: 'new_review',
    });
  });

  it('wraps events in event_callback envelopes', () => {
    const envelope = buildEventCallback(appHomeOpenedEvent({ user: 'U0ALICE001' }));
    expect(envelope).toMatchObject({
      type: 'event_callback',
      team_id: 'T0FAKETEAM',
      api_app_id: 'A0FAKEAPP1',
      event: { type: 'app_home_opened', user: 'U0ALICE001', tab: 'home' },
      authorizations: [{ user_id: 'U0FAKEBOT1', is_bot: true }],
    });
    expect(String(envelope.event_id)).toMatch(/^Ev/);
    expect(appMentionEvent({ text: '<@U0FAKEBOT1> help', threadTs: '1.2' })).toMatchObject({
      type: 'app_mention',
      thread_ts: '1.2',
    });
    expect(tokensRevokedEvent()).toMatchObject({
      type: 'tokens_revoked',
      tokens: { bot: ['U0FAKEBOT1'] },
    });
  });
});

describe('SlackClientForTests', () => {
  const secret = 'test-signing-secret';
  let server: http.Server;
  let baseUrl = '';
  const received: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    // Stands in for the app: verifies with Bolt's own verifier and echoes what it parsed.
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ path: req.url ?? '', headers: req.headers, body });
        try {
          verifySlackRequest({
            signingSecret: secret,
            body,
            headers: {
              'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
              'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
            },
          });
        } catch (e) {
          res.writeHead(401, { 'content-type': 'text/plain' });
          res.end(e instanceof Error ? e.message : 'invalid');
          return;
        }
        const isJson = (req.headers['content-type'] ?? '').includes('application/json');
        const parsed = isJson ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: parsed }));
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts correctly signed requests to /slack/events', async () => {
    const slack = new SlackClientForTests({ baseUrl: `${baseUrl}/`, signingSecret: secret });
    const cmd = await slack.slashCommand({ command: '/ftrag', text: 'hello' });
    expect(cmd.status).toBe(200);
    expect(cmd.json).toMatchObject({ echoed: { command: '/ftrag', text: 'hello' } });
    expect(received.at(-1)?.path).toBe('/slack/events');

    const payload = fillAndSubmit(reviewModal, fullValues);
    const submitted = await slack.interactive(payload);
    const echoed = asRecord(asRecord(submitted.json)?.echoed);
    expect(JSON.parse(String(echoed?.payload))).toEqual(payload);

    const event = await slack.event(appMentionEvent({ text: 'hi' }), {
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    expect(event.json).toMatchObject({
      echoed: { type: 'event_callback', event: { type: 'app_mention' } },
    });
    expect(received.at(-1)?.headers['x-slack-retry-num']).toBe('1');

    const challenge = await slack.urlVerification('abc');
    expect(challenge.json).toMatchObject({
      echoed: { type: 'url_verification', challenge: 'abc' },
    });
  });

  it('can forge, age or drop the signature', async () => {
    const slack = new SlackClientForTests({ baseUrl, signingSecret: secret });
    const forged = await slack.slashCommand({ command: '/ftrag' }, { forge: true });
    expect([forged.status, forged.bodyText]).toEqual([
      401,
      expect.stringMatching(/signature mismatch/),
    ]);
    const stale = await slack.slashCommand({ command: '/ftrag' }, { stale: true });
    expect([stale.status, stale.bodyText]).toEqual([401, expect.stringMatching(/stale/)]);
    const unsigned = await slack.slashCommand({ command: '/ftrag' }, { omitSignature: true });
    expect(unsigned.status).toBe(401);
  });
});
