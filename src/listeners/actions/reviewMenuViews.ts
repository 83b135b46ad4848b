import type { ModalView } from '@slack/types';
import { verdictInputFor } from '../../delivery/reviewMessage.js';
import type { Review } from '../../storage/repository.js';
import { buildReviewDetailModal, buildShareModal } from '../../views/reviewModals.js';
import type { ListenerDeps } from '../deps.js';

/**
 * What App Home's Open shows of `review`: its votes, for a revision the verdict it replaced (read
 * as its verdict message reads it), and the newest revision of its line.
 */
export async function reviewDetailModal(
  deps: Pick<ListenerDeps, 'reviews' | 'votes'>,
  review: Review,
): Promise<ModalView> {
  const [votes, latest] = await Promise.all([
    deps.votes.listVotes(review.teamId, review.id),
    deps.reviews.latestRevision(review.teamId, review.id),
  ]);
  const { revision } = await verdictInputFor(review, deps.reviews, votes);
  return buildReviewDetailModal(review, { votes, latest, ...(revision ? { revision } : {}) });
}

/** What App Home's Share opens for `review`, knowing whether a later revision is current. */
export async function shareReviewModal(
  deps: Pick<ListenerDeps, 'reviews'>,
  review: Review,
): Promise<ModalView> {
  return buildShareModal(review, await deps.reviews.latestRevision(review.teamId, review.id));
}
