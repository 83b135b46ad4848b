import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { deliverReview } from '../delivery/deliverReview.js';
import type { DeliveryStatus } from '../storage/repository.js';
import type { ListenerDeps } from './deps.js';

/**
 * Queues the posting of a saved review and returns at once; shutdown still waits for it (`work`).
 * The queue keeps ids only and reads the review again when its turn comes, so a burst's backlog
 * holds no request payloads, and a review posted meanwhile (Post again, on another instance) or no
 * longer `postable` is left alone. A failure here leaves the review pending, to post again from
 * App Home, and is logged. `afterPosting` runs once the posting is done (say, to refresh Home).
 */
export function postSavedReview(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
  saved: { teamId: string; id: string },
  postable: readonly DeliveryStatus[],
  afterPosting?: () => Promise<void>,
): void {
  const { teamId, id } = saved;
  deps.work
    .run(async () => {
      const queued = await deps.deliveries.deliver(id, async () => {
        const review = await deps.reviews.get(teamId, id);
        if (!review || !postable.includes(review.status)) return;
        await deliverReview(client, review, {
          reviews: deps.reviews,
          logger,
          isTrustedResponseUrl: deps.isTrustedResponseUrl,
        });
      });
      if (queued) await afterPosting?.();
    })
    .catch((error: unknown) => {
      logger.error(`posting review ${id} failed; it stays pending in App Home`, error);
    });
}
