/**
 * What ftrag reports about its Socket Mode connection, driven by the lifecycle events Bolt's
 * Socket Mode client emits.
 */
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { reportSocketConnection } from '../../src/observability/socketConnection.js';
import { capturedLog } from '../support/capturedLog.js';

async function metricValue(metrics: Metrics, name: string): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value;
}

function reporting() {
  const { log, lines } = capturedLog();
  const metrics = new Metrics();
  const client = new EventEmitter();
  const state = reportSocketConnection(client, log, metrics);
  const said = () => lines.map((line) => `${line.level} ${line.msg}`);
  return { client, metrics, said, state };
}

describe('reportSocketConnection', () => {
  it('reports connecting, losing and regaining the connection', async () => {
    const { client, metrics, said } = reporting();
    expect(await metricValue(metrics, 'ftrag_socket_mode_connected')).toBe(0);

    client.emit('connected');
    expect(await metricValue(metrics, 'ftrag_socket_mode_connected')).toBe(1);

    client.emit('reconnecting');
    expect(await metricValue(metrics, 'ftrag_socket_mode_connected')).toBe(0);
    expect(await metricValue(metrics, 'ftrag_socket_mode_reconnects_total')).toBe(1);

    client.emit('connected');
    expect(await metricValue(metrics, 'ftrag_socket_mode_connected')).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(said()).toEqual([
      'info Socket Mode connected',
      'warn Socket Mode connection closed (refreshed by Slack, or lost); reconnecting',
      'info Socket Mode reconnected',
    ]);
  });

  it('treats a stop as a stop, not as a lost connection', async () => {
    const { client, metrics, said } = reporting();
    client.emit('connected');
    client.emit('disconnecting');
    // The client's error for the connection the stop closed.
    client.emit('error', new Error(''));
    client.emit('disconnected');
    expect(await metricValue(metrics, 'ftrag_socket_mode_connected')).toBe(0);
    expect(await metricValue(metrics, 'ftrag_socket_mode_reconnects_total')).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(said()).toEqual(['info Socket Mode connected']);
  });

  it('keeps whether the socket is connected, for /healthz', () => {
    const { client, state } = reporting();
    expect(state.connected).toBe(false);
    client.emit('connected');
    expect(state.connected).toBe(true);
    client.emit('reconnecting');
    expect(state.connected).toBe(false);
    client.emit('connected');
    client.emit('disconnecting');
    expect(state.connected).toBe(false);
  });

  it('counts the socket as down from the moment it closes, before the client tries again', async () => {
    const { client, metrics, said, state } = reporting();
    client.emit('connected');
    client.emit('close');
    expect(state.connected).toBe(false);
    expect(await metricValue(metrics, 'ftrag_socket_mode_connected')).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    // The warning comes with the reconnection, as before.
    expect(said()).toEqual(['info Socket Mode connected']);
  });

  it('ignores the close of an old socket while a newer one is open', () => {
    const { client, state } = reporting();
    const withSocket = Object.assign(client, { websocket: { isActive: () => true } });
    withSocket.emit('connected');
    withSocket.emit('close');
    expect(state.connected).toBe(true);
  });

  it('says so when the first connection is still being tried, rather than that one closed', async () => {
    const { client, metrics, said, state } = reporting();
    client.emit('reconnecting');
    client.emit('reconnecting');
    expect(state.connected).toBe(false);
    expect(await metricValue(metrics, 'ftrag_socket_mode_connected')).toBe(0);
    client.emit('connected');
    await new Promise((resolve) => setImmediate(resolve));
    expect(said()).toEqual([
      'warn Socket Mode has not connected yet; trying again (are outgoing WebSocket (wss://) connections to Slack allowed?)',
      'warn Socket Mode has not connected yet; trying again (are outgoing WebSocket (wss://) connections to Slack allowed?)',
      'info Socket Mode connected',
    ]);
  });

  describe('a WebSocket that fails', () => {
    // What undici publishes about its requests; the client's own error event carries no cause.
    const requestError = channel('undici:request:error');
    const requestHeaders = channel('undici:request:headers');
    const URL_HANDED_OUT = 'wss://wss-primary.example/link/?ticket=single-use-secret&app_id=A1';
    const handshake = {
      origin: 'https://wss-primary.example',
      path: '/link/?ticket=single-use-secret&app_id=A1',
    };

    function refused(): Error {
      return Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), {
        code: 'ECONNREFUSED',
      });
    }

    it('says why an attempt failed, from the handshake to the URL Slack handed out, once', async () => {
      const { client, said } = reporting();
      client.emit('authenticated', { ok: true, url: URL_HANDED_OUT });
      // Another request (a response_url, say) failing meanwhile is not the socket's cause.
      requestError.publish({
        request: { origin: 'https://hooks.example', path: '/commands/1' },
        error: new Error('socket hang up'),
      });
      requestError.publish({ request: handshake, error: refused() });
      client.emit('error', new Error(''));
      client.emit('close');
      client.emit('reconnecting');
      client.emit('authenticated', { ok: true, url: URL_HANDED_OUT.replace('secret', 'other') });
      client.emit('error', new Error(''));
      client.emit('disconnecting');
      await new Promise((resolve) => setImmediate(resolve));
      expect(said()).toEqual([
        'warn Socket Mode connection attempt failed: connect ECONNREFUSED 10.0.0.7:443',
        'warn Socket Mode has not connected yet; trying again (are outgoing WebSocket (wss://) connections to Slack allowed?)',
        // A new attempt starts with no cause of its own.
        'warn Socket Mode connection attempt failed: no cause given',
      ]);
    });

    it('gives the code, or the status the handshake was answered with, as fields', async () => {
      const { log, lines } = capturedLog();
      const client = new EventEmitter();
      reportSocketConnection(client, log, null);
      client.emit('authenticated', { ok: true, url: URL_HANDED_OUT });
      requestError.publish({ request: handshake, error: refused() });
      client.emit('error', new Error(''));
      client.emit('authenticated', { ok: true, url: URL_HANDED_OUT });
      requestHeaders.publish({ request: handshake, response: { statusCode: 401 } });
      requestError.publish({ request: handshake, error: new Error('The operation was aborted.') });
      client.emit('error', new Error(''));
      client.emit('disconnecting');
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).toEqual([
        expect.objectContaining({ level: 'warn', code: 'ECONNREFUSED' }),
        expect.objectContaining({
          level: 'warn',
          status: 401,
          msg: 'Socket Mode connection attempt failed: the WebSocket handshake was answered HTTP 401',
        }),
      ]);
      expect(JSON.stringify(lines)).not.toContain('single-use-secret');
    });

    it('watches nothing once stopped, even an attempt the client reports after the stop', () => {
      const { client } = reporting();
      client.emit('disconnecting');
      // The client can still say it authenticated, when the stop came during apps.connections.open.
      client.emit('authenticated', { ok: true, url: URL_HANDED_OUT });
      expect(requestError.hasSubscribers).toBe(false);
      expect(requestHeaders.hasSubscribers).toBe(false);
    });

    it('never logs the ticket, even when an error message quotes the URL', async () => {
      const { client, said } = reporting();
      client.emit('authenticated', { ok: true, url: URL_HANDED_OUT });
      requestError.publish({
        request: handshake,
        error: new Error(`bad response from https://wss-primary.example${handshake.path}`),
      });
      client.emit('error', new Error(''));
      client.emit('disconnecting');
      await new Promise((resolve) => setImmediate(resolve));
      expect(said().join('\n')).not.toContain('single-use-secret');
      expect(said()).toEqual([
        'warn Socket Mode connection attempt failed: bad response from https://wss-primary.example/link/',
      ]);
    });

    it('says so when an open connection is lost', async () => {
      const { client, said } = reporting();
      client.emit('connected');
      client.emit('error', new Error(''));
      client.emit('close');
      await new Promise((resolve) => setImmediate(resolve));
      expect(said()).toEqual([
        'info Socket Mode connected',
        'warn Socket Mode connection lost: it closed without a close frame from Slack',
      ]);
    });
  });
});
