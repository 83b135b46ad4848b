import type { Kysely } from 'kysely';
import { existingColumns } from './existingColumns.js';

const COLUMN = 'posted_verdict';

/**
 * `posted_verdict`: where a posting put the review's verdict message (JSON: its conversation, ts,
 * thread, and the route it took), written as soon as the message is out, before its thread reply
 * and before the delivery is recorded; null otherwise. A posting that breaks off in between (the
 * instance stopped or died, or recording the delivery failed) leaves the review undelivered with
 * this on record, and the next posting finishes that message instead of posting a second copy.
 * Existing reviews keep null: nothing is known of a posting broken off before this migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const exists = (await existingColumns(db, 'reviews')).has(COLUMN);
  if (!exists) await db.schema.alterTable('reviews').addColumn(COLUMN, 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reviews').dropColumn(COLUMN).execute();
}
