import http from 'node:http';
import https from 'node:https';
import type { FetchFunction } from '@slack/web-api';
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
      metrics.slackApiCalls.inc({ method, result: 'network_error' });
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

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A `fetch` for the WebClient on node:http(s) with keep-alive agents: a Web API call costs about a
 * third of the CPU it costs through the built-in fetch (undici), which was most of the work of a
 * slash command. Only what the WebClient and Bolt's respond() send is handled here (string bodies);
 * anything else (file uploads with FormData) goes to `fallback`.
 *
 * A call with no answer for `timeoutMs` fails (and the WebClient's retry policy takes over). The
 * timeout lives here rather than in the WebClient's `timeout` option, which gives every call an
 * AbortSignal.timeout: about 3 % of a slash command's CPU time.
 */
export function keepAliveFetch(
  timeoutMs: number,
  fallback: FetchFunction = globalThis.fetch,
): FetchFunction {
  // An idle socket is dropped after 4 s, before a server's keep-alive timeout (Node's default is
  // 5 s) can close it under a request being sent; the WebClient retries that race anyway.
  const options = { keepAlive: true, maxSockets: 100, scheduling: 'lifo', timeout: 4_000 } as const;
  const agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  return (input, init) => {
    const body = init?.body;
    const url = typeof input === 'string' ? new URL(input) : input;
    const protocol = url.protocol === 'https:' || url.protocol === 'http:' ? url.protocol : null;
    if ((body !== undefined && typeof body !== 'string') || protocol === null) {
      return fallback(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
    }
    const transport = protocol === 'https:' ? https : http;
    return new Promise<FetchResponse>((resolve, reject) => {
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
          response.once('error', reject);
          response.once('end', () => {
            resolve(bufferedResponse(url.href, status, response, Buffer.concat(chunks)));
          });
        },
      );
      // Time without a byte from Slack, the request's or the response's: a hung call fails.
      request.setTimeout(timeoutMs, () =>
        request.destroy(new Error(`no answer from Slack within ${timeoutMs} ms`)),
      );
      request.once('error', reject);
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
