import { type Kysely, sql } from 'kysely';
import { existingColumns } from './existingColumns.js';

const COLUMN = 'conversation_visibility';
const INDEX = 'reviews_team_public_idx';

/**
 * Whether the conversation a review's verdict went to is a public channel: 'public', 'private', or
 * null while not known (reviews from before this migration, and those Slack would not tell ftrag
 * about). App Home lists only 'public' ones across the workspace; a partial index holds just those,
 * in the list's order. As in 0006, the planners use it only for a query that spells out 'public'
 * as a literal.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const exists = (await existingColumns(db, 'reviews')).has(COLUMN);
  if (!exists) await db.schema.alterTable('reviews').addColumn(COLUMN, 'text').execute();
  await db.schema
    .createIndex(INDEX)
    .ifNotExists()
    .on('reviews')
    .columns(['team_id', 'created_at', 'id'])
    .where(sql.ref(COLUMN), '=', 'public')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex(INDEX).ifExists().execute();
  await db.schema.alterTable('reviews').dropColumn(COLUMN).execute();
}
