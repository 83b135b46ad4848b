import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type AppLogger, scrubSecrets } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * Lifecycle events of Bolt's Socket Mode client (documented in @slack/socket-mode's README);
 * `close`, the client's own signal that its WebSocket closed; and `error`, its WebSocket failing
 * (a connection attempt, or an open connection closing without a close frame).
 */
type ConnectionEvent = 'connected' | 'reconnecting' | 'disconnecting' | 'close' | 'error';

export interface SocketConnection {
  on(event: ConnectionEvent, listener: () => void): unknown;
  /** apps.connections.open's answer, just before the client connects to its `url`. */
  on(event: 'authenticated', listener: (answer: { url?: string }) => void): unknown;
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
 * error" (app.ts turns those down to debug). A failed connection attempt is a warning that says
 * why, each reconnection (or retry of a first connection) is a warning, each new connection an
 * info line, and `ftrag_socket_mode_connected` shows the same on a dashboard. The state returned
 * is /healthz's: an instance without its connection gets nothing from Slack to serve.
 */
export function reportSocketConnection(
  connection: SocketConnection,
  log: AppLogger,
  metrics: Metrics | null,
): SocketConnectionState {
  const connectionMetrics = metrics?.socketModeMetrics();
  const handshake = new HandshakeWatch();
  let connections = 0;
  let connected = false;
  let stopping = false;
  const set = (now: boolean): void => {
    connected = now;
    connectionMetrics?.connected.set(now ? 1 : 0);
  };
  set(false);
  connection.on('authenticated', (answer) => {
    handshake.watch(answer.url);
  });
  connection.on('connected', () => {
    connections += 1;
    set(true);
    log.info(
      { connections },
      connections === 1 ? 'Socket Mode connected' : 'Socket Mode reconnected',
    );
  });
  connection.on('error', () => {
    // Closing a connection still being made fails it: the stop's doing, not a failure.
    if (stopping) return;
    if (connected) {
      log.warn('Socket Mode connection lost: it closed without a close frame from Slack');
      return;
    }
    const { text, ...fields } = handshake.cause ?? { text: 'no cause given' };
    log.warn(fields, `Socket Mode connection attempt failed: ${text}`);
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
    stopping = true;
    handshake.close();
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

interface HandshakeFailure {
  /** Says what failed, e.g. `connect ECONNREFUSED 10.0.0.1:443`; never the URL's ticket. */
  text: string;
  /** The system or library error code, e.g. `ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`. */
  code?: string;
  /** The HTTP status the handshake was answered with instead of 101. */
  status?: number;
}

const REQUEST_ERROR = 'undici:request:error';
const REQUEST_HEADERS = 'undici:request:headers';

/**
 * Why the WebSocket handshake to the URL Slack handed out failed. The client's WebSocket (undici's)
 * fires its error event with an empty message, having dropped the cause; undici's diagnostics
 * channels (its documented way to observe requests) still see it: the connection's error (refused,
 * DNS, TLS, timeout) or the HTTP status answered instead of 101. Only the handshake request to
 * that URL is looked at; the URL carries a single-use ticket and is never logged.
 */
class HandshakeWatch {
  private target: URL | null = null;
  private subscribed = false;
  /** Closed by a stop, for good: the client may still report an attempt it had under way. */
  private closed = false;
  /** The current attempt's first failure seen, if any. */
  cause: HandshakeFailure | null = null;

  private readonly onError = (message: unknown): void => {
    if (this.cause || !this.isTarget(message)) return;
    const error: unknown = Reflect.get(Object(message), 'error');
    if (!(error instanceof Error)) return;
    const code: unknown = Reflect.get(error, 'code');
    this.cause = {
      text: this.withoutTicket(error.message.trim() || error.name),
      ...(typeof code === 'string' ? { code } : {}),
    };
  };

  private readonly onHeaders = (message: unknown): void => {
    if (this.cause || !this.isTarget(message)) return;
    const status: unknown = Reflect.get(
      Object(Reflect.get(Object(message), 'response')),
      'statusCode',
    );
    if (typeof status !== 'number' || status === 101) return;
    this.cause = { text: `the WebSocket handshake was answered HTTP ${status}`, status };
  };

  /** A new attempt, to `url`: forgets the last attempt's cause. */
  watch(url: string | undefined): void {
    if (this.closed) return;
    this.cause = null;
    try {
      this.target = url ? new URL(url) : null;
    } catch {
      this.target = null;
    }
    if (this.subscribed) return;
    this.subscribed = true;
    subscribe(REQUEST_ERROR, this.onError);
    subscribe(REQUEST_HEADERS, this.onHeaders);
  }

  close(): void {
    this.closed = true;
    this.target = null;
    if (!this.subscribed) return;
    this.subscribed = false;
    unsubscribe(REQUEST_ERROR, this.onError);
    unsubscribe(REQUEST_HEADERS, this.onHeaders);
  }

  /** Whether a channel message is about the handshake request to the target URL. */
  private isTarget(message: unknown): boolean {
    const target = this.target;
    if (!target) return false;
    const request: unknown = Reflect.get(Object(message), 'request');
    const origin: unknown = Reflect.get(Object(request), 'origin');
    const path: unknown = Reflect.get(Object(request), 'path');
    if (typeof path !== 'string' || path !== target.pathname + target.search) return false;
    try {
      // undici requests a ws(s):// URL as http(s)://, on the same host and port.
      return new URL(String(origin)).host === target.host;
    } catch {
      return false;
    }
  }

  private withoutTicket(text: string): string {
    const search = this.target?.search;
    return scrubSecrets(search ? text.replaceAll(search, '') : text);
  }
}
