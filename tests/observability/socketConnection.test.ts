/**
 * What ftrag reports about its Socket Mode connection, driven by the lifecycle events Bolt's
 * Socket Mode client emits.
 */
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
});
