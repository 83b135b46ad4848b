import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { runPurge } from '../../src/cli/purge.js';
import { parseDatabaseUrl } from '../../src/storage/database.js';
import { createStorage } from '../../src/storage/index.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { newReviewFixture, storageBackends } from '../storage/support.js';
import { capture, executedMigrations, migrateTo, rawDatabase, tables } from './support.js';

async function purge(args: string[], url: string) {
  const { io, out, err } = capture();
  const code = await runPurge(args, io, () => url);
  return { code, stdout: out(), stderr: err() };
}

const noDatabase = () => {
  throw new Error('this purge must not look for a database');
};

describe('ftrag purge arguments', () => {
  it('refuses an Enterprise Grid org id: reviews are stored under the workspace id', async () => {
    const { io, out, err } = capture();
    expect(await runPurge(['--team', 'E0123456789'], io, noDatabase)).toBe(2);
    expect(out()).toBe('');
    expect(err()).toContain('E0123456789 is an Enterprise Grid organization id');
    expect(err()).toContain('workspace id (T…)');
  });

  it.each([[['--help']], [['-h']], [['--team', 'T0123456789', '--help']]])(
    '%j prints the usage and exits 0',
    async (args) => {
      const { io, out, err } = capture();
      expect(await runPurge(args, io, noDatabase)).toBe(0);
      expect(out()).toContain('usage: ftrag purge --team T0123456789');
      expect(err()).toBe('');
    },
  );
});

const latest = Object.keys(migrations).at(-1) ?? '';

describe.each(storageBackends.filter((backend) => backend.shared))(
  'ftrag purge on $title',
  ({ skip, prepare }) => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    });
    async function database(): Promise<string> {
      const { url, cleanup } = await prepare();
      cleanups.push(cleanup);
      return url;
    }

    it.skipIf(skip)('refuses an empty database and creates nothing in it', async () => {
      const url = await database();
      const { db } = await rawDatabase(url);
      await db.destroy(); // a SQLite file now exists, empty
      const result = await purge(['--team', 'T0123456789'], url);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('has no ftrag tables');
      expect(await tables(url)).toEqual([]);
    });

    it.skipIf(skip)('refuses a database that is not ftrag’s and leaves it as it was', async () => {
      const url = await database();
      const { db } = await rawDatabase(url);
      await sql`create table reviews (id text primary key)`.execute(db);
      await db.destroy();
      const result = await purge(['--team', 'T0123456789'], url);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('has no ftrag tables');
      expect(await tables(url)).toEqual(['reviews']);
      const location = parseDatabaseUrl(url);
      if (location.kind === 'sqlite') {
        // The app switches its own database to WAL, which is written into the file.
        const file = new SQLite(location.filename, { readonly: true });
        expect(file.pragma('journal_mode', { simple: true })).toBe('delete');
        file.close();
      }
    });

    it.skipIf(skip)('refuses a database whose migrations are behind this build', async () => {
      const url = await database();
      await migrateTo(url, '0003_votes');
      const result = await purge(['--team', 'T0123456789'], url);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('start the app once');
      expect(await executedMigrations(url)).toEqual([
        '0001_reviews',
        '0002_installations',
        '0003_votes',
      ]);
    });

    it.skipIf(skip)('refuses a database a newer ftrag has migrated', async () => {
      const url = await database();
      await migrateTo(url, latest);
      const { db } = await rawDatabase(url);
      await sql`insert into kysely_migration (name, timestamp)
        values ('9999_from_a_newer_ftrag', '2030-01-01T00:00:00.000Z')`.execute(db);
      await db.destroy();
      const result = await purge(['--team', 'T0123456789'], url);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('9999_from_a_newer_ftrag');
      expect(result.stderr).toContain('matching ftrag version');
    });

    it.skipIf(skip)('deletes one workspace’s reviews from an up-to-date database', async () => {
      const url = await database();
      const storage = await createStorage(url);
      try {
        await storage.reviews.createPending(newReviewFixture({ teamId: 'T0PURGEME1' }));
        await storage.reviews.createPending(newReviewFixture({ teamId: 'T0KEEPME01' }));
      } finally {
        await storage.close();
      }
      const result = await purge(['--team', 'T0PURGEME1'], url);
      expect(result).toEqual({
        code: 0,
        stdout: 'Deleted 1 review of workspace T0PURGEME1.\n',
        stderr: '',
      });
    });
  },
);
