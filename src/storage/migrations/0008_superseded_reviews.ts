import { type Kysely, sql } from 'kysely';
import { existingColumns } from './existingColumns.js';

const COLUMN = 'superseded';

/**
 * `superseded`: 1 once a re-run has made a later revision of the review, else 0. The re-run sets
 * it on the predecessor in the transaction that inserts the revision, and "Edit answers" saves
 * only a row where it is 0: so the two write the same row, and on PostgreSQL the row lock decides
 * which comes first (a NOT EXISTS on the later revision alone does not: at READ COMMITTED the
 * edit's UPDATE doesn't see an insert made after it started, and both would go through).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const exists = (await existingColumns(db, 'reviews')).has(COLUMN);
  if (!exists) {
    await db.schema
      .alterTable('reviews')
      .addColumn(COLUMN, 'integer', (col) => col.notNull().defaultTo(0))
      .execute();
  }
  // Reviews re-run before this migration; the rest keep the default 0. Only those rows are
  // written (rewriting every row would lock the whole table on PostgreSQL while instances of the
  // previous version still serve), and a second run finds nothing more to mark.
  await sql`update reviews set ${sql.ref(COLUMN)} = 1
    where ${sql.ref(COLUMN)} = 0 and exists (
      select 1 from reviews as later
      where later.team_id = reviews.team_id and later.revision_of = reviews.id
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reviews').dropColumn(COLUMN).execute();
}
