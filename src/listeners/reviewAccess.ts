import type { Review } from '../storage/repository.js';

/**
 * Whether `userId` may open or share `review` from App Home: their own, or one whose conversation
 * Slack said is public. Home lists no other, but a Home published before a review was known to be
 * private may still offer it, and a Share window's review is read from its private_metadata.
 */
export function openableBy(review: Review, userId: string): boolean {
  return review.userId === userId || review.conversationVisibility === 'public';
}
