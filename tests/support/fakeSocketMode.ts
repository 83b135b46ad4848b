/**
 * Slack's Socket Mode, faked beside the fake Web API: `apps.connections.open` (called with the
 * app-level token) hands out a WebSocket URL on the fake's own port; the app connects, gets
 * Slack's `hello`, and then receives envelopes, each of which it must acknowledge with the same
 * `envelope_id` (and, for slash commands and interactions, the ack's payload).
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { isRecord, type JsonObject } from './json.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketAck {
  envelopeId: string;
  /** What the app answered with (ack(…)'s argument), if anything. */
  payload: JsonObject | undefined;
}

interface WaitingAck {
  socket: WebSocket;
  resolve: (ack: SocketAck) => void;
  reject: (error: Error) => void;
}

const PATH = '/socket-mode';
const ACK_TIMEOUT_MS = 5_000;

export class FakeSocketMode {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private socket: WebSocket | null = null;
  private readonly waitingAcks = new Map<string, WaitingAck>();
  private readonly connectedWaiters: { count: number; resolve: () => void }[] = [];
  /** How many times the app asked for a connection URL. */
  opened = 0;
  /** How many connections the app has made (and been greeted on). */
  connections = 0;
  /** Where handed-out URLs point instead of this fake (see {@link handOutUrlsTo}). */
  private urlOrigin: string | null = null;
  /** Whether upgrades are answered 401 even with a valid ticket (see {@link refuseConnections}). */
  private refusing = false;
  /** Connection attempts left unanswered while {@link holdConnections} is on. */
  private held: { socket: Duplex; accept: () => void }[] | null = null;
  private heldArrived: (() => void) | null = null;

  constructor(
    private readonly baseUrl: () => string,
    readonly appId: string,
  ) {}

  /** The Web API answer to apps.connections.open: a fresh single-use URL. */
  connectionsOpen(): JsonObject {
    this.opened += 1;
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const origin = this.urlOrigin ?? this.baseUrl().replace(/^http/, 'ws');
    return { ok: true, url: `${origin}${PATH}?ticket=${ticket}` };
  }

  /**
   * From now on apps.connections.open hands out URLs on `origin` (`ws://host:port`) instead of this
   * fake's: a Socket Mode host the app can't reach, say a closed port. `null` restores the fake's.
   */
  handOutUrlsTo(origin: string | null): void {
    this.urlOrigin = origin;
  }

  /** From now on the WebSocket handshake is answered 401, as Slack answers a stale ticket. */
  refuseConnections(): void {
    this.refusing = true;
  }

  /** The HTTP server's `upgrade` handler; answers false for a request that isn't Socket Mode's. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== PATH) return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket) || this.refusing) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return true;
    }
    const accept = () => {
      if (socket.destroyed) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    };
    if (this.held) {
      this.held.push({ socket, accept });
      this.heldArrived?.();
    } else {
      accept();
    }
    return true;
  }

  /**
   * Leaves the app's connection attempts unanswered (as a firewall that drops WebSocket traffic
   * would) until `release()`, which completes the ones still waiting and lets later ones through.
   * `arrived` resolves once the app is waiting on one.
   */
  holdConnections(): { arrived: Promise<void>; release: () => void } {
    this.held = [];
    const arrived = new Promise<void>((resolve) => {
      this.heldArrived = resolve;
    });
    return {
      arrived,
      release: () => {
        const waiting = this.held ?? [];
        this.held = null;
        this.heldArrived = null;
        for (const attempt of waiting) attempt.accept();
      },
    };
  }

  private accept(ws: WebSocket): void {
    this.socket = ws;
    this.connections += 1;
    ws.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (!isRecord(message) || typeof message.envelope_id !== 'string') return;
      const waiting = this.waitingAcks.get(message.envelope_id);
      if (!waiting) return;
      this.waitingAcks.delete(message.envelope_id);
      waiting.resolve({
        envelopeId: message.envelope_id,
        payload: isRecord(message.payload) ? message.payload : undefined,
      });
    });
    ws.on('close', () => {
      if (this.socket === ws) this.socket = null;
      // An ack can only come over the connection its envelope came on.
      for (const [envelopeId, waiting] of this.waitingAcks) {
        if (waiting.socket !== ws) continue;
        this.waitingAcks.delete(envelopeId);
        waiting.reject(new Error('the connection closed before the ack'));
      }
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake-socket-mode', approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    for (const waiter of [...this.connectedWaiters]) {
      if (this.connections < waiter.count) continue;
      this.connectedWaiters.splice(this.connectedWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Whether the app has a connection open. */
  get isConnected(): boolean {
    return this.socket !== null;
  }

  /** Resolves once the app is connected and has been greeted. */
  connected(): Promise<void> {
    return this.connectedAtLeast(1);
  }

  /** Resolves once the app has made its `count`th connection (and is connected). */
  connectedAtLeast(count: number): Promise<void> {
    if (this.socket && this.connections >= count) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push({ count, resolve }));
  }

  /**
   * Slack's `disconnect` message: this connection is about to be closed (Slack refreshes them
   * every few hours), so the app should open a new one.
   */
  askToReconnect(reason: 'refresh_requested' | 'warning' = 'refresh_requested'): void {
    this.socket?.send(
      JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-socket-mode' } }),
    );
  }

  /** Ends the connection without a word, as a network failure would. */
  dropConnection(): void {
    this.socket?.terminate();
    this.socket = null;
  }

  /**
   * Sends one envelope and resolves with the app's ack; rejects after 5 s without one, or when the
   * connection closes first.
   */
  send(type: EnvelopeType, payload: object): Promise<SocketAck> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('no Socket Mode connection'));
    const envelopeId = randomUUID();
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waitingAcks.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope within ${ACK_TIMEOUT_MS} ms`));
      }, ACK_TIMEOUT_MS);
      this.waitingAcks.set(envelopeId, {
        socket,
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: 0,
          retry_reason: '',
        }),
      );
    });
  }

  close(): void {
    for (const attempt of this.held ?? []) attempt.socket.destroy();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
