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

/** What setVote leaves on record, and whether that call wrote it. */
export interface VoteOnRecord {
  vote: Vote;
  /**
   * False when the identical vote (same kind, reason and verdict version) was on record already:
   * nothing written, its time included. Of two identical votes cast at once, one changes it.
   */
  changed: boolean;
}

/** How many people agree with and challenge a review. */
export interface VoteTally {
  agree: number;
  challenge: number;
}

/**
 * A vote is cast on one version of the review's verdict (`Review.verdictVersion`) and counts only
 * while the review has that version: once an edit changes the verdict (which moves the version on
 * in the same write), the votes cast on the earlier one are neither listed nor tallied, whenever
 * they were recorded. A vote written by an instance from before versions (during a rolling
 * upgrade) has none and counts on the verdict on record until clearStaleVotes.
 */
export interface VoteRepository {
  /**
   * Records or changes `userId`'s vote, cast on `verdictVersion`: the verdict the voter saw. Without
   * it, on the verdict the review has when the vote is recorded (one statement reads and writes).
   * Tells whether it changed anything, decided in the write itself (race-free): casting the vote
   * on record again does not. Throws ReviewNotFoundError when the review is not in `teamId`, and
   * VerdictChangedError, with nothing recorded, when `verdictVersion` is not the review's version
   * any more (even if the same vote on that version is still on record).
   */
  setVote(
    teamId: string,
    reviewId: string,
    userId: string,
    vote: VoteKind,
    reason: string | null,
    verdictVersion?: number,
  ): Promise<VoteOnRecord>;
  /**
   * Removes the review's votes cast on an earlier verdict; how many. Call after an edit changed the
   * verdict. Those with a version are already left out of everything else; those without one (see
   * above) were cast before that edit, on the earlier verdict, and stop counting here.
   */
  clearStaleVotes(teamId: string, reviewId: string): Promise<number>;
  /**
   * The votes that count (see above), oldest change first; empty when the review is not in
   * `teamId`.
   */
  listVotes(teamId: string, reviewId: string): Promise<Vote[]>;
  /**
   * The tally of each review in `reviewIds` that has votes that count in `teamId` (absent: none).
   */
  tallies(teamId: string, reviewIds: readonly string[]): Promise<Record<string, VoteTally>>;
}
