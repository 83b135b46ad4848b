import { type Kysely, sql } from 'kysely';

const INDEX = 'reviews_team_user_undelivered_idx';

/**
 * App Home lists a person's undelivered reviews each time it opens. A partial index holds only
 * those rows (few: most reviews are delivered), in the list's order, so the listing never reads
 * the person's delivered reviews. The planners use it only for a query that spells out the same
 * statuses as literals (a bound parameter can't be matched against the index's predicate).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex(INDEX)
    .ifNotExists()
    .on('reviews')
    .columns(['team_id', 'user_id', 'created_at', 'id'])
    .where(sql.ref('status'), 'in', ['pending', 'failed'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex(INDEX).ifExists().execute();
}
