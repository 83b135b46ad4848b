import { type ExpressionBuilder, type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { millisToDate, parseValue, toCount } from './codecs.js';
import { ReviewNotFoundError, VerdictChangedError } from './errors.js';
import type { Schema, VotesTable } from './schema.js';
import {
  VOTE_KINDS,
  type Vote,
  type VoteKind,
  type VoteRepository,
  type VoteTally,
} from './votes.js';

export type { Vote, VoteKind, VoteRepository, VoteTally } from './votes.js';

const voteKindSchema = z.enum(VOTE_KINDS);

/** Votes cast on the verdict version their review has now. */
function onCurrentVersion(eb: ExpressionBuilder<Schema, 'votes'>) {
  return eb.exists(
    eb
      .selectFrom('reviews')
      .select('reviews.id')
      .whereRef('reviews.team_id', '=', 'votes.team_id')
      .whereRef('reviews.id', '=', 'votes.review_id')
      .whereRef('reviews.verdict_version', '=', 'votes.verdict_version'),
  );
}

/**
 * The votes cast on the verdict their review has now: the ones that count. A vote without a
 * version came from an instance that predates versions (rolling upgrade): it saw no other verdict
 * than the one on record, which a verdict-changing edit here clears it from (clearStaleVotes); an
 * edit by such an instance clears every vote itself.
 */
function onCurrentVerdict(eb: ExpressionBuilder<Schema, 'votes'>) {
  return eb.or([eb('votes.verdict_version', 'is', null), onCurrentVersion(eb)]);
}

export function createKyselyVoteRepository(db: Kysely<Schema>, clock: () => Date): VoteRepository {
  // SQLite has no FOR SHARE, nor the need: it runs one write at a time.
  const sharesRows = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    async setVote(
      teamId: string,
      reviewId: string,
      userId: string,
      vote: VoteKind,
      reason: string | null,
      verdictVersion?: number,
    ) {
      const kind = parseValue(voteKindSchema, vote, 'vote');
      const at = clock().getTime();
      // One statement reads the review's verdict version and writes the vote with it: an edit
      // changing the verdict (one UPDATE, which moves the version on) comes wholly before it or
      // wholly after it, so the vote counts only on the verdict it was cast on. On PostgreSQL that
      // takes a share lock on the review's row: under READ COMMITTED the SELECT alone reads the
      // version as the statement began, and an edit committing while the vote waits (on another
      // vote's row, say) would leave it recorded on a verdict that is gone, counted nowhere and
      // cleared by nobody. Locked, an edit under way makes the vote wait and then read its version
      // (refused as stale); a vote under way makes the edit wait, and the edit then clears it. The
      // casts give PostgreSQL the parameters' types, which a SELECT list does not.
      let review = db
        .selectFrom('reviews')
        .select([
          'reviews.id',
          'reviews.team_id',
          sql<string>`cast(${userId} as text)`.as('user_id'),
          sql<string>`cast(${kind} as text)`.as('vote'),
          sql<string | null>`cast(${reason} as text)`.as('reason'),
          sql<number>`cast(${at} as bigint)`.as('updated_at'),
          'reviews.verdict_version',
        ])
        .where('reviews.team_id', '=', teamId)
        .where('reviews.id', '=', reviewId);
      if (verdictVersion !== undefined) {
        review = review.where('reviews.verdict_version', '=', verdictVersion);
      }
      if (sharesRows) review = review.forShare();
      const row = await db
        .insertInto('votes')
        .columns([
          'review_id',
          'team_id',
          'user_id',
          'vote',
          'reason',
          'updated_at',
          'verdict_version',
        ])
        .expression(review)
        .onConflict((oc) =>
          oc.columns(['review_id', 'user_id']).doUpdateSet((eb) => ({
            vote: eb.ref('excluded.vote'),
            reason: eb.ref('excluded.reason'),
            updated_at: eb.ref('excluded.updated_at'),
            verdict_version: eb.ref('excluded.verdict_version'),
          })),
        )
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined) return toVote(row);
      const exists = await db
        .selectFrom('reviews')
        .select('id')
        .where('team_id', '=', teamId)
        .where('id', '=', reviewId)
        .executeTakeFirst();
      if (exists === undefined || verdictVersion === undefined) {
        throw new ReviewNotFoundError(teamId, reviewId);
      }
      throw new VerdictChangedError(teamId, reviewId, verdictVersion);
    },

    async clearStaleVotes(teamId: string, reviewId: string) {
      const result = await db
        .deleteFrom('votes')
        .where('team_id', '=', teamId)
        .where('review_id', '=', reviewId)
        // NULL-version votes too: cast before the edit that calls this, so on the earlier verdict.
        .where((eb) => eb.not(onCurrentVersion(eb)))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listVotes(teamId: string, reviewId: string) {
      const rows = await db
        .selectFrom('votes')
        .selectAll()
        .where('team_id', '=', teamId)
        .where('review_id', '=', reviewId)
        .where(onCurrentVerdict)
        .orderBy('updated_at', 'asc')
        .orderBy('user_id', 'asc')
        .execute();
      return rows.map(toVote);
    },

    async tallies(teamId: string, reviewIds: readonly string[]) {
      const tallies: Record<string, VoteTally> = {};
      if (reviewIds.length === 0) return tallies;
      const rows = await db
        .selectFrom('votes')
        .select((eb) => ['review_id', 'vote', eb.fn.countAll<number | string>().as('count')])
        .where('team_id', '=', teamId)
        .where('review_id', 'in', [...new Set(reviewIds)])
        .where(onCurrentVerdict)
        .groupBy(['review_id', 'vote'])
        .execute();
      for (const row of rows) {
        const kind = voteKindSchema.safeParse(row.vote);
        if (!kind.success) continue;
        const tally = tallies[row.review_id] ?? { agree: 0, challenge: 0 };
        tally[kind.data] += toCount(row.count);
        tallies[row.review_id] = tally;
      }
      return tallies;
    },
  };
}
function toVote(row: Selectable<VotesTable>): Vote {
  return {
    reviewId: row.review_id,
    teamId: row.team_id,
    userId: row.user_id,
    vote: parseValue(voteKindSchema, row.vote, `vote of ${row.user_id} on review ${row.review_id}`),
    reason: row.reason,
    updatedAt: millisToDate(row.updated_at),
  };
}
