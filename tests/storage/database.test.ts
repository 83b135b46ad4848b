import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type Database,
  openDatabase,
  parseDatabaseUrl,
  postgresUrlWithSchema,
} from '../../src/storage/database.js';
import { createStorage } from '../../src/storage/index.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { repoRoot } from '../support/paths.js';
import { runTs } from '../support/runTs.js';
import {
  createPostgresSchema,
  newReviewFixture,
  type PostgresSchema,
  postgresBaseUrl,
  postgresProbe,
  postgresSuiteTitle,
  storageBackends,
} from './support.js';

const migrationNames = Object.keys(migrations);

async function executedMigrations(database: Database, schema?: string): Promise<string[]> {
  const table =
    schema === undefined ? sql.table('kysely_migration') : sql.table(`${schema}.kysely_migration`);
  const result = await sql<{ name: string }>`select name from ${table} order by name`.execute(
    database.db,
  );
  return result.rows.map((row) => row.name);
}

describe('database URLs', () => {
  it('accepts the documented forms', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' });
    expect(parseDatabaseUrl('sqlite:./data/ftrag.db')).toEqual({
      kind: 'sqlite',
      filename: resolve(process.cwd(), 'data/ftrag.db'),
    });
    expect(parseDatabaseUrl('sqlite:///var/lib/ftrag.db')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/ftrag.db',
    });
    expect(parseDatabaseUrl('postgres://u@h/db')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u@h/db',
    });
    expect(parseDatabaseUrl('postgresql://u@h/db').kind).toBe('postgres');
  });

  it.each(['mysql://root:hunter2@localhost/ftrag', 'ftrag.db', 'sqlite:', ''])(
    'rejects %j naming the accepted forms',
    async (url) => {
      await expect(openDatabase(url)).rejects.toThrow(
        /sqlite:<path>.*sqlite::memory:.*postgres:\/\//,
      );
    },
  );

  it('does not echo the password of an unsupported URL', () => {
    expect(() => parseDatabaseUrl('mysql://root:hunter2@localhost/ftrag')).toThrow(/"mysql:"/);
    expect(() => parseDatabaseUrl('mysql://root:hunter2@localhost/ftrag')).not.toThrow(/hunter2/);
  });

  it('sets the PostgreSQL search path through the URL', () => {
    const url = postgresUrlWithSchema('postgres://postgres@127.0.0.1:5432/test?ssl=false', 't_1');
    expect(new URL(url).searchParams.get('options')).toBe('-c search_path=t_1');
    expect(new URL(url).searchParams.get('ssl')).toBe('false');
    expect(() => postgresUrlWithSchema('postgres://h/db', 'x; drop')).toThrow(/schema name/);
  });
});

/** Opens `url` in a fresh process and reports which database drivers that loaded. */
async function driversLoadedOpening(url: string): Promise<{ pg: boolean; betterSqlite3: boolean }> {
  const fixture = join(repoRoot, 'tests/support/fixtures/loadedDrivers.ts');
  const result = await runTs(fixture, [url], { cwd: repoRoot, env: process.env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('sqlite', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ftrag-db-'));
    dirs.push(dir);
    return dir;
  }

  it('creates the folder of the database file', async () => {
    const file = join(await tempDir(), 'nested', 'deeper', 'ftrag.db');
    const database = await openDatabase(`sqlite:${file}`);
    await database.close();
    expect(existsSync(file)).toBe(true);
  });

  it('turns on WAL, a busy timeout and foreign keys', async () => {
    const database = await openDatabase(`sqlite:${join(await tempDir(), 'ftrag.db')}`);
    try {
      const pragma = async (name: string) =>
        (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(database.db)).rows[0];
      expect(await pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
      expect(await pragma('foreign_keys')).toEqual({ foreign_keys: 1 });
      expect(await pragma('busy_timeout')).toEqual({ timeout: 5000 });
    } finally {
      await database.close();
    }
  });

  it('leaves the PostgreSQL driver unloaded', async () => {
    const url = `sqlite:${join(await tempDir(), 'ftrag.db')}`;
    expect(await driversLoadedOpening(url)).toEqual({ pg: false, betterSqlite3: true });
  });

  it('migrates idempotently and keeps data across reopenings', async () => {
    const url = `sqlite:${join(await tempDir(), 'ftrag.db')}`;
    const first = await createStorage(url);
    const { review } = await first.reviews.createPending(newReviewFixture({ teamId: 'T1' }));
    await first.close();
    await first.close();

    const second = await openDatabase(url);
    const third = await openDatabase(url);
    try {
      expect(await executedMigrations(second)).toEqual(migrationNames);
      const rows = await second.db.selectFrom('reviews').select('id').execute();
      expect(rows).toEqual([{ id: review.id }]);
    } finally {
      await second.close();
      await third.close();
    }
  });
});

describe.skipIf(!postgresProbe.available)(postgresSuiteTitle('postgres'), () => {
  const schemas: PostgresSchema[] = [];
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.close()));
  });
  afterAll(async () => {
    await Promise.all(schemas.map((schema) => schema.drop()));
  });
  async function freshSchema(): Promise<PostgresSchema> {
    const schema = await createPostgresSchema();
    schemas.push(schema);
    return schema;
  }

  it('leaves the SQLite driver unloaded', async () => {
    const { url } = await freshSchema();
    expect(await driversLoadedOpening(url)).toEqual({ pg: true, betterSqlite3: false });
  });

  it('migrates idempotently: opening twice is a no-op', async () => {
    const { url, schema } = await freshSchema();
    opened.push(await openDatabase(url));
    const again = await openDatabase(url);
    opened.push(again);
    expect(await executedMigrations(again, schema)).toEqual(migrationNames);
  });

  it('survives instances booting at the same time on a fresh schema', async () => {
    for (let round = 0; round < 3; round++) {
      const { url, schema } = await freshSchema();
      const instances = await Promise.all(Array.from({ length: 4 }, () => openDatabase(url)));
      opened.push(...instances);
      const [first] = instances;
      if (first === undefined) throw new Error('no instance opened');
      expect(await executedMigrations(first, schema)).toEqual(migrationNames);
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = ${schema} order by table_name`.execute(first.db);
      expect(tables.rows.map((row) => row.table_name)).toEqual([
        'installations',
        'kysely_migration',
        'kysely_migration_lock',
        'reviews',
        'votes',
      ]);
    }
  });

  it('keeps schemas in one database apart', async () => {
    const a = await freshSchema();
    const b = await freshSchema();
    const storageA = await createStorage(a.url);
    const storageB = await createStorage(b.url);
    try {
      await storageA.reviews.createPending(newReviewFixture({ teamId: 'T1' }));
      expect((await storageA.reviews.list({ teamId: 'T1' }, { limit: 5, offset: 0 })).total).toBe(
        1,
      );
      expect((await storageB.reviews.list({ teamId: 'T1' }, { limit: 5, offset: 0 })).total).toBe(
        0,
      );
    } finally {
      await storageA.close();
      await storageB.close();
    }
  });

  it('explains a search path naming no existing schema', async () => {
    const url = postgresUrlWithSchema(postgresBaseUrl, 't_does_not_exist');
    await expect(openDatabase(url)).rejects.toThrow(/search_path names no existing schema/);
  });
});

describe.each(storageBackends.filter((backend) => backend.shared))(
  'opening $title without migrating',
  ({ skip, prepare }) => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });
    async function fresh(): Promise<string> {
      const { url, cleanup } = await prepare();
      cleanups.push(cleanup);
      const location = parseDatabaseUrl(url);
      // An empty SQLite file: opening without migrating refuses a missing one.
      if (location.kind === 'sqlite') await writeFile(location.filename, '');
      return url;
    }

    it.skipIf(skip)('creates nothing and reports no ftrag schema', async () => {
      const url = await fresh();
      const database = await openDatabase(url, { migrate: false });
      try {
        expect(await database.migrationState()).toEqual({ status: 'none' });
      } finally {
        await database.close();
      }
      const migrated = await openDatabase(url);
      try {
        expect(await migrated.migrationState()).toEqual({ status: 'current' });
      } finally {
        await migrated.close();
      }
    });

    it.skipIf(skip)('reports migrations this build has and the database lacks', async () => {
      const url = await fresh();
      const database = await openDatabase(url);
      try {
        const last = migrationNames.at(-1) ?? '';
        await sql`delete from kysely_migration where name = ${last}`.execute(database.db);
        expect(await database.migrationState()).toEqual({ status: 'behind', pending: [last] });
        await sql`insert into kysely_migration (name, timestamp)
          values ('9999_newer', '2030-01-01T00:00:00.000Z')`.execute(database.db);
        expect(await database.migrationState()).toEqual({
          status: 'ahead',
          unknown: ['9999_newer'],
        });
        await sql`delete from kysely_migration`.execute(database.db);
        expect(await database.migrationState()).toEqual({ status: 'none' });
      } finally {
        await database.close();
      }
    });
  },
);

it('opening without migrating refuses a SQLite file that does not exist, and creates nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ftrag-db-'));
  try {
    const file = join(dir, 'missing', 'ftrag.db');
    await expect(openDatabase(`sqlite:${file}`, { migrate: false })).rejects.toThrow();
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
