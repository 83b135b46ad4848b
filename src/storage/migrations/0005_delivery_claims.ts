import type { Kysely } from 'kysely';

const COLUMN = 'delivery_claimed_until';

/**
 * Delivery claims: an instance about to post a review's verdict first sets `delivery_claimed_until`
 * (epoch milliseconds) in one conditional UPDATE, so of several instances queueing the same review
 * (a posting queued on one, Post again pressed on another) exactly one posts it. Null: unclaimed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // As in 0004: SQLite runs DDL outside the migration's transaction and has no ADD COLUMN IF NOT
  // EXISTS, so a column added by a half-applied run is skipped.
  if (!db.isTransaction) {
    const tables = await db.introspection.getTables();
    const reviews = tables.find((table) => table.name === 'reviews');
    if (reviews?.columns.some((column) => column.name === COLUMN)) return;
  }
  await db.schema.alterTable('reviews').addColumn(COLUMN, 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reviews').dropColumn(COLUMN).execute();
}
