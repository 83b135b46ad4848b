import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * better-sqlite3 for Kysely's SqliteDialect, preparing each SQL text once. Kysely's SQLite driver
 * asks for a fresh prepared statement on every query, and preparing cost about as much as running
 * the statement. The repository's queries are a small fixed set of texts; the bound only matters
 * for `in (…)` lists of many lengths. Safe because better-sqlite3 is synchronous and ftrag never
 * streams (iterate) a query, so a statement is never busy when it is handed out again.
 */
export class CachedStatements implements SqliteDatabase {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(
    private readonly connection: SQLite.Database,
    readonly capacity = 256,
  ) {}

  get size(): number {
    return this.statements.size;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached) {
      // Least recently used goes first: move this one to the end.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.connection.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > this.capacity) {
      const oldest = this.statements.keys().next();
      if (!oldest.done) this.statements.delete(oldest.value);
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.connection.close();
  }
}
