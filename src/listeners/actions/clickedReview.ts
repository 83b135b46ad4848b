import type { BlockAction } from '@slack/bolt';
import type { Review } from '../../storage/repository.js';
import type { ListenerDeps } from '../deps.js';

/** The review a button names, looked up only in the clicking person's own workspace. */
export async function clickedReview(
  deps: Pick<ListenerDeps, 'reviews'>,
  body: BlockAction,
  reviewId: string | undefined,
): Promise<Review | null> {
  const teamId = body.team?.id;
  if (!teamId || !reviewId) return null;
  return deps.reviews.get(teamId, reviewId);
}
