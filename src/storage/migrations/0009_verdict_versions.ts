import type { Kysely } from 'kysely';

const COLUMN = 'verdict_version';
const TABLES = ['reviews', 'votes'] as const;

/**
 * `verdict_version` on a review: 1, then one more each time "Edit answers" changes its verdict (in
 * the edit's own UPDATE). On a vote: the version of the verdict it was cast on. A vote counts only
 * while its version is the review's: an edit changing the verdict retires the votes cast on the
 * earlier one in the same write that changes it, and a vote cast on a verdict already replaced
 * never counts. Existing rows start at 1 on both sides, so every vote counts as it did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // As in 0004: SQLite runs DDL outside the migration's transaction and has no ADD COLUMN IF NOT
  // EXISTS, so a column added by a half-applied run is skipped.
  const tables = db.isTransaction ? [] : await db.introspection.getTables();
  for (const name of TABLES) {
    const table = tables.find((candidate) => candidate.name === name);
    if (table?.columns.some((column) => column.name === COLUMN)) continue;
    await db.schema
      .alterTable(name)
      .addColumn(COLUMN, 'integer', (col) => col.notNull().defaultTo(1))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of TABLES) await db.schema.alterTable(name).dropColumn(COLUMN).execute();
}
