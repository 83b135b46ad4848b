export const VOTE_KINDS = ['agree', 'challenge'] as const;
export type VoteKind = (typeof VOTE_KINDS)[number];

/** One person's vote on a review: one per person, changeable. */
export interface Vote {
  reviewId: string;
  teamId: string;
  userId: string;
  vote: VoteKind;
  reason: string | null;
  updatedAt: Date;
}

/** How many people agree with and challenge a review. */
export interface VoteTally {
  agree: number;
  challenge: number;
}

export interface VoteRepository {
  /**
   * Records or changes `userId`'s vote; throws ReviewNotFoundError when the review is not in
   * `teamId`.
   */
  setVote(
    teamId: string,
    reviewId: string,
    userId: string,
    vote: VoteKind,
    reason: string | null,
  ): Promise<Vote>;
  /**
   * Removes every vote on the review (an edit changed its verdict: they were cast on another one);
   * how many were removed.
   */
  clearVotes(teamId: string, reviewId: string): Promise<number>;
  /** Oldest change first; empty when the review is not in `teamId`. */
  listVotes(teamId: string, reviewId: string): Promise<Vote[]>;
  /** The tally of each review in `reviewIds` that has votes in `teamId` (absent: no votes). */
  tallies(teamId: string, reviewIds: readonly string[]): Promise<Record<string, VoteTally>>;
}
