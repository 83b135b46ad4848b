import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  type BufferedIncomingMessage,
  type HTTPReceiver,
  type ReceiverEvent,
  verifySlackRequest,
} from '@slack/bolt';
import { InFlightCount } from '../work.js';
import type { AppLogger } from './logger.js';
import type { Metrics } from './metrics.js';
import { type RequestFacts, requestFacts } from './requestFacts.js';
import {
  type BodyRead,
  isSslCheck,
  mayParseToObject,
  parseBody,
  readBody,
  SSL_CHECK_FORM,
} from './slackRequest.js';

export interface SlackEndpointOptions {
  signingSecret: string;
  /** The events path, `/slack/events`. */
  path: string;
  log: AppLogger;
  metrics: Metrics | null;
}

/**
 * One request from Slack, from arrival to its log line. It is done once its answer has been sent
 * and, when Bolt dispatched it, once its listeners have finished (work after the ack included):
 * then `whenDone` reports it.
 */
export class RequestRecord {
  readonly started = performance.now();
  /** Set from Bolt's parse when the request is dispatched; else, at the end, from the body. */
  facts: RequestFacts | undefined;
  /** The body as read (HTTP), for the facts of a request Bolt answered without dispatching it. */
  body: { contentType: string | undefined; bytes: Buffer } | undefined;
  /** Why the request was refused without reaching a listener. */
  refused?: string;
  /** An error out of Bolt's dispatch (Socket Mode); listener errors reach app.error. */
  failure?: string;
  ackMs?: number;
  status?: number;
  durationMs?: number;
  /** What the request still waits for: its answer (or, in Socket Mode, its handling), its listeners. */
  private pending = 1;

  constructor(private readonly whenDone: (record: RequestRecord) => void) {}

  /** Bolt is dispatching the request: it is done only after a matching {@link settle}. */
  holdForListeners(): boolean {
    if (this.pending === 0) return false;
    this.pending += 1;
    return true;
  }

  /** One thing the request waited for (its answer, or its listeners) has finished. */
  settle(): void {
    if (this.pending === 0) return;
    this.pending -= 1;
    if (this.pending > 0) return;
    this.durationMs = performance.now() - this.started;
    this.whenDone(this);
  }
}

/** The key of a request's record in the receiver event's custom properties. */
const RECORD_PROPERTY = 'ftragRequestRecord';
/** Where the guard leaves a request's record on the request, for {@link SlackEndpoint.customProperties}. */
const RECORD_ON_REQUEST = Symbol('ftrag request record');

/**
 * The record the receiver passed along with `event` (HTTP mode), taken out of the event's custom
 * properties so it does not reach the listeners' context.
 */
export function takeRequestRecord(event: ReceiverEvent): RequestRecord | undefined {
  const properties = event.customProperties;
  const record = properties?.[RECORD_PROPERTY];
  if (!(record instanceof RequestRecord) || !properties) return undefined;
  delete properties[RECORD_PROPERTY];
  if (Object.keys(properties).length === 0) delete event.customProperties;
  return record;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

type RequestListener = HTTPReceiver['requestListener'];

/**
 * A thin guard in front of Bolt's HTTPReceiver on POST /slack/events. Bolt's receiver parses and
 * dispatches; the guard:
 *
 * - reads the body once and hands it to Bolt as `rawBody`, which Bolt's receiver reuses;
 * - verifies every request's signature and timestamp with Bolt's own `verifySlackRequest`, and
 *   answers 401 to any that fails, as Bolt's receiver would; only Slack's SSL check passes
 *   unsigned, reduced to `ssl_check=1` as Bolt reduces it. The receiver is built with
 *   `signatureVerification: false` (see {@link install}) because, verifying, Bolt 5.1's receiver
 *   parses every form body twice, the first time only to look for `ssl_check`: a second
 *   node:querystring parse of a 5 KB payload was about a tenth of a checklist step's CPU time
 *   (docs/benchmarks.md);
 * - answers 400 itself to a signed body that cannot parse to an object: for `null`, Bolt 5.1's
 *   receiver throws outside its own error handling (an unhandled rejection that ends the
 *   process). It looks at first characters only; Bolt does the parsing;
 * - answers 413 for an oversized body and 400 for an aborted one;
 * - keeps a {@link RequestRecord} per request, which reaches dispatch through the receiver's
 *   custom properties ({@link customProperties}), for one log line and metrics per request;
 * - tracks requests in flight for a graceful drain: once draining, answers carry
 *   `Connection: close` so keep-alive connections end with their last request.
 */
export class SlackEndpoint {
  /** Requests not yet done: answered, and their listeners finished. */
  readonly inFlight = new InFlightCount();
  private draining = false;
  private readonly settled = (record: RequestRecord): void => {
    this.finish(record);
    this.inFlight.leave();
  };

  constructor(private readonly options: SlackEndpointOptions) {}

  /**
   * Puts the guard in front of the receiver's events path; call once, before it starts. The
   * receiver must be built with `signatureVerification: false` and the guard's path as its only
   * endpoint: Bolt dispatches what arrives on its endpoints, and the guard verifies its path alone.
   */
  install(receiver: HTTPReceiver): void {
    const endpoints: unknown = Reflect.get(receiver, 'endpoints');
    if (!Array.isArray(endpoints) || endpoints.length !== 1 || endpoints[0] !== this.options.path) {
      throw new Error(
        `the receiver's endpoints must be the guarded path ${this.options.path} alone, got ${JSON.stringify(endpoints)}`,
      );
    }
    const bolt = receiver.requestListener;
    receiver.requestListener = (req, res) => {
      if (this.draining) res.setHeader('connection', 'close');
      const path = req.url === this.options.path ? req.url : pathOf(req.url);
      if (path === null) {
        // Bolt's own parse would throw on it and answer 500, logged as an error of ours.
        answer(res, 404, 'not found');
        return;
      }
      if (req.method === 'POST' && path === this.options.path) {
        this.accept(req, res, bolt);
        return;
      }
      bolt(req, res);
    };
  }

  /** The receiver's `customPropertiesExtractor`: carries the request's record to dispatch. */
  readonly customProperties = (req: BufferedIncomingMessage): Record<string, RequestRecord> => {
    const record: unknown = Reflect.get(req, RECORD_ON_REQUEST);
    return record instanceof RequestRecord ? { [RECORD_PROPERTY]: record } : {};
  };

  /** From now on, connections close after their current request. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  // Callbacks rather than promises: this runs on every request.
  private accept(req: IncomingMessage, res: ServerResponse, bolt: RequestListener): void {
    const record = new RequestRecord(this.settled);
    this.inFlight.enter();
    res.once('close', () => {
      record.ackMs = performance.now() - record.started;
      record.status = res.writableFinished ? res.statusCode : 0;
      record.settle();
    });
    readBody(req, (read) => {
      try {
        this.guard(req, res, record, read, bolt);
      } catch {
        answer(res, 500, 'internal error');
      }
    });
  }

  private guard(
    req: IncomingMessage,
    res: ServerResponse,
    record: RequestRecord,
    read: BodyRead,
    bolt: RequestListener,
  ): void {
    if (!read.ok) {
      record.refused = read.reason === 'too-large' ? 'body too large' : 'request aborted';
      // An aborted or huge body may be left unread, so this connection can't carry another request.
      res.setHeader('connection', 'close');
      answer(res, read.reason === 'too-large' ? 413 : 400);
      return;
    }
    const contentType = req.headers['content-type'];
    let body = read.body;
    const unverified = this.verificationFailure(req.headers, body);
    if (unverified !== null) {
      if (!isSslCheck(contentType, body)) {
        record.refused = unverified;
        answer(res, 401);
        return;
      }
      body = Buffer.from(SSL_CHECK_FORM);
    }
    record.body = { contentType, bytes: body };
    if (!mayParseToObject(contentType, body)) {
      record.refused = 'body is not an object';
      answer(res, 400, 'malformed body');
      return;
    }
    // Bolt reuses a body that is already read (BufferedIncomingMessage).
    bolt(Object.assign(req, { rawBody: body, [RECORD_ON_REQUEST]: record }), res);
  }

  /** Why the request is not verified as from Slack (Bolt's words), or null when it is. */
  private verificationFailure(headers: IncomingHttpHeaders, body: Buffer): string | null {
    const signature = headers['x-slack-signature'];
    const timestamp = headers['x-slack-request-timestamp'];
    if (typeof signature !== 'string') return 'no x-slack-signature header';
    if (typeof timestamp !== 'string') return 'no x-slack-request-timestamp header';
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: body.toString('utf8'),
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      });
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private finish(record: RequestRecord): void {
    // Refused as not from Slack: nothing the body claims (kind, team, user) is trusted.
    if (record.status === 401) record.facts = { kind: 'invalid' };
    else if (record.facts === undefined) record.facts = factsOfUndispatched(record);
    record.body = undefined;
    reportRequest(this.options.log, this.options.metrics, record);
  }
}

/** A request Bolt answered itself (URL verification, SSL check, malformed JSON): rare, so parsed here. */
function factsOfUndispatched(record: RequestRecord): RequestFacts {
  if (!record.body) return { kind: 'invalid' };
  try {
    return requestFacts(parseBody(record.body.contentType, record.body.bytes));
  } catch {
    return { kind: 'invalid' };
  }
}

/** The request's log line and metrics. */
export function reportRequest(
  log: AppLogger,
  metrics: Metrics | null,
  record: RequestRecord,
): void {
  const facts = record.facts ?? { kind: 'invalid' };
  const kind = facts.kind;
  const durationMs = record.durationMs ?? record.ackMs ?? 0;
  const aborted = record.status === 0;
  if (metrics) {
    const status =
      record.status === undefined ? 'socket' : aborted ? 'aborted' : String(record.status);
    metrics.requests.inc({ kind, status });
    if (record.ackMs !== undefined) metrics.ackDuration.observe({ kind }, record.ackMs / 1000);
    metrics.handlingDuration.observe({ kind }, durationMs / 1000);
  }
  // One object of one shape, no spreads: pino leaves out the fields that are undefined.
  const fields = {
    kind,
    team: facts.team,
    user: facts.user,
    command: facts.command,
    callbackId: facts.callbackId,
    actionId: facts.actionId,
    event: facts.event,
    status: record.status,
    ackMs: record.ackMs === undefined ? undefined : round(record.ackMs),
    durationMs: round(durationMs),
    refused: record.refused || undefined,
    failure: record.failure || undefined,
  };
  if (record.status !== undefined && record.status >= 500)
    log.error(fields, 'slack request failed');
  else if (aborted) log.warn(fields, 'slack request aborted before its answer');
  // A wrong or rotated signing secret shows here first, one line per request.
  else if (record.status === 401) log.warn(fields, 'slack request not verified as from Slack');
  else if (record.failure) log.warn(fields, 'slack request failed in middleware');
  else log.info(fields, 'slack request');
}

/**
 * The path Bolt's receiver routes on (it resolves `..`, `%2e` and absolute forms the same way), so
 * no spelling of the events path gets past the guard; null where Bolt's parse would throw.
 */
export function pathOf(url: string | undefined): string | null {
  if (url === undefined) return '';
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

export function answer(res: ServerResponse, status: number, text?: string): void {
  if (res.headersSent) return;
  if (text === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
