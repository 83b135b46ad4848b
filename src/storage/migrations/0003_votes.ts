import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('votes')
    .ifNotExists()
    .addColumn('review_id', 'text', (col) =>
      col.notNull().references('reviews.id').onDelete('cascade'),
    )
    .addColumn('team_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('vote', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('votes_pk', ['review_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('votes_team_idx')
    .ifNotExists()
    .on('votes')
    .column('team_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('votes').ifExists().execute();
}
