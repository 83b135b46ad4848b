import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { deliverReview, NothingPostedError } from '../delivery/deliverReview.js';
import type { DeliveryStatus, Review } from '../storage/repository.js';
import { withRetries } from '../storage/retry.js';
import type { ListenerDeps } from './deps.js';
import { refreshHomeAfter } from './publishHome.js';

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
 * `refreshHome` runs once the posting is done, to show its outcome in App Home (for a posting
 * someone asked for, their Home: what would be told them by DM is left to it). `unattended`: a
 * posting nobody asked for (the delivery sweep), which claims only a review safe to post so (see
 * ReviewRepository.listUnattended).
 */
export function postSavedReview(
  deps: ListenerDeps,
  client: WebClient,
  logger: Logger,
  saved: { teamId: string; id: string },
  postable: readonly DeliveryStatus[],
  refreshHome?: () => Promise<void>,
  options: { unattended?: boolean } = {},
): void {
  const { teamId, id } = saved;
  deps.work
    .run(async () => {
      const queued = await deps.deliveries.deliver(id, async () => {
        const review = await deps.reviews.claimDelivery(
          teamId,
          id,
          postable,
          DELIVERY_CLAIM_MS,
          options.unattended ?? false,
        );
        if (!review) return;
        const claim = renewClaim(deps, logger, review);
        let brokeOff: { error: unknown } | null = null;
        try {
          await deliverReview(client, review, {
            reviews: deps.reviews,
            votes: deps.votes,
            logger,
            isTrustedResponseUrl: deps.isTrustedResponseUrl,
            recordRetryDelaysMs: deps.recordRetryDelaysMs,
            stopRenewingClaim: () => claim.stop(),
            withClaim: (write) => claim.holding(write),
            unattended: options.unattended ?? false,
            // Asked for from App Home, which is published again once the posting is done; the
            // sweep's asker is not looking at it.
            outcomeOnHome: refreshHome !== undefined && !options.unattended,
            work: deps.work,
          });
        } catch (error) {
          brokeOff = { error };
        }
        await claim.stop();
        if (!brokeOff) return;
        // Broke off without an outcome: let Post again (here or elsewhere) take it at once. Over
        // the last claim it held, even one that lapsed meanwhile: one another posting took since
        // stays.
        const last = claim.last();
        if (last === null) throw brokeOff.error;
        // Having sent Slack nothing, it gives the review back as it found it: one no posting had
        // started is then the delivery sweep's again, worth outlasting a failover for (left
        // claimed, it would wait for Post again, with a warning that the verdict may be out).
        const started = review.startedBefore || !(brokeOff.error instanceof NothingPostedError);
        const release = () => deps.reviews.releaseDelivery(teamId, id, last, started);
        if (started) {
          await release().catch(() => undefined);
        } else {
          await withRetries(
            release,
            (error, attempt) =>
              logger.warn(
                `giving back the claim on review ${id}, which nothing was posted for, failed (attempt ${attempt}), retrying: ${String(error)}`,
              ),
            deps.recordRetryDelaysMs,
          ).catch((error: unknown) => {
            logger.warn(
              `giving back the claim on review ${id} failed; once it lapses, the review waits for Post again: ${String(error)}`,
            );
          });
        }
        throw brokeOff.error;
      });
      if (!queued && deps.deliveries.stopping && !deps.deliveries.isUnderway(id)) {
        logger.warn(
          `review ${id} was not posted: the instance is stopping; it stays pending in App Home`,
        );
      }
      if (!queued || !refreshHome) return;
      await refreshHomeAfter(logger, `review ${id}: the posting finished`, refreshHome);
    })
    .catch((error: unknown) => {
      logger.error(
        error instanceof NothingPostedError
          ? `posting review ${id} broke off before it sent Slack anything; it stays pending in App Home`
          : `posting review ${id} broke off before its outcome was recorded; it stays pending in App Home`,
        error,
      );
    });
}

/**
 * Extends a posting's claim on `review` every {@link CLAIM_RENEWAL_MS}, one extension at a time: a
 * claim is named by when it ends, so a second extension sent with the same end while the first is
 * under way would find the claim moved, and the posting would stop renewing a claim it still holds.
 * A tick that comes while an extension is under way is skipped. An extension that failed may
 * have been written all the same (only its answer lost): the claim is read again to know. `stop`
 * ends the renewal and resolves, once no extension is under way, with when the claim still held
 * ends (null: none). `last` is the end of the last claim it knew it held, which may have lapsed
 * since. `holding` runs a write made over the claim with when it ends, no extension under way
 * meanwhile (a tick that comes then is skipped too).
 */
function renewClaim(
  deps: ListenerDeps,
  logger: Logger,
  review: Review,
): {
  stop(): Promise<Date | null>;
  last(): Date | null;
  holding<T>(write: (heldUntil: Date | null) => Promise<T>): Promise<T>;
} {
  const { teamId, id } = review;
  let heldUntil = review.deliveryClaimedUntil ?? null;
  let last = heldUntil;
  const holdUntil = (until: Date | null): void => {
    heldUntil = until;
    if (until !== null) last = until;
  };
  let extending: Promise<void> | null = null;
  let writing = 0;
  const stopTicking = (deps.interval ?? everyMs)(CLAIM_RENEWAL_MS, () => {
    const held = heldUntil;
    if (held === null || extending !== null || writing > 0) return;
    extending = deps.reviews
      .extendDelivery(teamId, id, held, DELIVERY_CLAIM_MS)
      .then(holdUntil, async (error: unknown) => {
        logger.warn(`extending the claim on review ${id} failed: ${String(error)}`);
        const current = await deps.reviews.get(teamId, id).catch(() => undefined);
        // Unread, the claim is taken to end where it did: the next extension tells.
        if (current !== undefined) holdUntil(ownClaim(held, current?.deliveryClaimedUntil ?? null));
      })
      .finally(() => {
        extending = null;
      });
  });
  return {
    async stop() {
      stopTicking();
      await extending;
      return heldUntil;
    },
    last: () => last,
    async holding(write) {
      writing += 1;
      try {
        await extending;
        return await write(heldUntil);
      } finally {
        writing -= 1;
      }
    },
  };
}

/**
 * The claim a posting holds, as read after an extension of the claim ending at `held` failed
 * (`current`: the review's claim now); null when it holds none any more. Its extension, if written
 * (only the answer lost), ends before `held` + {@link DELIVERY_CLAIM_MS}, as it was made before
 * `held`; a claim another posting took once this one lapsed, at or after `held`, ends no earlier
 * than that (every posting claims for that long).
 */
function ownClaim(held: Date, current: Date | null): Date | null {
  if (current === null) return null;
  const end = current.getTime();
  return end >= held.getTime() && end < held.getTime() + DELIVERY_CLAIM_MS ? current : null;
}

function everyMs(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
}
