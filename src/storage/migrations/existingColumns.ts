import type { Kysely } from 'kysely';

/**
 * The columns `table` has already, for a migration that adds some: SQLite runs DDL outside the
 * migration's transaction and has no ADD COLUMN IF NOT EXISTS, so a column added by a half-applied
 * run must be skipped when it runs again. Inside a transaction (PostgreSQL) a failed run left
 * nothing behind: none.
 */
export async function existingColumns(db: Kysely<unknown>, table: string): Promise<Set<string>> {
  if (db.isTransaction) return new Set();
  const tables = await db.introspection.getTables();
  const found = tables.find((candidate) => candidate.name === table);
  return new Set(found?.columns.map((column) => column.name) ?? []);
}
