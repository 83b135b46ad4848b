import type { Kysely } from 'kysely';

// Every statement is `if not exists` so a half-applied migration (SQLite runs DDL outside a
// transaction under Kysely's Migrator) can simply run again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reviews')
    .ifNotExists()
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('team_id', 'text', (col) => col.notNull())
    .addColumn('enterprise_id', 'text')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('submission_key', 'text', (col) => col.notNull())
    .addColumn('target', 'text', (col) => col.notNull())
    .addColumn('target_channel_id', 'text')
    .addColumn('answers', 'text', (col) => col.notNull())
    .addColumn('decision', 'text', (col) => col.notNull())
    .addColumn('verdict', 'text', (col) => col.notNull())
    .addColumn('rules_version', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('last_error', 'text')
    .addColumn('posted_channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('thread_ts', 'text')
    .addColumn('permalink', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addUniqueConstraint('reviews_team_submission_key_unique', ['team_id', 'submission_key'])
    .execute();

  const indexes: Array<[name: string, columns: string[]]> = [
    ['reviews_team_created_idx', ['team_id', 'created_at']],
    ['reviews_team_user_created_idx', ['team_id', 'user_id', 'created_at']],
    ['reviews_team_posted_channel_created_idx', ['team_id', 'posted_channel_id', 'created_at']],
    ['reviews_team_target_channel_created_idx', ['team_id', 'target_channel_id', 'created_at']],
  ];
  for (const [name, columns] of indexes) {
    await db.schema.createIndex(name).ifNotExists().on('reviews').columns(columns).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reviews').ifExists().execute();
}
