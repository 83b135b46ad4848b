import type { Kysely } from 'kysely';
import { existingColumns } from './existingColumns.js';

const COLUMNS = ['revision_of', 'revision'] as const;

/**
 * Revisions ("Re-run with changes"): a revision is a review of its own whose `revision_of` names
 * the review it revises; `revision` numbers the chain 1, 2, 3 … A review has at most one direct
 * revision (unique index), so a chain never forks and its newest revision is well defined.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // PostgreSQL runs this inside the migration's transaction, so it applies whole or not at all.
  // SQLite runs DDL outside one, and has no ADD COLUMN IF NOT EXISTS: a column added by a
  // half-applied run is skipped.
  const existing = await existingColumns(db, 'reviews');
  for (const column of COLUMNS) {
    if (existing.has(column)) continue;
    if (column === 'revision_of') {
      await db.schema
        .alterTable('reviews')
        .addColumn('revision_of', 'text', (col) =>
          col.references('reviews.id').onDelete('set null'),
        )
        .execute();
    } else {
      await db.schema
        .alterTable('reviews')
        .addColumn('revision', 'integer', (col) => col.notNull().defaultTo(1))
        .execute();
    }
  }
  await db.schema
    .createIndex('reviews_team_revision_of_unique')
    .ifNotExists()
    .unique()
    .on('reviews')
    .columns(['team_id', 'revision_of'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('reviews_team_revision_of_unique').ifExists().execute();
  await db.schema.alterTable('reviews').dropColumn('revision').execute();
  await db.schema.alterTable('reviews').dropColumn('revision_of').execute();
}
