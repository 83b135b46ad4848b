/** autocannon driving signed Slack requests, plus the statistics the reports need. */
import http from 'node:http';
import autocannon from 'autocannon';
import type { FakeSlack } from '../tests/support/fakeSlack.js';
import type { BodyTemplate, SignedRequest, Workload } from './workloads.js';

export interface LoadOptions {
  connections: number;
  /** Seconds; or `amount` requests. */
  duration?: number;
  amount?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  non2xx: number;
}

/** Runs `workload` against `baseUrl` (each request freshly signed with `secret`). */
export function runLoad(
  baseUrl: string,
  workload: Workload,
  secret: string,
  options: LoadOptions,
): Promise<LoadResult> {
  const requests = workload.templates.map((template) => ({
    method: 'POST' as const,
    path: '/slack/events',
    setupRequest: (request: autocannon.Request): autocannon.Request => {
      const signed = template.render(secret);
      return { ...request, body: signed.body, headers: signed.headers };
    },
  }));
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: baseUrl,
        connections: options.connections,
        pipelining: 1,
        timeout: 10,
        requests,
        ...(options.amount !== undefined
          ? { amount: options.amount }
          : { duration: options.duration ?? 10 }),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const total = result.requests.total;
        resolve({
          requests: total,
          seconds: result.duration,
          rps: total / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          max: result.latency.max,
          errors: result.errors + result.non2xx,
          non2xx: result.non2xx,
        });
      },
    );
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export interface Answer {
  status: number;
  body: string;
}

/** Sends one signed request and returns the answer. */
export function send(baseUrl: string, signed: SignedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}/slack/events`,
      { method: 'POST', headers: signed.headers, agent, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(signed.body);
  });
}

export function sendTemplate(
  baseUrl: string,
  template: BodyTemplate,
  secret: string,
  channel?: string,
): Promise<Answer> {
  return send(baseUrl, template.render(secret, channel));
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** Waits until the fake has seen `expected` chat.postMessage calls (or they stop coming). */
export async function settlePosts(
  fake: FakeSlack,
  expected: number,
  stallMs = 5_000,
): Promise<number> {
  const started = performance.now();
  let last = fake.callCount('chat.postMessage');
  let lastChange = performance.now();
  while (fake.callCount('chat.postMessage') < expected) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = fake.callCount('chat.postMessage');
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > stallMs) {
      break;
    }
  }
  return performance.now() - started;
}

/** CPU µs per request from a server's CPU seconds before and after a round; NaN when unknown. */
export function cpuMicrosPerRequest(
  cpuBefore: number | null,
  cpuAfter: number | null,
  requests: number,
): number {
  if (cpuBefore === null || cpuAfter === null || requests === 0) return Number.NaN;
  return ((cpuAfter - cpuBefore) / requests) * 1e6;
}

/**
 * {@link runLoad}, then, when the workload posts verdicts and `posts` says the server does, waits
 * until each answered final submission's verdict and thread reply reached the fake Slack, so the
 * next load meets a server no longer busy with deliveries.
 */
export async function runLoadAndSettle(
  fake: FakeSlack,
  baseUrl: string,
  workload: Workload,
  secret: string,
  options: LoadOptions,
  posts = true,
): Promise<LoadResult> {
  const before = fake.callCount('chat.postMessage');
  const result = await runLoad(baseUrl, workload, secret, options);
  if (posts && workload.finalsPerCycle > 0) {
    await settlePosts(fake, before + 2 * (result.requests - result.non2xx));
  }
  return result;
}
