import type { AppLogger } from './logger.js';
import type { Metrics } from './metrics.js';

/** Lifecycle events of Bolt's Socket Mode client (documented in @slack/socket-mode's README). */
type ConnectionEvent = 'connected' | 'reconnecting' | 'disconnecting';

export interface SocketConnection {
  on(event: ConnectionEvent, listener: () => void): unknown;
}

/**
 * Says what the Socket Mode connection is doing. Bolt's client reconnects on its own when Slack
 * refreshes a connection or the network drops it, but itself logs at most a bare "WebSocket
 * error". Each reconnection is a warning, each new connection an info line, and
 * `ftrag_socket_mode_connected` shows the same on a dashboard.
 */
export function reportSocketConnection(
  connection: SocketConnection,
  log: AppLogger,
  metrics: Metrics | null,
): void {
  const connectionMetrics = metrics?.socketModeMetrics();
  let connections = 0;
  connectionMetrics?.connected.set(0);
  connection.on('connected', () => {
    connections += 1;
    connectionMetrics?.connected.set(1);
    log.info(
      { connections },
      connections === 1 ? 'Socket Mode connected' : 'Socket Mode reconnected',
    );
  });
  connection.on('reconnecting', () => {
    connectionMetrics?.connected.set(0);
    connectionMetrics?.reconnects.inc();
    log.warn('Socket Mode connection closed (refreshed by Slack, or lost); reconnecting');
  });
  connection.on('disconnecting', () => {
    connectionMetrics?.connected.set(0);
  });
}
