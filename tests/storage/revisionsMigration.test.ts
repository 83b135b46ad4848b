import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import {
  answersFixture,
  createPostgresSchema,
  decisionFixture,
  postgresProbe,
  postgresSuiteTitle,
  targetFixture,
} from './support.js';

const BEFORE_REVISIONS = '0003_votes';

/** Brings a database to the schema as it was before revisions existed. */
async function migrateBeforeRevisions(db: Kysely<unknown>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateTo(BEFORE_REVISIONS);
  if (error !== undefined) throw error;
}

/** A review row written by the previous version of ftrag (no revision columns). */
async function insertOldReview(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
      target_channel_id, answers, decision, verdict, rules_version, status, created_at, updated_at)
    values (${id}, 'T-OLD', null, 'U-OLD', ${`key-${id}`}, ${JSON.stringify(targetFixture())},
      'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
      ${decision.rulesVersion}, 'posted', 1700000000000, 1700000000000)`.execute(db);
}

async function expectOldReviewIsRevisionOne(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const reviews = createKyselyReviewRepository(database.db, () => new Date(1_800_000_000_000));
    const old = await reviews.get('T-OLD', id);
    expect(old).toMatchObject({ id, revisionOf: null, revision: 1, status: 'posted' });
    const { review: next } = await reviews.createPending({
      submissionKey: `rerun-${id}`,
      teamId: 'T-OLD',
      enterpriseId: null,
      userId: 'U-OLD',
      target: targetFixture(),
      answers: answersFixture(),
      decision: decisionFixture('prompt'),
      revisionOf: id,
    });
    expect(next).toMatchObject({ revisionOf: id, revision: 2 });
  } finally {
    await database.close();
  }
}

describe('migration 0004_review_revisions on SQLite', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function oldDatabase(): Promise<{ url: string; db: Kysely<unknown> }> {
    const dir = await mkdtemp(join(tmpdir(), 'ftrag-revisions-'));
    dirs.push(dir);
    const file = join(dir, 'ftrag.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    await migrateBeforeRevisions(db);
    return { url: `sqlite:${file}`, db };
  }

  it('gives existing reviews revision 1 and no predecessor', async () => {
    const { url, db } = await oldDatabase();
    await insertOldReview(db, 'old-1');
    await db.destroy();
    await expectOldReviewIsRevisionOne(url, 'old-1');
  });

  it('finishes a half-applied run (SQLite runs DDL outside a transaction)', async () => {
    const { url, db } = await oldDatabase();
    await insertOldReview(db, 'old-2');
    await sql`alter table reviews add column revision_of text`.execute(db);
    await db.destroy();
    await expectOldReviewIsRevisionOne(url, 'old-2');
  });
});

describe.skipIf(!postgresProbe.available)(
  postgresSuiteTitle('migration 0004_review_revisions on PostgreSQL'),
  () => {
    it('gives existing reviews revision 1 and no predecessor', async () => {
      const schema = await createPostgresSchema();
      try {
        const db = new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.url }) }),
        });
        await migrateBeforeRevisions(db, schema.schema);
        await insertOldReview(db, 'old-3');
        await db.destroy();
        await expectOldReviewIsRevisionOne(schema.url, 'old-3');
      } finally {
        await schema.drop();
      }
    });
  },
);
