import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Answers } from '../../src/decision/answers.js';
import type { Decision, VerdictKind } from '../../src/decision/types.js';
import { postgresUrlWithSchema } from '../../src/storage/database.js';
import type { DeliveryOutcome, DeliveryTarget, NewReview } from '../../src/storage/repository.js';

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const postgresBaseUrl = process.env.FTRAG_TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL;

export type PostgresProbe = { available: true } | { available: false; reason: string };

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function probePostgres(url: string): Promise<PostgresProbe> {
  try {
    await withClient(url, (client) => client.query('select 1'));
    return { available: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    const where = new URL(url);
    return { available: false, reason: `PostgreSQL at ${where.host}${where.pathname}: ${reason}` };
  }
}

export const postgresProbe = await probePostgres(postgresBaseUrl);
if (!postgresProbe.available) {
  console.warn(`Skipping PostgreSQL storage tests: ${postgresProbe.reason}`);
}

/** Suite title that carries the skip reason, so a skip is visible in the report. */
export function postgresSuiteTitle(title: string): string {
  return postgresProbe.available ? title : `${title} — SKIPPED: ${postgresProbe.reason}`;
}

export interface PostgresSchema {
  schema: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh schema per suite, so parallel test files and reruns never share tables. */
export async function createPostgresSchema(): Promise<PostgresSchema> {
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  await withClient(postgresBaseUrl, (client) => client.query(`create schema "${schema}"`));
  return {
    schema,
    url: postgresUrlWithSchema(postgresBaseUrl, schema),
    drop: async () => {
      await withClient(postgresBaseUrl, (client) =>
        client.query(`drop schema if exists "${schema}" cascade`),
      );
    },
  };
}

/** Advances one second per reading, so every write gets a distinct, increasing timestamp. */
export function steppingClock(start = Date.UTC(2025, 0, 1)): { clock: () => Date; last(): Date } {
  let next = start;
  let last = new Date(start);
  return {
    clock: () => {
      last = new Date(next);
      next += 1_000;
      return last;
    },
    last: () => last,
  };
}

export function uniqueId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`;
}

export function answersFixture(overrides: Partial<Answers> = {}): Answers {
  return {
    title: 'Support bot answers policy questions',
    problem: 'Answers go stale when the handbook changes 🙂',
    leaning: 'fine-tune',
    promptTried: 'scored-falls-short',
    gap: 'knowledge',
    knowledge: { changesOften: true, citationsNeeded: true },
    ...overrides,
  };
}

export function decisionFixture(verdict: VerdictKind = 'rag', rulesVersion = '2025-01'): Decision {
  return {
    verdict,
    headline: `Go with ${verdict}`,
    rationale: ['The gap is knowledge that changes often.'],
    warnings: [{ code: 'knowledge-in-weights', message: 'Facts baked into weights go stale.' }],
    nextSteps: ['Index the handbook.'],
    measure: ['Answer accuracy on 50 real questions.'],
    tradeoffs: [{ aspect: 'Freshness', rag: 'Re-index', fineTuning: 'Retrain' }],
    sources: [{ title: 'A guide', url: 'https://example.com/guide' }],
    rulesVersion,
  };
}

export function targetFixture(overrides: Partial<DeliveryTarget> = {}): DeliveryTarget {
  return {
    channelId: 'C-GENERAL',
    threadTs: null,
    broadcast: false,
    responseUrl: 'https://hooks.slack.com/commands/T/1/abc',
    ...overrides,
  };
}

/** Where a verdict landed: posted in a channel, the detail in its thread. */
export function postedOutcomeFixture(overrides: Partial<DeliveryOutcome> = {}): DeliveryOutcome {
  return {
    status: 'posted',
    postedChannelId: 'C-GENERAL',
    messageTs: '1700000001.000200',
    threadTs: '1700000001.000200',
    permalink: null,
    ...overrides,
  };
}

export function newReviewFixture(
  overrides: Partial<NewReview> & { verdict?: VerdictKind } = {},
): NewReview {
  const { verdict, ...rest } = overrides;
  return {
    submissionKey: uniqueId('sub-'),
    teamId: 'T-DEFAULT',
    enterpriseId: null,
    userId: 'U-DEFAULT',
    target: targetFixture(),
    answers: answersFixture(),
    decision: decisionFixture(verdict),
    ...rest,
  };
}

/** A database the storage suites run on: SQLite in memory, in a temp file, and PostgreSQL. */
export interface StorageBackend {
  title: string;
  skip: boolean;
  /** Whether a second connection to the URL sees the same data (not so for `sqlite::memory:`). */
  shared: boolean;
  prepare(): Promise<{ url: string; cleanup(): Promise<void> }>;
}

export const storageBackends: StorageBackend[] = [
  {
    title: 'sqlite (in memory)',
    skip: false,
    shared: false,
    prepare: async () => ({ url: 'sqlite::memory:', cleanup: async () => {} }),
  },
  {
    title: 'sqlite (temp file)',
    skip: false,
    shared: true,
    prepare: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'ftrag-storage-'));
      return {
        url: `sqlite:${join(dir, 'ftrag.db')}`,
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    title: postgresSuiteTitle('postgres (fresh schema)'),
    skip: !postgresProbe.available,
    shared: true,
    prepare: async () => {
      const schema = await createPostgresSchema();
      return { url: schema.url, cleanup: schema.drop };
    },
  },
];
