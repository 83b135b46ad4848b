import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { describeMigration } from './migrationSupport.js';
import { answersFixture, decisionFixture, targetFixture } from './support.js';

const BEFORE_REVISIONS = '0003_votes';

/** A review row written by the previous version of ftrag (no revision columns). */
async function insertOldReview(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
      target_channel_id, answers, decision, verdict, rules_version, status, created_at, updated_at)
    values (${id}, 'T-OLD', null, 'U-OLD', ${`key-${id}`}, ${JSON.stringify(targetFixture())},
      'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
      ${decision.rulesVersion}, 'posted', 1700000000000, 1700000000000)`.execute(db);
}

async function expectOldReviewIsRevisionOne(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const reviews = createKyselyReviewRepository(database.db, () => new Date(1_800_000_000_000));
    const old = await reviews.get('T-OLD', id);
    expect(old).toMatchObject({ id, revisionOf: null, revision: 1, status: 'posted' });
    const { review: next } = await reviews.createPending({
      submissionKey: `rerun-${id}`,
      teamId: 'T-OLD',
      enterpriseId: null,
      userId: 'U-OLD',
      target: targetFixture(),
      answers: answersFixture(),
      decision: decisionFixture('prompt'),
      revisionOf: id,
    });
    expect(next).toMatchObject({ revisionOf: id, revision: 2 });
  } finally {
    await database.close();
  }
}

describeMigration({
  migration: '0004_review_revisions',
  before: BEFORE_REVISIONS,
  expectation: 'gives existing reviews revision 1 and no predecessor',
  insertOldRow: insertOldReview,
  expectMigrated: expectOldReviewIsRevisionOne,
  halfAppliedColumn: 'revision_of',
});
