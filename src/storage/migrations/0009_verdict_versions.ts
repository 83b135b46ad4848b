import { type Kysely, sql } from 'kysely';
import { existingColumns } from './existingColumns.js';

const COLUMN = 'verdict_version';

/**
 * `verdict_version` on a review: 1, then one more each time "Edit answers" changes its verdict (in
 * the edit's own UPDATE). On a vote: the version of the verdict it was cast on, or NULL for a vote
 * written by an instance from before versions (during a rolling upgrade), which counts on the
 * verdict the review has. A vote counts only while its version is the review's: an edit changing
 * the verdict retires the votes cast on the earlier one, NULL ones included, in the same write
 * that changes it, and a vote cast on a verdict already replaced never counts. Existing votes take
 * their review's version (1), so every vote counts as it did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const has = async (table: string) => (await existingColumns(db, table)).has(COLUMN);
  if (!(await has('reviews'))) {
    await db.schema
      .alterTable('reviews')
      .addColumn(COLUMN, 'integer', (col) => col.notNull().defaultTo(1))
      .execute();
  }
  // No default: an older instance's INSERT, which names no version, leaves NULL (the current
  // verdict), not 1 (a verdict an edit may have replaced already).
  if (!(await has('votes'))) {
    await db.schema.alterTable('votes').addColumn(COLUMN, 'integer').execute();
  }
  // Only NULLs, so a rerun after a half-applied one changes nothing else.
  await sql`update votes set verdict_version = (select reviews.verdict_version from reviews
      where reviews.id = votes.review_id)
    where verdict_version is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of ['reviews', 'votes']) {
    await db.schema.alterTable(name).dropColumn(COLUMN).execute();
  }
}
