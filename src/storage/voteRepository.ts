import { type ExpressionBuilder, type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { millisToDate, parseValue, toCount } from './codecs.js';
import { ReviewNotFoundError, VerdictChangedError } from './errors.js';
import type { Schema, VotesTable } from './schema.js';
import {
  VOTE_KINDS,
  type Vote,
  type VoteKind,
  type VoteOnRecord,
  type VoteRepository,
  type VoteTally,
} from './votes.js';

export type { Vote, VoteKind, VoteOnRecord, VoteRepository, VoteTally } from './votes.js';

const voteKindSchema = z.enum(VOTE_KINDS);

/**
 * How many times setVote writes when each write finds the identical vote on record and the read
 * after it finds it changed already: that takes the same person's other vote, or an edit, landing
 * between the two every time.
 */
const MAX_VOTE_WRITES = 3;

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
    ): Promise<VoteOnRecord> {
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
      const write = db
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
          oc
            .columns(['review_id', 'user_id'])
            .doUpdateSet((eb) => ({
              vote: eb.ref('excluded.vote'),
              reason: eb.ref('excluded.reason'),
              updated_at: eb.ref('excluded.updated_at'),
              verdict_version: eb.ref('excluded.verdict_version'),
            }))
            // The identical vote on record is left as it is, its time too: no row comes back.
            .where((eb) =>
              eb.or([
                eb('votes.vote', 'is distinct from', eb.ref('excluded.vote')),
                eb('votes.reason', 'is distinct from', eb.ref('excluded.reason')),
                eb('votes.verdict_version', 'is distinct from', eb.ref('excluded.verdict_version')),
              ]),
            ),
        )
        .returningAll();
      for (let attempt = 1; ; attempt++) {
        const row = await write.executeTakeFirst();
        if (row !== undefined) return { vote: toVote(row), changed: true };
        // Nothing written: no review to vote on, a stale version, or the identical vote on record.
        // One read of the review and the vote tells which, as of that read (the call's outcome is
        // what it was then): a review gone never comes back nor does its version go back, so the
        // write's refusal still stands at the read.
        const now = await db
          .selectFrom('reviews')
          .leftJoin('votes', (join) =>
            join
              .onRef('votes.team_id', '=', 'reviews.team_id')
              .onRef('votes.review_id', '=', 'reviews.id')
              .on('votes.user_id', '=', userId),
          )
          .select([
            'reviews.verdict_version as review_verdict_version',
            'votes.vote',
            'votes.reason',
            'votes.updated_at',
            'votes.verdict_version',
          ])
          .where('reviews.team_id', '=', teamId)
          .where('reviews.id', '=', reviewId)
          .executeTakeFirst();
        if (now === undefined) throw new ReviewNotFoundError(teamId, reviewId);
        const reviewVersion = Number(now.review_verdict_version);
        if (verdictVersion !== undefined && reviewVersion !== verdictVersion) {
          throw new VerdictChangedError(teamId, reviewId, verdictVersion);
        }
        if (
          now.vote === kind &&
          now.reason === reason &&
          now.verdict_version !== null &&
          Number(now.verdict_version) === reviewVersion &&
          now.updated_at !== null
        ) {
          const vote = { reviewId, teamId, userId, vote: kind, reason };
          return { vote: { ...vote, updatedAt: millisToDate(now.updated_at) }, changed: false };
        }
        // Changed since the write found it identical (this person's other vote, or an edit moving
        // the verdict on): the write again decides.
        if (attempt === MAX_VOTE_WRITES) {
          throw new Error(
            `the vote of ${userId} on review ${reviewId} kept changing while it was recorded`,
          );
        }
      }
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
