import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyMiddlewareArgs,
  type HTTPReceiver,
  isValidSlackRequest,
  type Middleware,
} from '@slack/bolt';
import { BackgroundWork } from '../work.js';
import type { AppLogger } from './logger.js';
import type { Metrics } from './metrics.js';
import { type RequestFacts, requestFacts } from './requestFacts.js';
import { parseBody, readBody } from './slackRequest.js';

export interface SlackEndpointOptions {
  signingSecret: string;
  /** The events path, `/slack/events`. */
  path: string;
  log: AppLogger;
  metrics: Metrics | null;
}

interface Tracked {
  started: number;
  facts: RequestFacts;
  /** Why the guard answered the request itself instead of passing it to Bolt. */
  refused?: string;
  /** An error from Bolt's middleware (Socket Mode); listener errors reach app.error. */
  failure?: string;
  ackMs?: number;
  status?: number;
  durationMs?: number;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

type RequestListener = HTTPReceiver['requestListener'];

/**
 * A thin guard in front of Bolt's HTTPReceiver on POST /slack/events. Bolt's receiver still
 * verifies every signature, parses and dispatches; the guard only:
 *
 * - reads the body once and hands it to Bolt as `rawBody`, which Bolt's receiver reuses, so the
 *   guard can see the payload's kind and ids for one log line and metrics per request;
 * - answers 400 itself, for correctly signed requests only, where Bolt 5.1 would fail badly: a body
 *   that is not an object (`null`, a number) makes its receiver throw outside its own error
 *   handling (an unhandled rejection that ends the process), and a payload type no listener can
 *   match would wait 3 s for Bolt's 404;
 * - answers 413 for an oversized body and 400 for an aborted one;
 * - tracks requests in flight for a graceful drain: once draining, answers carry
 *   `Connection: close` so keep-alive connections end with their last request.
 */
export class SlackEndpoint {
  /** Requests not yet answered. */
  readonly inFlight = new BackgroundWork();
  private draining = false;

  constructor(private readonly options: SlackEndpointOptions) {}

  /** Puts the guard in front of the receiver's events path; call once, before it starts. */
  install(receiver: HTTPReceiver): void {
    const bolt = receiver.requestListener;
    receiver.requestListener = (req, res) => {
      if (this.draining) res.setHeader('connection', 'close');
      if (req.method === 'POST' && pathOf(req.url) === this.options.path) {
        this.accept(req, res, bolt);
        return;
      }
      bolt(req, res);
    };
  }

  /** From now on, connections close after their current request. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  private accept(req: IncomingMessage, res: ServerResponse, bolt: RequestListener): void {
    const tracked: Tracked = { started: performance.now(), facts: { kind: 'invalid' } };
    const answered = new Promise<void>((resolve) => {
      res.once('close', () => {
        tracked.ackMs = performance.now() - tracked.started;
        tracked.status = res.writableFinished ? res.statusCode : 0;
        resolve();
      });
    });
    this.inFlight
      .run(async () => {
        await this.guard(req, res, tracked, bolt);
        await answered;
      })
      .catch(() => {
        if (!res.headersSent) answer(res, 500, 'internal error');
      })
      .finally(() => {
        tracked.durationMs = performance.now() - tracked.started;
        this.finish(tracked);
      });
  }

  private async guard(
    req: IncomingMessage,
    res: ServerResponse,
    tracked: Tracked,
    bolt: RequestListener,
  ): Promise<void> {
    const read = await readBody(req);
    if (!read.ok) {
      tracked.refused = read.reason === 'too-large' ? 'body too large' : 'request aborted';
      // An aborted or huge body may be left unread, so this connection can't carry another request.
      res.setHeader('connection', 'close');
      answer(res, read.reason === 'too-large' ? 413 : 400);
      return;
    }
    let body: unknown;
    try {
      body = parseBody(req.headers['content-type'], read.body);
    } catch {
      body = undefined;
    }
    tracked.facts = requestFacts(body);
    const unusable = !isObject(body) || tracked.facts.kind === 'other';
    if (unusable && this.isSignedBySlack(req.headers, read.body)) {
      tracked.refused = isObject(body) ? 'unknown payload type' : 'body is not an object';
      answer(res, 400, isObject(body) ? 'unsupported payload type' : 'malformed body');
      return;
    }
    // Bolt reuses a body that is already read (BufferedIncomingMessage) and checks it itself.
    bolt(Object.assign(req, { rawBody: read.body }), res);
  }

  private isSignedBySlack(headers: IncomingHttpHeaders, body: Buffer): boolean {
    const signature = headers['x-slack-signature'];
    const timestamp = headers['x-slack-request-timestamp'];
    if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
    return isValidSlackRequest({
      signingSecret: this.options.signingSecret,
      body: body.toString('utf8'),
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
    });
  }

  private finish(tracked: Tracked): void {
    // Bolt refused it as not from Slack: nothing the body claims (kind, team, user) is trusted.
    if (tracked.status === 401) tracked.facts = { kind: 'invalid' };
    reportRequest(this.options.log, this.options.metrics, tracked);
  }
}

/** The request's log line and metrics. */
function reportRequest(log: AppLogger, metrics: Metrics | null, tracked: Tracked): void {
  const kind = tracked.facts.kind;
  const durationMs = tracked.durationMs ?? tracked.ackMs ?? 0;
  const aborted = tracked.status === 0;
  if (metrics) {
    const status =
      tracked.status === undefined ? 'socket' : aborted ? 'aborted' : String(tracked.status);
    metrics.requests.inc({ kind, status });
    if (tracked.ackMs !== undefined) metrics.ackDuration.observe({ kind }, tracked.ackMs / 1000);
    metrics.handlingDuration.observe({ kind }, durationMs / 1000);
  }
  const fields = {
    ...tracked.facts,
    ...(tracked.status === undefined ? {} : { status: tracked.status }),
    ...(tracked.ackMs === undefined ? {} : { ackMs: round(tracked.ackMs) }),
    durationMs: round(durationMs),
    ...(tracked.refused ? { refused: tracked.refused } : {}),
    ...(tracked.failure ? { failure: tracked.failure } : {}),
  };
  if (tracked.status !== undefined && tracked.status >= 500)
    log.error(fields, 'slack request failed');
  else if (aborted) log.warn(fields, 'slack request aborted before its answer');
  else if (tracked.failure) log.warn(fields, 'slack request failed in middleware');
  else log.info(fields, 'slack request');
}

/**
 * Socket Mode has no HTTP request to time: a global middleware gives each request its log line and
 * metrics (handling time only; the ack travels over the socket).
 */
export function socketModeRequestLog(
  log: AppLogger,
  metrics: Metrics | null,
): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const tracked: Tracked = { started: performance.now(), facts: requestFacts(body) };
    try {
      await next();
    } catch (error) {
      tracked.failure = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      tracked.durationMs = performance.now() - tracked.started;
      reportRequest(log, metrics, tracked);
    }
  };
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function answer(res: ServerResponse, status: number, text?: string): void {
  if (res.headersSent) return;
  if (text === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
