import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { deliverReview } from '../delivery/deliverReview.js';
import type { DeliveryStatus } from '../storage/repository.js';
import type { ListenerDeps } from './deps.js';

/**
 * A posting's claim on its review lasts this long and is extended every {@link CLAIM_RENEWAL_MS}
 * while the posting runs (Slack may keep it waiting far longer, with retries). If the instance
 * dies mid-posting, the review shows as being posted for at most this long; then Post again works.
 */
export const DELIVERY_CLAIM_MS = 10_000;
const CLAIM_RENEWAL_MS = 3_000;

/**
 * Queues the posting of a saved review and returns at once; shutdown still waits for it (`work`).
 * The queue keeps ids only; when its turn comes the posting claims the review in the database
 * (reading it again), so a burst's backlog holds no request payloads, and a review already posted,
 * no longer `postable`, or being posted by another instance (Post again pressed there) is left
 * alone. A failure here leaves the review pending, to post again from App Home, and is logged.
 * `refreshHome` runs once the posting is done, to show its outcome in App Home.
 */
export function postSavedReview(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
  saved: { teamId: string; id: string },
  postable: readonly DeliveryStatus[],
  refreshHome?: () => Promise<void>,
): void {
  const { teamId, id } = saved;
  deps.work
    .run(async () => {
      const queued = await deps.deliveries.deliver(id, async () => {
        const review = await deps.reviews.claimDelivery(teamId, id, postable, DELIVERY_CLAIM_MS);
        if (!review) return;
        // The claim this posting holds, by when it ends; null once it is no longer held.
        let heldUntil = review.deliveryClaimedUntil ?? null;
        let extending: Promise<void> = Promise.resolve();
        const renewal = setInterval(() => {
          const held = heldUntil;
          if (!held) return;
          extending = deps.reviews.extendDelivery(teamId, id, held, DELIVERY_CLAIM_MS).then(
            (until) => {
              heldUntil = until;
            },
            (error: unknown) => {
              logger.warn(`extending the claim on review ${id} failed: ${String(error)}`);
            },
          );
        }, CLAIM_RENEWAL_MS);
        let brokeOff: { error: unknown } | null = null;
        try {
          await deliverReview(client, review, {
            reviews: deps.reviews,
            logger,
            isTrustedResponseUrl: deps.isTrustedResponseUrl,
            recordRetryDelaysMs: deps.recordRetryDelaysMs,
          });
        } catch (error) {
          brokeOff = { error };
        }
        clearInterval(renewal);
        if (!brokeOff) return;
        // Broke off without an outcome: let Post again (here or elsewhere) take it at once. An
        // extension still under way would move the claim's end past the one released.
        await extending;
        if (heldUntil) {
          await deps.reviews.releaseDelivery(teamId, id, heldUntil).catch(() => undefined);
        }
        throw brokeOff.error;
      });
      if (!queued || !refreshHome) return;
      await refreshHome().catch((error: unknown) => {
        logger.error(
          `review ${id}: the posting finished, but refreshing App Home afterwards failed`,
          error,
        );
      });
    })
    .catch((error: unknown) => {
      logger.error(
        `posting review ${id} broke off before its outcome was recorded; it stays pending in App Home`,
        error,
      );
    });
}
