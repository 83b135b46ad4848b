import type { AppLogger } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * Lifecycle events of Bolt's Socket Mode client (documented in @slack/socket-mode's README), and
 * `close`, the client's own signal that its WebSocket closed.
 */
type ConnectionEvent = 'connected' | 'reconnecting' | 'disconnecting' | 'close';

export interface SocketConnection {
  on(event: ConnectionEvent, listener: () => void): unknown;
  /** The client's current WebSocket. */
  readonly websocket?: { isActive(): boolean } | undefined;
}

export interface SocketConnectionState {
  /**
   * Whether the WebSocket to Slack is open: false until the first connection and while
   * reconnecting.
   */
  readonly connected: boolean;
}

/**
 * Says what the Socket Mode connection is doing. Bolt's client reconnects on its own when Slack
 * refreshes a connection or the network drops it, but itself logs at most a bare "WebSocket
 * error". Each reconnection (or retry of a first connection) is a warning, each new connection an
 * info line, and `ftrag_socket_mode_connected` shows the same on a dashboard. The state returned
 * is /healthz's: an instance without its connection gets nothing from Slack to serve.
 */
export function reportSocketConnection(
  connection: SocketConnection,
  log: AppLogger,
  metrics: Metrics | null,
): SocketConnectionState {
  const connectionMetrics = metrics?.socketModeMetrics();
  let connections = 0;
  let connected = false;
  const set = (now: boolean): void => {
    connected = now;
    connectionMetrics?.connected.set(now ? 1 : 0);
  };
  set(false);
  connection.on('connected', () => {
    connections += 1;
    set(true);
    log.info(
      { connections },
      connections === 1 ? 'Socket Mode connected' : 'Socket Mode reconnected',
    );
  });
  connection.on('reconnecting', () => {
    set(false);
    connectionMetrics?.reconnects.inc();
    log.warn(
      connections === 0
        ? 'Socket Mode has not connected yet; trying again (are outgoing WebSocket (wss://) connections to Slack allowed?)'
        : 'Socket Mode connection closed (refreshed by Slack, or lost); reconnecting',
    );
  });
  connection.on('disconnecting', () => {
    set(false);
  });
  // 'reconnecting' comes only when the client tries again, some 5 s after the socket closed; the
  // client itself ignores a close while a newer socket is open.
  connection.on('close', () => {
    if (!connection.websocket?.isActive()) set(false);
  });
  return {
    get connected() {
      return connected;
    },
  };
}
