import type { Context } from '@slack/bolt';
import { type FetchFunction, WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { DeliveryClients } from '../../src/delivery/deliveryClients.js';

const API_URL = 'https://slack.test/api/';

/** A `fetch` that answers every call ok and keeps what was asked of it. */
function recordingFetch() {
  const calls: { url: string; body: string; authorization: string | null }[] = [];
  const fetch: FetchFunction = async (url, init) => {
    calls.push({
      url: String(url),
      body: String(init?.body ?? ''),
      authorization: new Headers(init?.headers).get('authorization'),
    });
    return new Response(JSON.stringify({ ok: true }), {
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetch };
}

describe('DeliveryClients', () => {
  it('keeps one client per token and team, made with the options given', async () => {
    const { calls, fetch } = recordingFetch();
    const clients = new DeliveryClients({ slackApiUrl: API_URL, fetch });
    const first = clients.for('xoxb-one', 'T1');
    expect(clients.for('xoxb-one', 'T1')).toBe(first);
    expect(clients.for('xoxb-two', 'T2')).not.toBe(first);
    // An org-wide token acts for each of its workspaces with that workspace's team id.
    expect(clients.for('xoxb-one', 'T3')).not.toBe(first);

    await first.auth.test();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe(`${API_URL}auth.test`);
    expect(calls[0]?.authorization).toBe('Bearer xoxb-one');
    expect(new URLSearchParams(calls[0]?.body).get('team_id')).toBe('T1');
  });

  it('keeps at most `max` clients, letting go of the least recently used', () => {
    const clients = new DeliveryClients({ slackApiUrl: API_URL }, 2);
    const one = clients.for('xoxb-one', 'T1');
    const two = clients.for('xoxb-two', 'T2');
    expect(clients.for('xoxb-one', 'T1')).toBe(one);
    clients.for('xoxb-three', 'T3');
    expect(clients.for('xoxb-one', 'T1')).toBe(one);
    expect(clients.for('xoxb-two', 'T2')).not.toBe(two);
  });

  it("gives a listener the client for its context's bot token, or Bolt's own without one", () => {
    const clients = new DeliveryClients({ slackApiUrl: API_URL });
    const bolts = new WebClient('xoxb-one', { slackApiUrl: API_URL });
    const context: Context = { isEnterpriseInstall: false, botToken: 'xoxb-one', teamId: 'T1' };
    const delivery = clients.of({ context, client: bolts });
    expect(delivery).not.toBe(bolts);
    expect(delivery).toBe(clients.for('xoxb-one', 'T1'));
    expect(clients.of({ context: { isEnterpriseInstall: false }, client: bolts })).toBe(bolts);
  });
});
