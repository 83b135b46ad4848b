import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('installations')
    .ifNotExists()
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('team_id', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('is_enterprise_install', 'integer', (col) => col.notNull())
    .addColumn('bot_token', 'text')
    .addColumn('bot_user_id', 'text')
    .addColumn('bot_scopes', 'text')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('installation', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('installations_team_idx')
    .ifNotExists()
    .on('installations')
    .column('team_id')
    .execute();
  await db.schema
    .createIndex('installations_enterprise_idx')
    .ifNotExists()
    .on('installations')
    .column('enterprise_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('installations').ifExists().execute();
}
