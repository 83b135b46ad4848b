import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { migrations } from '../../src/storage/migrations/index.js';
import { createPostgresSchema, postgresProbe, postgresSuiteTitle } from './support.js';

/** Brings `db` to ftrag's schema as it stood after migration `name`: a previous version's database. */
export async function migrateUpTo(
  db: Kysely<unknown>,
  name: string,
  schema?: string,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateTo(name);
  if (error !== undefined) throw error;
}

export interface OldDatabase {
  url: string;
  /** Open on the database, for writing rows as the previous version did; destroy before reopening. */
  db: Kysely<unknown>;
}

/**
 * SQLite files migrated up to `name`, each in its own temp folder (removed after the suite): call
 * in a describe block.
 */
export function oldSqliteDatabases(name: string): () => Promise<OldDatabase> {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftrag-migration-'));
    dirs.push(dir);
    const file = join(dir, 'ftrag.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    await migrateUpTo(db, name);
    return { url: `sqlite:${file}`, db };
  };
}

/** A fresh PostgreSQL schema migrated up to `name`, given to `use`, then dropped. */
export async function withOldPostgresDatabase(
  name: string,
  use: (database: OldDatabase) => Promise<void>,
): Promise<void> {
  const schema = await createPostgresSchema();
  try {
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: schema.url }) }),
    });
    await migrateUpTo(db, name, schema.schema);
    await use({ url: schema.url, db });
  } finally {
    await schema.drop();
  }
}

export interface MigrationCase {
  /** The migration under test, for the suites' titles. */
  migration: string;
  /** The migration before it: the previous version's schema. */
  before: string;
  /** What the test expects of an old row, as the title of its test. */
  expectation: string;
  /** Writes a row as the previous version of ftrag did. */
  insertOldRow(db: Kysely<unknown>, id: string): Promise<void>;
  /** Opens the database at `url` (which migrates it) and checks what became of the old row. */
  expectMigrated(url: string, id: string): Promise<void>;
  /**
   * The column a SQLite run cut off half-way had added (SQLite runs DDL outside a transaction);
   * none for a migration that only writes rows (one statement, all or nothing).
   */
  halfAppliedColumn?: string;
  /** That column's type and constraints, as the migration adds it; `text` when not given. */
  halfAppliedColumnType?: string;
}

/**
 * A migration's suites: an old row survives it on SQLite and PostgreSQL, and on SQLite a run cut
 * off half-way finishes.
 */
export function describeMigration(testCase: MigrationCase): void {
  const { migration, before, expectation, insertOldRow, expectMigrated } = testCase;
  describe(`migration ${migration} on SQLite`, () => {
    const oldDatabase = oldSqliteDatabases(before);

    it(expectation, async () => {
      const { url, db } = await oldDatabase();
      await insertOldRow(db, 'old-1');
      await db.destroy();
      await expectMigrated(url, 'old-1');
    });

    const column = testCase.halfAppliedColumn;
    if (column === undefined) return;
    it('finishes a half-applied run (SQLite runs DDL outside a transaction)', async () => {
      const { url, db } = await oldDatabase();
      await insertOldRow(db, 'old-2');
      const type = sql.raw(testCase.halfAppliedColumnType ?? 'text');
      await sql`alter table reviews add column ${sql.id(column)} ${type}`.execute(db);
      await db.destroy();
      await expectMigrated(url, 'old-2');
    });
  });

  describe.skipIf(!postgresProbe.available)(
    postgresSuiteTitle(`migration ${migration} on PostgreSQL`),
    () => {
      it(expectation, async () => {
        await withOldPostgresDatabase(before, async ({ url, db }) => {
          await insertOldRow(db, 'old-3');
          await db.destroy();
          await expectMigrated(url, 'old-3');
        });
      });
    },
  );
}
