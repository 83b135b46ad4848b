/**
 * `npm run soak` — ftrag under steady mixed load for 10 minutes (a whole review per connection:
 * command, 5 steps, final), with memory and latency sampled every 10 s, written to
 * docs/benchmarks.md. Not part of `npm test` or CI.
 *
 *   npm run soak                                  10 min at 200 req/s, SQLite
 *   npm run soak -- --minutes=2 --rate=100        shorter or gentler
 *   DATABASE_URL=postgres://… npm run soak        on PostgreSQL (a fresh schema, dropped after)
 *   npm run soak -- --no-write                    print only
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { postgresUrlWithSchema } from '../src/storage/index.js';
import { startFakeSlack } from '../tests/support/fakeSlack.js';
import { repoRoot } from '../tests/support/paths.js';
import { positiveFlag } from './flags.js';
import { median, percentile } from './load.js';
import { buildServers, FTRAG_ENTRY, getText, launch, serverEnv } from './processes.js';
import { machineLine, writeSection } from './report.js';
import { buildWorkloads } from './workloads.js';

const SECRET = 'soak-signing-secret-0123456789abcdef';
const SAMPLE_SECONDS = 10;

interface Sample {
  at: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  rss: number | null;
  heapUsed: number | null;
  lagP99: number | null;
  inFlight: number | null;
}

/** A sample's value from Prometheus text, or null. */
function metric(text: string, name: string, labels = ''): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}${labels} `) || (labels === '' && line.startsWith(`${name} `))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return null;
}

/** The sum of every sample of `name` whose labels include `label`. */
function sumOf(text: string, name: string, label: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(label)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : (bytes / 1024 / 1024).toFixed(1));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const minutes = positiveFlag(argv, 'minutes', 10);
  const rate = positiveFlag(argv, 'rate', 200);
  const connections = positiveFlag(argv, 'connections', 20, true);
  const write = !argv.includes('--no-write');
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const postgres = /^postgres(ql)?:\/\//.test(databaseUrl) ? databaseUrl : null;
  buildServers();
  const startedAt = new Date();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ftrag-soak-'));

  const fake = await startFakeSlack({ lightweight: true });
  let schema: string | null = null;
  if (postgres) {
    schema = `soak_${Date.now()}`;
    const client = new pg.Client({ connectionString: postgres });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  const dropSchema = async (): Promise<void> => {
    if (!postgres || !schema) return;
    const client = new pg.Client({ connectionString: postgres });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  };
  process.once('SIGINT', () => {
    void dropSchema().finally(() => process.exit(130));
  });
  const server = await launch({
    name: 'ftrag',
    entry: FTRAG_ENTRY,
    env: {
      ...serverEnv(fake, SECRET),
      DATABASE_URL:
        postgres && schema
          ? postgresUrlWithSchema(postgres, schema)
          : `sqlite:${path.join(work, 'ftrag.db')}`,
    },
    logFile: path.join(work, 'ftrag.log'),
  });
  process.stdout.write(
    `soak: ${minutes} min, ${rate} req/s over ${connections} connections, ${postgres ? 'PostgreSQL' : 'SQLite'}; logs in ${work}\n`,
  );

  const workload = buildWorkloads().mixed;
  let window: number[] = [];
  let windowErrors = 0;
  let totalRequests = 0;
  let totalErrors = 0;
  let finalsSent = 0;
  let finished: (error: Error | null) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finished = (error) => (error ? reject(error) : resolve());
  });
  const instance = autocannon(
    {
      url: server.baseUrl,
      connections,
      overallRate: rate,
      duration: minutes * 60,
      timeout: 10,
      requests: workload.templates.map((template) => ({
        method: 'POST' as const,
        path: '/slack/events',
        setupRequest: (request: autocannon.Request): autocannon.Request => {
          if (template.name === 'review') finalsSent++;
          const signed = template.render(SECRET);
          return { ...request, body: signed.body, headers: signed.headers };
        },
      })),
    },
    (error) => finished(error),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    window.push(responseTime);
    totalRequests++;
    if (statusCode < 200 || statusCode >= 300) {
      windowErrors++;
      totalErrors++;
    }
  });
  instance.on('reqError', () => {
    windowErrors++;
    totalErrors++;
  });

  const samples: Sample[] = [];
  const started = performance.now();
  const timer = setInterval(() => {
    const latencies = window;
    const errors = windowErrors;
    window = [];
    windowErrors = 0;
    void getText(`${server.baseUrl}/metrics`)
      .then((text) => ({
        heapUsed: metric(text, 'nodejs_heap_size_used_bytes'),
        lagP99: metric(text, 'nodejs_eventloop_lag_p99_seconds'),
        inFlight: metric(text, 'ftrag_in_flight', '{what="deliveries"}'),
      }))
      .catch(() => ({ heapUsed: null, lagP99: null, inFlight: null }))
      .then((scraped) => {
        const sample: Sample = {
          at: Math.round((performance.now() - started) / 1000),
          requests: latencies.length,
          errors,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          max: latencies.length > 0 ? Math.max(...latencies) : Number.NaN,
          rss: server.rss(),
          ...scraped,
        };
        samples.push(sample);
        process.stdout.write(
          `  ${String(sample.at).padStart(4)} s  ${(sample.requests / SAMPLE_SECONDS).toFixed(0)} req/s  p50 ${sample.p50.toFixed(1)} ms  p99 ${sample.p99.toFixed(1)} ms  errors ${sample.errors}  RSS ${mb(sample.rss)} MB  heap ${mb(sample.heapUsed)} MB\n`,
        );
      });
  }, SAMPLE_SECONDS * 1000);
  await done;
  clearInterval(timer);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const finalMetrics = await getText(`${server.baseUrl}/metrics`);
  const delivered = sumOf(finalMetrics, 'ftrag_reviews_delivered_total', 'status="posted"');
  const exitCode = await server.stop();
  await fake.close();
  await dropSchema();

  const posted = fake.callCount('chat.postMessage');
  const markdown = render({
    startedAt,
    minutes,
    rate,
    connections,
    postgres: postgres !== null,
    samples,
    totalRequests,
    totalErrors,
    delivered,
    finalsSent,
    posted,
    exitCode,
  });
  process.stdout.write(`\n${markdown}\n`);
  if (write) {
    writeSection(path.join(repoRoot, 'docs', 'benchmarks.md'), 'soak', markdown);
    process.stdout.write('written to docs/benchmarks.md\n');
  }
  rmSync(work, { recursive: true, force: true });
}

interface SoakReport {
  startedAt: Date;
  minutes: number;
  rate: number;
  connections: number;
  postgres: boolean;
  samples: Sample[];
  totalRequests: number;
  totalErrors: number;
  delivered: number | null;
  finalsSent: number;
  /** chat.postMessage calls the fake answered (a verdict and its thread reply per review). */
  posted: number;
  exitCode: number | null;
}

/**
 * A leak shows as a rising floor: the lowest heap used (right after a collection) and the median
 * RSS, early against late. Single samples swing with the garbage collector.
 */
function trend(samples: Sample[]): string {
  const early = samples.filter((s) => s.at <= 120);
  const late = samples.filter((s) => s.at > (samples.at(-1)?.at ?? 0) - 120);
  const floor = (list: Sample[]) =>
    Math.min(...list.map((s) => s.heapUsed ?? Number.POSITIVE_INFINITY));
  const rssMedian = (list: Sample[]) =>
    median(list.map((s) => s.rss).filter((v): v is number => v !== null));
  const half = Math.floor(samples.length / 2);
  return `lowest heap used in the first two minutes ${mb(floor(early))} MB, in the last two ${mb(floor(late))} MB; median RSS over the first half ${mb(rssMedian(samples.slice(0, half)))} MB, over the second half ${mb(rssMedian(samples.slice(half)))} MB`;
}

function render(report: SoakReport): string {
  const { samples } = report;
  const lines: string[] = [];
  const rssValues = samples.map((s) => s.rss).filter((v): v is number => v !== null);
  lines.push(`## Soak: ${report.minutes} minutes of mixed load`);
  lines.push('');
  lines.push(
    `Measured on ${report.startedAt.toISOString().slice(0, 10)} with \`${report.postgres ? 'DATABASE_URL=postgres://… ' : ''}npm run soak\`${report.minutes !== 10 || report.rate !== 200 ? ` -- --minutes=${report.minutes} --rate=${report.rate}` : ''}: figures from this machine on that day.`,
  );
  lines.push('');
  lines.push(`- ${machineLine()}`);
  lines.push(
    `- ftrag (${report.postgres ? 'PostgreSQL' : 'SQLite'}, LOG_LEVEL=info, metrics on) against the lightweight fake Slack; autocannon at ${report.rate} req/s over ${report.connections} connections, each connection walking whole reviews (command, 5 steps, final: every 7th request posts a verdict and its thread reply). Every ${SAMPLE_SECONDS} s: the window's answer latencies, the process's RSS, and heap used and event-loop lag p99 from /metrics.`,
  );
  lines.push(
    `- ${report.totalRequests.toLocaleString('en')} requests, ${report.totalErrors} errors; ${report.finalsSent.toLocaleString('en')} final submissions sent, ${report.delivered?.toLocaleString('en') ?? 'n/a'} verdicts counted as posted by ftrag's metrics, ${report.posted.toLocaleString('en')} chat.postMessage calls at the fake (verdict + thread reply each); exit code after SIGTERM: ${report.exitCode}.`,
  );
  lines.push(
    `- Memory: RSS between ${mb(Math.min(...rssValues))} and ${mb(Math.max(...rssValues))} MB; ${trend(samples)}. Latency p99 per window: median ${median(samples.map((s) => s.p99)).toFixed(0)} ms, worst ${Math.max(...samples.map((s) => s.p99)).toFixed(0)} ms.`,
  );
  lines.push('');
  lines.push(
    '| t (s) | req/s | p50 ms | p99 ms | max ms | errors | RSS MB | heap used MB | loop lag p99 ms | deliveries running |',
  );
  lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of samples) {
    lines.push(
      `| ${s.at} | ${(s.requests / SAMPLE_SECONDS).toFixed(0)} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} | ${s.errors} | ${mb(s.rss)} | ${mb(s.heapUsed)} | ${s.lagP99 === null ? 'n/a' : (s.lagP99 * 1000).toFixed(1)} | ${s.inFlight ?? 'n/a'} |`,
    );
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
