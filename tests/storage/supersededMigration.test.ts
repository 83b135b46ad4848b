import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { describeMigration } from './migrationSupport.js';
import { answersFixture, decisionFixture, newReviewFixture, targetFixture } from './support.js';

const BEFORE_SUPERSEDED = '0007_conversation_visibility';

/**
 * A verdict posted by the previous version of ftrag (`id`), re-run once (`id`-next), both with a
 * message the app can update.
 */
async function insertOldChain(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  for (const [row, revisionOf, revision] of [
    [id, null, 1],
    [`${id}-next`, id, 2],
  ] as const) {
    await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
        target_channel_id, answers, decision, verdict, rules_version, status, posted_channel_id,
        message_ts, thread_ts, created_at, updated_at, revision_of, revision)
      values (${row}, 'T-OLD', null, 'U-OLD', ${`key-${row}`}, ${JSON.stringify(targetFixture())},
        'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
        ${decision.rulesVersion}, 'posted', 'C-GENERAL', '1700000000.000100',
        '1700000000.000100', 1700000000000, 1700000000000, ${revisionOf}, ${revision})`.execute(db);
  }
}

/** The re-run review is marked superseded: it can't be edited, its revision can, then re-run. */
async function expectOldChainMarked(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const reviews = createKyselyReviewRepository(database.db, () => new Date(1_800_000_000_000));
    const marks = await database.db
      .selectFrom('reviews')
      .select(['id', 'superseded'])
      .where('team_id', '=', 'T-OLD')
      .orderBy('revision')
      .execute();
    expect(marks).toEqual([
      { id, superseded: 1 },
      { id: `${id}-next`, superseded: 0 },
    ]);
    const answers = answersFixture({ title: 'Edited after the upgrade' });
    const prompt = decisionFixture('prompt');
    expect((await reviews.updateAnswers('T-OLD', id, answers, prompt)).updated).toBe(false);
    expect((await reviews.updateAnswers('T-OLD', `${id}-next`, answers, prompt)).updated).toBe(
      true,
    );
    const { review: third } = await reviews.createPending(
      newReviewFixture({ teamId: 'T-OLD', revisionOf: id }),
    );
    expect(third).toMatchObject({ revisionOf: `${id}-next`, revision: 3 });
    expect((await reviews.updateAnswers('T-OLD', `${id}-next`, answers, prompt)).updated).toBe(
      false,
    );
  } finally {
    await database.close();
  }
}

describeMigration({
  migration: '0008_superseded_reviews',
  before: BEFORE_SUPERSEDED,
  expectation: 'marks the reviews re-run before it as superseded, and only those',
  insertOldRow: insertOldChain,
  expectMigrated: expectOldChainMarked,
  halfAppliedColumn: 'superseded',
  halfAppliedColumnType: 'integer not null default 0',
});
