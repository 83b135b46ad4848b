import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { describeMigration } from './migrationSupport.js';
import {
  answersFixture,
  decisionFixture,
  newReviewFixture,
  postedOutcomeFixture,
  targetFixture,
} from './support.js';

const BEFORE_UNATTENDED_CLAIMS = '0010_posted_verdict';

/**
 * A review the previous version of ftrag left pending with no claim: its posting may have broken
 * off mid-call (that version gave a claim back as null), the verdict perhaps in the channel.
 */
async function insertOldReleasedReview(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
      target_channel_id, answers, decision, verdict, rules_version, status, created_at, updated_at,
      delivery_claimed_until)
    values (${id}, 'T-OLD', null, 'U-OLD', ${`key-${id}`}, ${JSON.stringify(targetFixture())},
      'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
      ${decision.rulesVersion}, 'pending', 1700000000000, 1700000000000, null)`.execute(db);
}

/**
 * The sweep leaves the old review to Post again, which still claims and delivers it; a review
 * saved after the upgrade, never claimed, is the sweep's.
 */
async function expectLeftToPostAgain(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const now = 1_800_000_000_000;
    const reviews = createKyselyReviewRepository(database.db, () => new Date(now));
    const { review: saved } = await reviews.createPending(newReviewFixture({ teamId: 'T-OLD' }));
    const listed = await reviews.listUnattended(new Date(now), 20);
    expect(listed.map((review) => review.id)).toEqual([saved.id]);
    expect(await reviews.get('T-OLD', id)).toMatchObject({
      status: 'pending',
      deliveryClaimedUntil: null,
    });
    expect(await reviews.claimDelivery('T-OLD', id, ['pending'], 10_000, true)).toBeNull();
    const claimed = await reviews.claimDelivery('T-OLD', id, ['pending'], 10_000);
    expect(claimed).toMatchObject({ id, status: 'pending' });
    const delivered = await reviews.markDelivered('T-OLD', id, postedOutcomeFixture());
    expect(delivered).toMatchObject({ status: 'posted', deliveryClaimedUntil: null });
  } finally {
    await database.close();
  }
}

describeMigration({
  migration: '0011_unattended_claims',
  before: BEFORE_UNATTENDED_CLAIMS,
  expectation: 'leaves a pending review with no claim from before it to Post again, not the sweep',
  insertOldRow: insertOldReleasedReview,
  expectMigrated: expectLeftToPostAgain,
});
