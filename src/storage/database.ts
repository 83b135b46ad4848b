import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_MIGRATION_TABLE,
  Kysely,
  type LogEvent,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely';
import { migrations, staticMigrationProvider } from './migrations/index.js';
import type { Schema } from './schema.js';
import { CachedStatements } from './statementCache.js';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/ftrag.db';

export const ACCEPTED_DATABASE_URLS =
  'sqlite:<path> (relative to the working directory), sqlite::memory:, ' +
  'postgres://user@host:5432/db or postgresql://user@host:5432/db';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Database {
  kind: DatabaseKind;
  db: Kysely<Schema>;
  /** Where this database's migrations stand against this build's; reads only. */
  migrationState(): Promise<MigrationState>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * - `none`: no ftrag schema here (no migration table recording ftrag's first migration, or no
 *   reviews table): another database, schema or file than ftrag's, or one never migrated.
 * - `behind`: this build has migrations the database has not run (`pending`).
 * - `ahead`: the database ran migrations this build doesn't know (`unknown`): a newer ftrag's.
 */
export type MigrationState =
  | { status: 'none' }
  | { status: 'current' }
  | { status: 'behind'; pending: string[] }
  | { status: 'ahead'; unknown: string[] };

export type DatabaseLocation =
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; connectionString: string };

const SQLITE_MEMORY = ':memory:';
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Accepted forms:
 * - `sqlite:./data/ftrag.db`, `sqlite:/abs/ftrag.db` (also `sqlite://./x.db`, `sqlite:///abs/x.db`);
 *   relative paths resolve against process.cwd().
 * - `sqlite::memory:` — a private in-memory database (tests).
 * - `postgres://…` / `postgresql://…` — any node-postgres connection string. To use a schema other
 *   than `public`, set the search path in the URL: `?options=-c%20search_path%3Dmy_schema`
 *   (see {@link postgresUrlWithSchema}); the schema must exist.
 */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    return { kind: 'postgres', connectionString: trimmed };
  }
  if (/^sqlite:/i.test(trimmed)) {
    let path = trimmed.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === SQLITE_MEMORY) return { kind: 'sqlite', filename: SQLITE_MEMORY };
    if (path === '') {
      throw new Error(`DATABASE_URL "sqlite:" names no file. Accepted: ${ACCEPTED_DATABASE_URLS}`);
    }
    return { kind: 'sqlite', filename: resolve(path) };
  }
  // Only the scheme is echoed: the rest may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  const shown = scheme === undefined ? 'a URL without a scheme' : `scheme "${scheme}:"`;
  throw new Error(`Unsupported DATABASE_URL (${shown}). Accepted: ${ACCEPTED_DATABASE_URLS}`);
}

/** Returns `url` with its PostgreSQL search_path set to `schema` (which must already exist). */
export function postgresUrlWithSchema(url: string, schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${schema}": expected [A-Za-z_][A-Za-z0-9_]*`);
  }
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/**
 * Opens the database named by `url`, brings its schema up to date (unless `options.migrate` is
 * false) and returns it.
 */
export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const location = parseDatabaseUrl(url);
  return location.kind === 'sqlite'
    ? openSqlite(location.filename, options)
    : openPostgres(location.connectionString, options);
}

export interface DatabaseOptions {
  /** Called after every query with its duration (Kysely's `log` hook), e.g. for metrics. */
  onQuery?: (event: LogEvent) => void;
  /**
   * `false` opens the database as it is, for tools that must not change a database that may not be
   * ftrag's (`ftrag purge`): no migrations, and a SQLite file must already exist and keeps its
   * journal mode. Check {@link Database.migrationState} before using it. Default `true`.
   */
  migrate?: boolean;
}

// Each driver is loaded only when its database is opened: the one not in use would only take
// memory (node-postgres alone holds about 3 MB of heap once loaded).
async function openSqlite(filename: string, options: DatabaseOptions): Promise<Database> {
  const { default: SQLite } = await import('better-sqlite3');
  const migrate = options.migrate ?? true;
  // The driver's errors (`EEXIST: file already exists, mkdir …`, `unable to open database file`)
  // name neither the setting nor the step.
  const failed = (what: string, error: unknown) =>
    new Error(`DATABASE_URL (sqlite:${filename}): ${what} (${message(error)})`, { cause: error });
  if (migrate && filename !== SQLITE_MEMORY) {
    try {
      mkdirSync(dirname(filename), { recursive: true });
    } catch (error) {
      throw failed(`cannot create its directory ${dirname(filename)}`, error);
    }
  }
  let connection: InstanceType<typeof SQLite>;
  try {
    connection = new SQLite(filename, { fileMustExist: !migrate });
  } catch (error) {
    throw failed('SQLite cannot open it', error);
  }
  try {
    // Persistent (it is written into the file), so only for a database ftrag is about to migrate.
    if (migrate) connection.pragma('journal_mode = WAL');
    connection.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    connection.pragma('foreign_keys = ON');
  } catch (error) {
    connection.close();
    throw failed(
      Reflect.get(Object(error), 'code') === 'SQLITE_NOTADB'
        ? 'not a SQLite database'
        : 'SQLite cannot use it',
      error,
    );
  }
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: new CachedStatements(connection) }),
    ...(options.onQuery ? { log: options.onQuery } : {}),
  });
  return finishOpening('sqlite', db, undefined, options);
}

async function openPostgres(connectionString: string, options: DatabaseOptions): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
  });
  // Without a listener, an idle client losing its connection (server restart) crashes the process.
  pool.on('error', (error) => {
    console.error(`PostgreSQL idle client error: ${error.message}`);
  });
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool }),
    ...(options.onQuery ? { log: options.onQuery } : {}),
  });
  let schema: string;
  try {
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
      db,
    );
    const current = result.rows[0]?.schema;
    if (current === null || current === undefined) {
      throw new Error(
        'PostgreSQL search_path names no existing schema: create the schema before connecting',
      );
    }
    schema = current;
  } catch (error) {
    await db.destroy();
    throw new Error(
      `DATABASE_URL (postgres://${describePostgres(connectionString)}): could not open the database (${message(error)})`,
      { cause: error },
    );
  }
  // Kysely looks for its migration tables in every schema unless told which one, so a second
  // schema in the same database (tests, staging) would otherwise see the first one's tables.
  return finishOpening('postgres', db, schema, options);
}

async function finishOpening(
  kind: DatabaseKind,
  db: Kysely<Schema>,
  migrationTableSchema: string | undefined,
  options: DatabaseOptions,
): Promise<Database> {
  if (options.migrate ?? true) {
    try {
      await migrate(db, migrationTableSchema);
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  let closing: Promise<void> | undefined;
  return {
    kind,
    db,
    migrationState: () => readMigrationState(kind, db, migrationTableSchema),
    close: () => {
      closing ??= db.destroy();
      return closing;
    },
  };
}

/** Never released without it, and never renamed: a migration table lacking it is not ftrag's. */
const FIRST_MIGRATION = Object.keys(migrations)[0] ?? '';

async function readMigrationState(
  kind: DatabaseKind,
  db: Kysely<Schema>,
  schema: string | undefined,
): Promise<MigrationState> {
  const wanted = [DEFAULT_MIGRATION_TABLE, 'reviews'];
  const { rows: tables } =
    kind === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' and name in (${sql.join(wanted)})`.execute(db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = ${schema} and table_name in (${sql.join(wanted)})`.execute(db);
  if (tables.length < wanted.length) return { status: 'none' };
  const migrationTable =
    schema === undefined
      ? sql.id(DEFAULT_MIGRATION_TABLE)
      : sql.id(schema, DEFAULT_MIGRATION_TABLE);
  const { rows } = await sql<{ name: string }>`select name from ${migrationTable}`.execute(db);
  const executed = new Set(rows.map((row) => row.name));
  if (!executed.has(FIRST_MIGRATION)) return { status: 'none' };
  const known = Object.keys(migrations);
  const unknown = [...executed].filter((name) => !known.includes(name)).sort();
  if (unknown.length > 0) return { status: 'ahead', unknown };
  const pending = known.filter((name) => !executed.has(name));
  return pending.length > 0 ? { status: 'behind', pending } : { status: 'current' };
}

async function migrate(
  db: Kysely<Schema>,
  migrationTableSchema: string | undefined,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: staticMigrationProvider,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const which = failed === undefined ? '' : ` ${failed}`;
    throw new Error(`Database migration${which} failed: ${message(error)}`, { cause: error });
  }
}

/** Host, port and database of a PostgreSQL URL, without its user or password. */
export function describePostgres(connectionString: string): string {
  try {
    const parsed = new URL(connectionString);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
