import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type FetchFunction,
  LogLevel,
  WebAPIHTTPError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import {
  instrumentedFetch,
  isRateLimited,
  keepAliveFetch,
  refuseToRepeatUnanswered,
  SLACK_RETRY_CONFIG,
  SlackNoAnswerError,
} from '../../src/observability/slackFetch.js';

/**
 * A server that answers `/ok`, answers 504 under `/busy/`, stalls `/stall` after its headers, drops
 * the connection of `/drop` once it has read the request, and never answers anything else. It
 * counts requests by path.
 */
let server: http.Server;
let base = '';
const requests = new Map<string, number>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (req.url === '/drop') {
      req.on('end', () => req.socket.destroy());
      req.resume();
      return;
    }
    req.resume();
    if (path.startsWith('/busy/')) {
      res.writeHead(504, { 'content-type': 'text/plain' });
      res.end('Gateway Timeout');
    } else if (req.url === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (req.url === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('keepAliveFetch', () => {
  const fetch = keepAliveFetch(200);
  const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', body: 'token=x' });

  it('answers with the status and body Slack sent', async () => {
    const response = await post('/ok');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('fails a call that gets no answer within the timeout', async () => {
    const started = performance.now();
    await expect(post('/silent')).rejects.toThrow(/no answer from Slack within 200 ms/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('fails a call whose answer stops halfway', async () => {
    await expect(post('/stall')).rejects.toThrow();
  });

  it('still answers on a kept-alive connection after a timeout', async () => {
    await expect(post('/silent')).rejects.toThrow();
    expect((await post('/ok')).status).toBe(200);
  });
});

describe('keepAliveFetch when Slack may have got the call', () => {
  const fetch = keepAliveFetch(200);
  const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', body: 'token=x' });

  it('fails a call sent with no answer within the timeout with a SlackNoAnswerError naming its method', async () => {
    const error = await post('/api/chat.postEphemeral').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackNoAnswerError);
    expect(error).toMatchObject({
      method: 'chat.postEphemeral',
      url: `${base}/api/chat.postEphemeral`,
      message: 'no answer from Slack within 200 ms',
    });
  });

  it('names a call outside the Web API by its kind, never by its URL’s secret last segment', () => {
    const hook = new SlackNoAnswerError(
      'https://hooks.slack.com/actions/T0TEAM/1234567890/SeCrEtToKeN',
      'no answer',
    );
    expect(hook.method).toBe('response_url');
    const upload = new SlackNoAnswerError('https://files.slack.com/upload/v1/AbCdEf', 'no answer');
    expect(upload.method).toBe('file_upload');
  });

  it('fails a call whose answer stops halfway, or whose connection drops once sent, the same way', async () => {
    await expect(post('/stall')).rejects.toBeInstanceOf(SlackNoAnswerError);
    await expect(post('/drop')).rejects.toBeInstanceOf(SlackNoAnswerError);
  });

  it('fails a call that never reached Slack with a plain error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await fetch(`http://127.0.0.1:${port}/api/chat.postMessage`, {
      method: 'POST',
      body: 'token=x',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SlackNoAnswerError);
  });
});

describe('keepAliveFetch when Slack answers a post with a 5xx', () => {
  const fetch = keepAliveFetch(200);
  const post = (method: string) =>
    fetch(`${base}/busy/api/${method}`, { method: 'POST', body: 'token=x' });

  it('fails a call not safe to repeat with a SlackNoAnswerError: Slack may have posted it', async () => {
    const error = await post('chat.postMessage').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackNoAnswerError);
    expect(error).toMatchObject({
      method: 'chat.postMessage',
      status: 504,
      message: 'Slack answered HTTP 504',
    });
  });

  it('answers any other call with the 5xx, for the WebClient to retry', async () => {
    expect((await post('conversations.info')).status).toBe(504);
  });

  it('counts the post as an HTTP error in the metrics', async () => {
    const metrics = new Metrics();
    const counted = instrumentedFetch(metrics, `${base}/busy/api/`, fetch);
    await expect(
      counted(`${base}/busy/api/chat.postMessage`, { method: 'POST', body: 'token=x' }),
    ).rejects.toBeInstanceOf(SlackNoAnswerError);
    const calls = await metrics.slackApiCalls.get();
    expect(calls.values).toEqual([
      expect.objectContaining({
        labels: { method: 'chat.postMessage', result: 'http_error' },
        value: 1,
      }),
    ]);
  });
});

describe('the WebClient retry policy (SLACK_RETRY_CONFIG)', () => {
  const unanswered = (method: string) =>
    new WebAPIRequestError(
      new SlackNoAnswerError(`https://slack.com/api/${method}`, 'no answer from Slack'),
    );

  it('ends the retries of a call that may post a message twice and got no answer', () => {
    for (const method of [
      'chat.postMessage',
      'chat.postEphemeral',
      'files.completeUploadExternal',
    ]) {
      const error = unanswered(method);
      expect(() => refuseToRepeatUnanswered(error)).toThrow(error);
    }
  });

  it('keeps retrying calls safe to repeat, 5xx, 429 and calls that never reached Slack', () => {
    for (const error of [
      unanswered('conversations.open'),
      unanswered('chat.update'),
      new WebAPIHTTPError(503, 'Service Unavailable', {}, ''),
      new Error('A rate limit was exceeded (url: chat.postMessage, retry-after: 1)'),
      new WebAPIRequestError(new Error('connect ECONNREFUSED 127.0.0.1:1')),
    ]) {
      expect(() => refuseToRepeatUnanswered(error)).not.toThrow();
    }
  });

  it('sends an unanswered chat.postMessage once, and retries an unanswered conversations.open', async () => {
    const client = (minTimeout: number) =>
      new WebClient('xoxb-test', {
        slackApiUrl: `${base}/api/`,
        fetch: keepAliveFetch(200),
        logLevel: LogLevel.ERROR,
        retryConfig: { ...SLACK_RETRY_CONFIG, minTimeout, maxTimeout: minTimeout },
      });
    await expect(client(1).chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({
      original: expect.any(SlackNoAnswerError),
    });
    expect(requests.get('/api/chat.postMessage')).toBe(1);

    await expect(client(1).conversations.open({ users: 'U1' })).rejects.toThrow();
    // The first try and its 3 retries.
    expect(requests.get('/api/conversations.open')).toBe(4);
  });

  it('sends a chat.postMessage answered with a 5xx once, and retries a conversations.open', async () => {
    const client = new WebClient('xoxb-test', {
      slackApiUrl: `${base}/busy/api/`,
      fetch: keepAliveFetch(200),
      logLevel: LogLevel.ERROR,
      retryConfig: { ...SLACK_RETRY_CONFIG, minTimeout: 1, maxTimeout: 1 },
    });
    const sent = (path: string) => requests.get(`/busy/api/${path}`) ?? 0;
    const posts = sent('chat.postMessage');
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({
      original: expect.objectContaining({ status: 504 }),
    });
    expect(sent('chat.postMessage') - posts).toBe(1);
    const opens = sent('conversations.open');
    await expect(client.conversations.open({ users: 'U1' })).rejects.toThrow(/504/);
    expect(sent('conversations.open') - opens).toBe(4);
  });
});

describe('rate limits in the retry policy (SLACK_RETRY_CONFIG)', () => {
  type Outcome = 'ratelimited' | 'network' | 'unanswered' | 'ok';
  /** A WebClient whose calls get `outcomes` in turn (429s ask to wait 0 s); counts its attempts. */
  const scripted = (outcomes: Outcome[], retryConfig = SLACK_RETRY_CONFIG) => {
    const seen: Outcome[] = [];
    const fetch: FetchFunction = async (url) => {
      const outcome = outcomes[seen.length] ?? 'ok';
      seen.push(outcome);
      if (outcome === 'network') throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      if (outcome === 'unanswered') throw new SlackNoAnswerError(String(url), 'no answer');
      if (outcome === 'ratelimited') {
        return new Response('{"ok":false,"error":"ratelimited"}', {
          status: 429,
          headers: { 'retry-after': '0' },
        });
      }
      return new Response('{"ok":true,"channel":"C1","ts":"1.000001"}', {
        headers: { 'content-type': 'application/json' },
      });
    };
    const client = new WebClient('xoxb-test', {
      fetch,
      logLevel: LogLevel.ERROR,
      retryConfig: { ...retryConfig, minTimeout: 1, maxTimeout: 1 },
    });
    return { client, seen };
  };

  it('knows a rate-limited attempt as the WebClient reports it', () => {
    const attempt = new Error('A rate limit was exceeded (url: chat.postMessage, retry-after: 1)');
    expect(isRateLimited(attempt)).toBe(true);
    expect(isRateLimited(new WebAPIRequestError(attempt))).toBe(true);
    expect(isRateLimited(new WebAPIHTTPError(503, 'Service Unavailable', {}, ''))).toBe(false);
  });

  it('5 rate limits, then success: the call succeeds', async () => {
    const { client, seen } = scripted([
      'ratelimited',
      'ratelimited',
      'ratelimited',
      'ratelimited',
      'ratelimited',
    ]);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).resolves.toMatchObject({
      ok: true,
    });
    expect(seen).toHaveLength(6);
  });

  it('5 network errors: fails after 4 attempts', async () => {
    const { client, seen } = scripted(['network', 'network', 'network', 'network', 'network']);
    await expect(client.conversations.info({ channel: 'C1' })).rejects.toThrow(/ECONNREFUSED/);
    expect(seen).toHaveLength(4);
  });

  it('rate limits count as attempts for other failures', async () => {
    const { client, seen } = scripted(['ratelimited', 'ratelimited', 'ratelimited', 'network']);
    await expect(client.conversations.info({ channel: 'C1' })).rejects.toThrow(/ECONNREFUSED/);
    expect(seen).toHaveLength(4);
  });

  it('an unanswered post is not repeated, rate-limited before or not', async () => {
    const { client, seen } = scripted(['ratelimited', 'unanswered']);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({
      original: expect.any(SlackNoAnswerError),
    });
    expect(seen).toEqual(['ratelimited', 'unanswered']);
  });

  it('rate limits without end: the call fails once the time bound has passed', async () => {
    expect(SLACK_RETRY_CONFIG.maxRetryTime).toBe(60_000);
    const { client, seen } = scripted(Array<Outcome>(1000).fill('ratelimited'), {
      ...SLACK_RETRY_CONFIG,
      maxRetryTime: 100,
    });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toThrow(
      /rate limit/,
    );
    expect(seen.length).toBeGreaterThan(4);
    expect(seen.length).toBeLessThan(1000);
  });
});
