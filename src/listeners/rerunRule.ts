import type { Review } from '../storage/repository.js';
import type { VoteRepository } from '../storage/votes.js';

/**
 * Whether `userId` may re-run a line of revisions (`line`, first to newest, not empty): the person
 * who asked for the first verdict always may; anyone else only while a challenge stands on some
 * revision in the line (one withdrawn with Agree, or cleared by an edit that changed the verdict,
 * no longer counts). Asked when Re-run is clicked, and again when its checklist is submitted: what
 * stood at the click may be gone by then, and the review the submission names is read from the
 * modal's private_metadata.
 */
export async function mayRerun(
  votes: Pick<VoteRepository, 'tallies'>,
  line: readonly Review[],
  userId: string,
): Promise<boolean> {
  const first = line[0];
  if (!first) return false;
  if (userId === first.userId) return true;
  const tallies = await votes.tallies(
    first.teamId,
    line.map((review) => review.id),
  );
  return Object.values(tallies).some((tally) => tally.challenge > 0);
}
