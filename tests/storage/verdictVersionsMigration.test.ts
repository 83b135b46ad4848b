import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { createKyselyVoteRepository } from '../../src/storage/voteRepository.js';
import { describeMigration } from './migrationSupport.js';
import { answersFixture, decisionFixture, targetFixture } from './support.js';

const BEFORE_VERDICT_VERSIONS = '0008_superseded_reviews';

/** A verdict posted by the previous version of ftrag, with an agreement and a challenge. */
async function insertOldReviewWithVotes(db: Kysely<unknown>, id: string): Promise<void> {
  const decision = decisionFixture('rag');
  await sql`insert into reviews (id, team_id, enterprise_id, user_id, submission_key, target,
      target_channel_id, answers, decision, verdict, rules_version, status, posted_channel_id,
      message_ts, thread_ts, created_at, updated_at)
    values (${id}, 'T-OLD', null, 'U-OLD', ${`key-${id}`}, ${JSON.stringify(targetFixture())},
      'C-GENERAL', ${JSON.stringify(answersFixture())}, ${JSON.stringify(decision)}, 'rag',
      ${decision.rulesVersion}, 'posted', 'C-GENERAL', '1700000000.000100', '1700000000.000100',
      1700000000000, 1700000000000)`.execute(db);
  await sql`insert into votes (review_id, team_id, user_id, vote, reason, updated_at)
    values (${id}, 'T-OLD', 'U1', 'agree', null, 1700000001000),
      (${id}, 'T-OLD', 'U2', 'challenge', 'No labels', 1700000002000)`.execute(db);
}

/** The old votes still count, until an edit changes the verdict they were cast on. */
async function expectOldVotesCount(url: string, id: string): Promise<void> {
  const database = await openDatabase(url);
  try {
    const clock = () => new Date(1_800_000_000_000);
    const reviews = createKyselyReviewRepository(database.db, clock);
    const votes = createKyselyVoteRepository(database.db, clock);
    expect(await reviews.get('T-OLD', id)).toMatchObject({ id, verdictVersion: 1 });
    const stamped = await database.db
      .selectFrom('votes')
      .select('verdict_version')
      .where('review_id', '=', id)
      .execute();
    expect(stamped).toEqual([{ verdict_version: 1 }, { verdict_version: 1 }]);
    expect((await votes.listVotes('T-OLD', id)).map((vote) => vote.userId)).toEqual(['U1', 'U2']);
    expect(await votes.tallies('T-OLD', [id])).toEqual({ [id]: { agree: 1, challenge: 1 } });
    await votes.setVote('T-OLD', id, 'U3', 'agree', null, 1);

    const edit = await reviews.updateAnswers(
      'T-OLD',
      id,
      answersFixture(),
      decisionFixture('prompt'),
    );
    expect(edit.review.verdictVersion).toBe(2);
    expect(await votes.listVotes('T-OLD', id)).toEqual([]);
    expect(await votes.clearStaleVotes('T-OLD', id)).toBe(3);
  } finally {
    await database.close();
  }
}

describeMigration({
  migration: '0009_verdict_versions',
  before: BEFORE_VERDICT_VERSIONS,
  expectation: 'keeps existing votes counting on the verdict they were cast on',
  insertOldRow: insertOldReviewWithVotes,
  expectMigrated: expectOldVotesCount,
  halfAppliedColumn: 'verdict_version',
  halfAppliedColumnType: 'integer not null default 1',
});
