import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import type { PostedVerdict } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { describeMigration } from './migrationSupport.js';
import { answersFixture, decisionFixture, postedOutcomeFixture, targetFixture } from './support.js';

const BEFORE_POSTED_VERDICT = '0009_verdict_versions';

/** A review the previous version of ftrag saved and had not posted yet (still pending). */
async function insertOldPendingReview(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
      target_channel_id, answers, decision, verdict, rules_version, status, created_at, updated_at)
    values (${id}, 'T-OLD', null, 'U-OLD', ${`key-${id}`}, ${JSON.stringify(targetFixture())},
      'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
      ${decision.rulesVersion}, 'pending', 1700000000000, 1700000000000)`.execute(db);
}

/** The old review has no verdict posted on record; one posted now is kept until it is delivered. */
async function expectNothingPostedOnRecord(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const reviews = createKyselyReviewRepository(database.db, () => new Date(1_800_000_000_000));
    expect(await reviews.get('T-OLD', id)).toMatchObject({
      id,
      status: 'pending',
      postedVerdict: null,
    });
    const posted: PostedVerdict = {
      status: 'posted',
      channelId: 'C-GENERAL',
      messageTs: '1800000000.000100',
      threadTs: '1800000000.000100',
      channelError: null,
    };
    const recorded = await reviews.recordPostedVerdict('T-OLD', id, posted, null);
    expect(recorded).toMatchObject({ status: 'pending', postedVerdict: posted });
    const delivered = await reviews.markDelivered(
      'T-OLD',
      id,
      postedOutcomeFixture({ messageTs: posted.messageTs, threadTs: posted.threadTs }),
    );
    expect(delivered).toMatchObject({ status: 'posted', postedVerdict: null });
  } finally {
    await database.close();
  }
}

describeMigration({
  migration: '0010_posted_verdict',
  before: BEFORE_POSTED_VERDICT,
  expectation: 'leaves an existing pending review with no posted verdict on record',
  insertOldRow: insertOldPendingReview,
  expectMigrated: expectNothingPostedOnRecord,
  halfAppliedColumn: 'posted_verdict',
});
