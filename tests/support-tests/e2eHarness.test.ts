import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/constants.js';
import { E2e, SIGNING_SECRET } from '../e2e/harness.js';
import type { StoredMessage, StoredView } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import { SlackClientForTests } from '../support/slackRequests.js';

const plain = (text: string) => ({ type: 'plain_text', text });

/** A Home as Slack stores it: R1's menu offers Open and Share, not Edit answers. */
const home: StoredView = {
  id: 'V0HOME0001',
  type: 'home',
  userId: 'U0ASKER001',
  hash: '1700000000.home0001',
  rootViewId: 'V0HOME0001',
  previousViewId: null,
  externalId: undefined,
  open: true,
  revision: 1,
  view: {
    id: 'V0HOME0001',
    hash: '1700000000.home0001',
    type: 'home',
    blocks: [
      {
        type: 'section',
        block_id: 'start',
        text: { type: 'mrkdwn', text: 'ftrag' },
        accessory: { type: 'button', action_id: ActionId.startReview, text: plain('Start') },
      },
      {
        type: 'section',
        block_id: 'mine_R1',
        text: { type: 'mrkdwn', text: '*First review*' },
        accessory: {
          type: 'overflow',
          action_id: ActionId.reviewMenu,
          options: [
            { text: plain('Open'), value: 'open:R1' },
            { text: plain('Share'), value: 'share:R1' },
          ],
        },
      },
      {
        type: 'actions',
        block_id: 'mine_paging',
        elements: [{ type: 'button', action_id: 'older', text: plain('Older →'), value: '1' }],
      },
    ],
  },
};

const message: StoredMessage = {
  type: 'message',
  channel: 'C0REVIEWS1',
  ts: '1700000000.000100',
  text: 'Verdict',
  blocks: [
    {
      type: 'actions',
      block_id: 'verdict_actions',
      elements: [{ type: 'button', action_id: 'agree', text: plain('Agree'), value: 'R1' }],
    },
  ],
  args: {},
};

/** The fake Slack without the app: what the harness sends goes to `received`. */
let e2e: E2e;
const received: unknown[] = [];
const app = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => {
    body += chunk.toString();
  });
  request.on('end', () => {
    received.push(JSON.parse(new URLSearchParams(body).get('payload') ?? 'null'));
    response.end();
  });
});

beforeAll(async () => {
  e2e = await E2e.start({ instances: 0 });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const { port } = app.address() as AddressInfo;
  e2e.clients.push(
    new SlackClientForTests({ baseUrl: `http://127.0.0.1:${port}`, signingSecret: SIGNING_SECRET }),
  );
});

afterAll(async () => {
  await e2e.close();
  await new Promise((resolve) => app.close(resolve));
});

beforeEach(() => {
  received.length = 0;
});

function sentAction(): unknown {
  const [payload] = received;
  return isRecord(payload) && Array.isArray(payload.actions) ? payload.actions[0] : undefined;
}

describe('E2e.chooseOverflow', () => {
  it('sends an option the menu offers, with its text, as Slack does', async () => {
    await e2e.chooseOverflow(home, 'mine_R1', ActionId.reviewMenu, 'share:R1');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: 'V0HOME0001' },
    });
    expect(sentAction()).toMatchObject({
      type: 'overflow',
      block_id: 'mine_R1',
      action_id: ActionId.reviewMenu,
      selected_option: { text: plain('Share'), value: 'share:R1' },
    });
  });

  it('refuses, sending nothing, an option, menu or block the view does not offer', async () => {
    await expect(
      e2e.chooseOverflow(home, 'mine_R1', ActionId.reviewMenu, 'edit:R1'),
    ).rejects.toThrow(
      `the overflow "${ActionId.reviewMenu}" in block "mine_R1" offers no option "edit:R1" (it offers: "open:R1", "share:R1")`,
    );
    await expect(e2e.reviewMenuModal(home, 'R1', 'edit')).rejects.toThrow(
      /offers no option "edit:R1"/,
    );
    await expect(
      e2e.chooseOverflow(home, 'team_R1', ActionId.reviewMenu, 'open:R1'),
    ).rejects.toThrow(
      'no block with block_id "team_R1" (blocks: "start", "mine_R1", "mine_paging")',
    );
    await expect(e2e.chooseOverflow(home, 'mine_R1', 'other_menu', 'open:R1')).rejects.toThrow(
      `block "mine_R1" has no element with action_id "other_menu" (it has: overflow "${ActionId.reviewMenu}")`,
    );
    await expect(e2e.chooseOverflow(home, 'mine_paging', 'older', '1')).rejects.toThrow(
      '"older" in block "mine_paging" is a button, not one of overflow/static_select/radio_buttons',
    );
    expect(received).toEqual([]);
  });

  it('sends what the view does not offer only when told `unchecked`', async () => {
    await e2e.chooseOverflow(home, 'mine_R1', ActionId.reviewMenu, 'edit:R1', {
      unchecked: true,
    });
    expect(sentAction()).toMatchObject({
      type: 'overflow',
      block_id: 'mine_R1',
      selected_option: { value: 'edit:R1' },
    });
  });
});

describe('E2e.click', () => {
  it('refuses, sending nothing, a button the view or message does not have', async () => {
    await expect(e2e.click(home, 'newer')).rejects.toThrow(
      `no button with action_id "newer" (buttons: ${ActionId.startReview}, older)`,
    );
    await expect(e2e.click(home, 'older', { blockId: 'team_paging' })).rejects.toThrow(
      'no block with block_id "team_paging"',
    );
    await expect(e2e.click(message, 'challenge')).rejects.toThrow(
      'no button with action_id "challenge" (buttons: agree)',
    );
    expect(received).toEqual([]);
    await e2e.click(message, 'agree');
    expect(sentAction()).toMatchObject({ block_id: 'verdict_actions', value: 'R1' });
    expect(received[0]).toMatchObject({ response_url: expect.stringContaining('/response/') });
  });
});
