import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { describeMigration } from './migrationSupport.js';
import { answersFixture, decisionFixture, targetFixture } from './support.js';

const BEFORE_VISIBILITY = '0006_undelivered_index';

/** A review posted in a channel by the previous version of ftrag (no visibility column). */
async function insertOldReview(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
      target_channel_id, answers, decision, verdict, rules_version, status, posted_channel_id,
      created_at, updated_at)
    values (${id}, 'T-OLD', null, 'U-OLD', ${`key-${id}`}, ${JSON.stringify(targetFixture())},
      'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
      ${decision.rulesVersion}, 'posted', 'C-GENERAL', 1700000000000, 1700000000000)`.execute(db);
}

/** The old review is kept, not known to be public (so not listed across the workspace) until recorded. */
async function expectOldReviewNotKnownPublic(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const reviews = createKyselyReviewRepository(database.db, () => new Date(1_800_000_000_000));
    expect(await reviews.get('T-OLD', id)).toMatchObject({
      id,
      status: 'posted',
      conversationVisibility: null,
    });
    const page = { limit: 10, offset: 0 };
    expect((await reviews.list({ teamId: 'T-OLD' }, page)).total).toBe(1);
    expect(await reviews.list({ teamId: 'T-OLD', publicOnly: true }, page)).toEqual({
      reviews: [],
      total: 0,
    });
    await reviews.recordVisibility('T-OLD', id, 'public');
    const listed = await reviews.list({ teamId: 'T-OLD', publicOnly: true }, page);
    expect(listed.reviews.map((review) => review.id)).toEqual([id]);
  } finally {
    await database.close();
  }
}

describeMigration({
  migration: '0007_conversation_visibility',
  before: BEFORE_VISIBILITY,
  expectation: 'leaves existing reviews not known to be public',
  insertOldRow: insertOldReview,
  expectMigrated: expectOldReviewNotKnownPublic,
  halfAppliedColumn: 'conversation_visibility',
});
