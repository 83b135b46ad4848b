import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CachedStatements } from '../../src/storage/statementCache.js';

describe('CachedStatements', () => {
  it('prepares each SQL text once and hands the same statement out again', () => {
    const cache = new CachedStatements(new SQLite(':memory:'));
    const first = cache.prepare('select 1 as one');
    expect(cache.prepare('select 1 as one')).toBe(first);
    expect(cache.prepare('select 2 as two')).not.toBe(first);
    expect(cache.size).toBe(2);
    cache.close();
  });

  it('keeps at most `capacity` statements, dropping the least recently used', () => {
    const cache = new CachedStatements(new SQLite(':memory:'), 2);
    const a = cache.prepare('select 1');
    cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a);
    cache.prepare('select 3');
    expect(cache.size).toBe(2);
    expect(cache.prepare('select 1')).toBe(a);
    cache.close();
  });

  it('serves Kysely: writes and reads, the same query many times over', async () => {
    const db = new Kysely<{ notes: { id: number; body: string } }>({
      dialect: new SqliteDialect({ database: new CachedStatements(new SQLite(':memory:')) }),
    });
    await sql`create table notes (id integer primary key, body text not null)`.execute(db);
    for (let id = 1; id <= 50; id++) {
      await db
        .insertInto('notes')
        .values({ id, body: `note ${id}` })
        .execute();
    }
    const rows = await db.selectFrom('notes').selectAll().where('id', '>', 45).execute();
    expect(rows.map((row) => row.body)).toEqual([46, 47, 48, 49, 50].map((id) => `note ${id}`));
    const counted = await db
      .selectFrom('notes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(counted.n).toBe(50);
    await db.destroy();
  });
});
