import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { CliIo } from '../../src/cli/decide.js';
import { parseDatabaseUrl } from '../../src/storage/database.js';
import { migrateUpTo } from '../storage/migrationSupport.js';

/** A CliIo that keeps what a command writes. */
export function capture(): { io: CliIo; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: () => out.join(''),
    err: () => err.join(''),
    io: {
      stdin: process.stdin,
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => err.push(text),
      readFile: async () => '',
    },
  };
}

/** A Kysely of its own on `url` (not ftrag's storage), with the PostgreSQL schema it works in. */
export async function rawDatabase(url: string): Promise<{ db: Kysely<unknown>; schema?: string }> {
  const location = parseDatabaseUrl(url);
  if (location.kind === 'sqlite') {
    return {
      db: new Kysely({ dialect: new SqliteDialect({ database: new SQLite(location.filename) }) }),
    };
  }
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
  });
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return { db, schema: rows[0]?.schema };
}

export async function tables(url: string): Promise<string[]> {
  const { db, schema } = await rawDatabase(url);
  try {
    const { rows } =
      schema === undefined
        ? await sql<{ name: string }>`select name from sqlite_master
            where type = 'table' order by name`.execute(db)
        : await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = ${schema} order by table_name`.execute(db);
    return rows.map((row) => row.name);
  } finally {
    await db.destroy();
  }
}

/** Brings the database at `url` to ftrag's schema as it stood after migration `name`. */
export async function migrateTo(url: string, name: string): Promise<void> {
  const { db, schema } = await rawDatabase(url);
  try {
    await migrateUpTo(db, name, schema);
  } finally {
    await db.destroy();
  }
}

export async function executedMigrations(url: string): Promise<string[]> {
  const { db } = await rawDatabase(url);
  try {
    const { rows } = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(db);
    return rows.map((row) => row.name);
  } finally {
    await db.destroy();
  }
}
