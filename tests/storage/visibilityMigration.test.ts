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

const BEFORE_VISIBILITY = '0006_undelivered_index';

/** Brings a database to the schema as it was before conversation visibility was recorded. */
async function migrateBeforeVisibility(db: Kysely<unknown>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateTo(BEFORE_VISIBILITY);
  if (error !== undefined) throw error;
}

/** A review posted in a channel by the previous version of ftrag (no visibility column). */
async function insertOldReview(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
      target_channel_id, answers, decision, verdict, rules_version, status, posted_channel_id,
      created_at, updated_at)
    values (${id}, 'T-OLD', null, 'U-OLD', ${`key-${id}`}, ${JSON.stringify(targetFixture())},
      'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
      ${decision.rulesVersion}, 'posted', 'C-GENERAL', 1700000000000, 1700000000000)`.execute(db);
}

/** The old review is kept, not known to be public (so not listed across the workspace) until recorded. */
async function expectOldReviewNotKnownPublic(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const reviews = createKyselyReviewRepository(database.db, () => new Date(1_800_000_000_000));
    expect(await reviews.get('T-OLD', id)).toMatchObject({
      id,
      status: 'posted',
      conversationVisibility: null,
    });
    const page = { limit: 10, offset: 0 };
    expect((await reviews.list({ teamId: 'T-OLD' }, page)).total).toBe(1);
    expect(await reviews.list({ teamId: 'T-OLD', publicOnly: true }, page)).toEqual({
      reviews: [],
      total: 0,
    });
    await reviews.recordVisibility('T-OLD', id, 'public');
    const listed = await reviews.list({ teamId: 'T-OLD', publicOnly: true }, page);
    expect(listed.reviews.map((review) => review.id)).toEqual([id]);
  } finally {
    await database.close();
  }
}

describe('migration 0007_conversation_visibility on SQLite', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function oldDatabase(): Promise<{ url: string; db: Kysely<unknown> }> {
    const dir = await mkdtemp(join(tmpdir(), 'ftrag-visibility-'));
    dirs.push(dir);
    const file = join(dir, 'ftrag.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    await migrateBeforeVisibility(db);
    return { url: `sqlite:${file}`, db };
  }

  it('leaves existing reviews not known to be public', async () => {
    const { url, db } = await oldDatabase();
    await insertOldReview(db, 'old-1');
    await db.destroy();
    await expectOldReviewNotKnownPublic(url, 'old-1');
  });

  it('finishes a half-applied run (SQLite runs DDL outside a transaction)', async () => {
    const { url, db } = await oldDatabase();
    await insertOldReview(db, 'old-2');
    await sql`alter table reviews add column conversation_visibility text`.execute(db);
    await db.destroy();
    await expectOldReviewNotKnownPublic(url, 'old-2');
  });
});

describe.skipIf(!postgresProbe.available)(
  postgresSuiteTitle('migration 0007_conversation_visibility on PostgreSQL'),
  () => {
    it('leaves existing reviews not known to be public', async () => {
      const schema = await createPostgresSchema();
      try {
        const db = new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.url }) }),
        });
        await migrateBeforeVisibility(db, schema.schema);
        await insertOldReview(db, 'old-3');
        await db.destroy();
        await expectOldReviewNotKnownPublic(schema.url, 'old-3');
      } finally {
        await schema.drop();
      }
    });
  },
);
