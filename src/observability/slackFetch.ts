import http from 'node:http';
import https from 'node:https';
import type { FetchFunction, RetryOptions } from '@slack/web-api';
import { errorLabel, type Metrics } from './metrics.js';

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * Counts and times every HTTP call Bolt's WebClients make, through the `fetch` option of
 * @slack/web-api 8 (its only hook; it has no request events). Bolt also uses this fetch for
 * `respond()`, counted as method `response_url`; file uploads count as `file_upload`.
 *
 * A call's result: `ok`, `error` (answered ok:false; the Slack error name is counted too),
 * `rate_limited` (429), `http_error` (any other non-200) or `network_error` (no answer).
 */
export function instrumentedFetch(
  metrics: Metrics,
  apiUrl: string,
  inner: FetchFunction = globalThis.fetch,
): FetchFunction {
  return async (url, init) => {
    const href = typeof url === 'string' ? url : url.href;
    const method = methodOf(href, apiUrl);
    const started = performance.now();
    let response: FetchResponse;
    try {
      response = await inner(url, init);
    } catch (error) {
      // An HTTP error the transport fails as unanswered (a 5xx to a post) is still an HTTP error.
      const answered = error instanceof SlackNoAnswerError && error.status !== null;
      metrics.slackApiCalls.inc({ method, result: answered ? 'http_error' : 'network_error' });
      metrics.slackApiDuration.observe({ method }, (performance.now() - started) / 1000);
      throw error;
    }
    metrics.slackApiDuration.observe({ method }, (performance.now() - started) / 1000);
    if (response.status !== 200) {
      const result = response.status === 429 ? 'rate_limited' : 'http_error';
      metrics.slackApiCalls.inc({ method, result });
      return response;
    }
    if (method === 'response_url' || method === 'file_upload') {
      metrics.slackApiCalls.inc({ method, result: 'ok' });
      return response;
    }
    return observeBody(response, (errorName) => {
      if (errorName === null) {
        metrics.slackApiCalls.inc({ method, result: 'ok' });
      } else {
        metrics.slackApiCalls.inc({ method, result: 'error' });
        metrics.slackApiErrors.inc({ method, error: errorLabel(errorName) });
      }
    });
  };
}

const METHOD_NAME = /^[a-zA-Z]+(\.[a-zA-Z]+)+$/;

/**
 * `chat.postMessage` for `{apiUrl}chat.postMessage`; outside the Web API, `file_upload` for a file
 * upload URL (files.slack.com/upload/…) and `response_url` for the rest (Bolt's respond()).
 */
export function methodOf(href: string, apiUrl: string): string {
  if (!href.startsWith(apiUrl)) return href.includes('/upload/') ? 'file_upload' : 'response_url';
  const rest = href.slice(apiUrl.length);
  const end = rest.search(/[?#]/);
  const name = end === -1 ? rest : rest.slice(0, end);
  return METHOD_NAME.test(name) ? name : 'other';
}

/**
 * The WebClient reads the answer with text(); the wrapper looks at that same text, and parses it
 * only when it may say ok:false (rare), so a success costs one substring search.
 */
function observeBody(
  response: FetchResponse,
  done: (errorName: string | null) => void,
): FetchResponse {
  let reported = false;
  const report = (text: string): void => {
    if (reported) return;
    reported = true;
    done(text.includes('"ok":false') ? (slackErrorIn(text) ?? null) : null);
  };
  return {
    get ok() {
      return response.ok;
    },
    get status() {
      return response.status;
    },
    get statusText() {
      return response.statusText;
    },
    get url() {
      return response.url;
    },
    get headers() {
      return response.headers;
    },
    arrayBuffer: async () => {
      const buffer = await response.arrayBuffer();
      report(Buffer.from(buffer).toString('utf8'));
      return buffer;
    },
    json: async () => {
      const text = await response.text();
      report(text);
      return JSON.parse(text);
    },
    text: async () => {
      const text = await response.text();
      report(text);
      return text;
    },
  };
}

function slackErrorIn(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { ok, error } = parsed as { ok?: unknown; error?: unknown };
    if (ok !== false) return undefined;
    return typeof error === 'string' ? error : 'unknown';
  } catch {
    return undefined;
  }
}

/**
 * A call that reached Slack, or may have, and got no answer (timed out, or the connection dropped
 * before the whole answer came), or, for a call not safe to repeat, an HTTP 5xx (`status`), which
 * doesn't say either: whether Slack acted on it is unknown.
 */
export class SlackNoAnswerError extends Error {
  /** The Web API method (`chat.postMessage`), or the URL's last path segment elsewhere. */
  readonly method: string;

  constructor(
    readonly url: string,
    message: string,
    cause?: Error,
    readonly status: number | null = null,
  ) {
    super(message, cause ? { cause } : undefined);
    this.name = 'SlackNoAnswerError';
    this.method = methodIn(url);
  }
}

/**
 * A Web API call's method (`…/api/chat.postMessage`); any other URL by its kind, as
 * {@link methodOf} names it: a response_url's last segment is its secret, never to be logged.
 */
function methodIn(url: string): string {
  const { pathname } = new URL(url);
  const last = pathname.split('/').pop() ?? '';
  // A method's name has a dot; a response_url's or an upload's secret segment has none.
  if (METHOD_NAME.test(last)) return last;
  return pathname.includes('/upload/') ? 'file_upload' : 'response_url';
}

/** The {@link SlackNoAnswerError} behind an error, as is or wrapped by the WebClient. */
export function unansweredCall(error: unknown): SlackNoAnswerError | null {
  if (error instanceof SlackNoAnswerError) return error;
  if (typeof error === 'object' && error !== null && 'original' in error) {
    return error.original instanceof SlackNoAnswerError ? error.original : null;
  }
  return null;
}

/** Calls that do something again when repeated: each one Slack received posts another message. */
const NOT_SAFE_TO_REPEAT = new Set([
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.meMessage',
  'chat.scheduleMessage',
  'files.completeUploadExternal',
]);

/**
 * p-retry's `onFailedAttempt` for the WebClient (its throwing ends the retries): a call that is not
 * safe to repeat and got no answer, or a 5xx ({@link keepAliveFetch} fails it so), is not tried
 * again, since Slack may have carried it out. 429s, other calls' 5xx and calls that never reached
 * Slack are retried as before.
 */
export function refuseToRepeatUnanswered(error: Error): void {
  const unanswered = unansweredCall(error);
  if (unanswered && NOT_SAFE_TO_REPEAT.has(unanswered.method)) throw error;
}

const RATE_LIMITED_ATTEMPT = 'A rate limit was exceeded';

/**
 * Whether a failed attempt was Slack rate-limiting the call (HTTP 429 with Retry-After): the
 * WebClient (8.x) has already waited Retry-After, its queue paused meanwhile, and then fails the
 * attempt with a plain Error saying so (wrapped in a WebAPIRequestError), for p-retry to try again.
 * Slack did nothing with the call.
 */
export function isRateLimited(error: Error): boolean {
  if (error.message.startsWith(RATE_LIMITED_ATTEMPT)) return true;
  const original: unknown = 'original' in error ? error.original : undefined;
  return original instanceof Error && original.message.startsWith(RATE_LIMITED_ATTEMPT);
}

/** Attempts a call gets for failures other than rate limits (5xx, no connection): the first and 3 retries. */
export const SLACK_CALL_ATTEMPTS = 4;

/**
 * How long rate limits may hold a call up before it fails. A posting renews its delivery claim
 * while it runs (postSavedReview.ts), so this is bounded by what a person waits for, not by the
 * claim: a minute outlasts Slack's per-channel limit (about a second per message) under any burst
 * of verdicts one instance posts (8 at a time), and one whole window of a per-minute tier limit.
 */
export const SLACK_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * p-retry's `onFailedAttempt` for the WebClient (its throwing ends the retries): an unanswered call
 * that may post twice is never repeated ({@link refuseToRepeatUnanswered}); a rate-limited attempt
 * costs nothing, since Slack asked to wait and the WebClient did, so the call keeps trying until
 * {@link SLACK_RATE_LIMIT_WAIT_MS}; any other failure ends the call once it has had
 * {@link SLACK_CALL_ATTEMPTS} attempts, rate-limited ones included.
 */
export function slackRetryPolicy(error: Error & { attemptNumber?: number }): void {
  refuseToRepeatUnanswered(error);
  if (isRateLimited(error)) return;
  if ((error.attemptNumber ?? 1) >= SLACK_CALL_ATTEMPTS) throw error;
}

/**
 * The WebClients' retry policy, for every WebClient ftrag makes (Bolt's, the installer's, Socket
 * Mode's): bounded back-off for Slack 5xx and lost connections (4 attempts, as p-retry's first 3
 * delays of up to 2 s); 429s wait for Retry-After as often as Slack asks within a minute (each
 * retry past the fourth then waits 2 to 3 s more: p-retry's delays are fixed in advance).
 */
export const SLACK_RETRY_CONFIG: RetryOptions & { onFailedAttempt: (error: Error) => void } = {
  // Enough that the time bound, not the count, ends a rate-limited call: each attempt waits at
  // least Retry-After (1 s or more).
  retries: 60,
  maxRetryTime: SLACK_RATE_LIMIT_WAIT_MS,
  factor: 2,
  minTimeout: 250,
  maxTimeout: 3000,
  randomize: true,
  onFailedAttempt: slackRetryPolicy,
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A `fetch` for the WebClient on node:http(s) with keep-alive agents: a Web API call costs about a
 * third of the CPU it costs through the built-in fetch (undici), which was most of the work of a
 * slash command. Only what the WebClient and Bolt's respond() send is handled here (string bodies);
 * anything else (file uploads with FormData) goes to `fallback`.
 *
 * A call with no answer for `timeoutMs` fails (and the WebClient's retry policy takes over). The
 * timeout lives here rather than in the WebClient's `timeout` option, which gives every call an
 * AbortSignal.timeout: about 3 % of a slash command's CPU time. A call that was sent and then got no
 * (whole) answer fails with a {@link SlackNoAnswerError}: Slack may have acted on it. So does a
 * call not safe to repeat (chat.postMessage, …) answered with a 5xx: a gateway's 502 or 504, or
 * Slack's own 500, may come after the message was posted.
 */
export function keepAliveFetch(
  timeoutMs: number,
  fallback: FetchFunction = globalThis.fetch,
): FetchFunction {
  // An idle socket is dropped after 4 s, before a server's keep-alive timeout (Node's default is
  // 5 s) can close it under a request being sent: that would fail the call as unanswered.
  const options = { keepAlive: true, maxSockets: 100, scheduling: 'lifo', timeout: 4_000 } as const;
  const agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  return (input, init) => {
    const body = init?.body;
    const url = typeof input === 'string' ? new URL(input) : input;
    const protocol = url.protocol === 'https:' || url.protocol === 'http:' ? url.protocol : null;
    if ((body !== undefined && typeof body !== 'string') || protocol === null) {
      return fallback(input, {
        ...init,
        signal: init?.signal ?? AbortSignal.timeout(timeoutMs),
      }).catch((error: unknown) => {
        if (error instanceof Error && error.name === 'TimeoutError') {
          throw new SlackNoAnswerError(
            url.href,
            `no answer from Slack within ${timeoutMs} ms`,
            error,
          );
        }
        throw error;
      });
    }
    const transport = protocol === 'https:' ? https : http;
    return new Promise<FetchResponse>((resolve, reject) => {
      let sent = false;
      const fail = (error: Error): void => {
        if (!sent || error instanceof SlackNoAnswerError) reject(error);
        else
          reject(new SlackNoAnswerError(url.href, `no answer from Slack: ${error.message}`, error));
      };
      const headers: Record<string, string> = { ...init?.headers };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const request = transport.request(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          agent: agents[protocol],
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (init?.redirect === 'error' && REDIRECT_STATUSES.has(status)) {
            response.resume();
            reject(new TypeError(`fetch failed: redirected (${status})`));
            return;
          }
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('error', fail);
          response.once('end', () => {
            if (status >= 500 && NOT_SAFE_TO_REPEAT.has(methodIn(url.href))) {
              reject(
                new SlackNoAnswerError(
                  url.href,
                  `Slack answered HTTP ${status}`,
                  undefined,
                  status,
                ),
              );
              return;
            }
            resolve(bufferedResponse(url.href, status, response, Buffer.concat(chunks)));
          });
        },
      );
      // Time without a byte from Slack, the request's or the response's: a hung call fails.
      request.setTimeout(timeoutMs, () => {
        const message = `no answer from Slack within ${timeoutMs} ms`;
        request.destroy(sent ? new SlackNoAnswerError(url.href, message) : new Error(message));
      });
      request.once('finish', () => {
        sent = true;
      });
      request.once('error', fail);
      request.end(body);
    });
  };
}

function bufferedResponse(
  url: string,
  status: number,
  response: http.IncomingMessage,
  body: Buffer,
): FetchResponse {
  const headers = response.headers;
  const value = (name: string): string | null => {
    const found = headers[name.toLowerCase()];
    if (found === undefined) return null;
    return Array.isArray(found) ? found.join(', ') : found;
  };
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: response.statusMessage ?? '',
    url,
    headers: {
      get: value,
      *entries() {
        for (const name of Object.keys(headers)) {
          const found = value(name);
          if (found !== null) yield [name, found];
        }
      },
    },
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    json: async () => JSON.parse(body.toString('utf8')),
    text: async () => body.toString('utf8'),
  };
}
