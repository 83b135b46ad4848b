import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { millisToDate, parseValue, toCount } from './codecs.js';
import { ReviewNotFoundError } from './errors.js';
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

export function createKyselyVoteRepository(db: Kysely<Schema>, clock: () => Date): VoteRepository {
  return {
    async setVote(
      teamId: string,
      reviewId: string,
      userId: string,
      vote: VoteKind,
      reason: string | null,
    ) {
      const kind = parseValue(voteKindSchema, vote, 'vote');
      const review = await db
        .selectFrom('reviews')
        .select('id')
        .where('team_id', '=', teamId)
        .where('id', '=', reviewId)
        .executeTakeFirst();
      if (review === undefined) throw new ReviewNotFoundError(teamId, reviewId);

      const at = clock().getTime();
      const row = await db
        .insertInto('votes')
        .values({
          review_id: reviewId,
          team_id: teamId,
          user_id: userId,
          vote: kind,
          reason,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc.columns(['review_id', 'user_id']).doUpdateSet((eb) => ({
            vote: eb.ref('excluded.vote'),
            reason: eb.ref('excluded.reason'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toVote(row);
    },

    async clearVotes(teamId: string, reviewId: string) {
      const result = await db
        .deleteFrom('votes')
        .where('team_id', '=', teamId)
        .where('review_id', '=', reviewId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listVotes(teamId: string, reviewId: string) {
      const rows = await db
        .selectFrom('votes')
        .selectAll()
        .where('team_id', '=', teamId)
        .where('review_id', '=', reviewId)
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
