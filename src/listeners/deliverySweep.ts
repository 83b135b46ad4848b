import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AppLogger } from '../observability/logger.js';
import type { Review } from '../storage/repository.js';
import type { ListenerDeps } from './deps.js';
import { postSavedReview } from './postSavedReview.js';
import { publishHome } from './publishHome.js';

/** Reviews one sweep picks up at most: the rest wait for the next sweep. */
export const SWEEP_BATCH = 20;

export interface DeliverySweepOptions {
  /** Between sweeps; the first runs at once. */
  intervalMs: number;
  /** Only reviews saved at least this long ago: a review just saved is its own instance's to queue. */
  graceMs: number;
  /**
   * The WebClient to post a review with (its workspace's token); null when ftrag is not installed
   * in that workspace: the review is then marked failed ({@link NOT_INSTALLED}). A throw (the token
   * could not be read) leaves the review for the next sweep.
   */
  clientFor: (review: Review) => Promise<WebClient | null>;
  /** Bolt's logger, for the posting itself. */
  logger: Logger;
  /** For the line that says which reviews a sweep picked up. */
  log: AppLogger;
}

/**
 * The last error of a review the sweep could not post because ftrag is not installed in its
 * workspace (App Home shows it, once installed again, with Post again).
 */
export const NOT_INSTALLED =
  "ftrag wasn't installed in this workspace when it came to posting this; Post again once it is";

/**
 * Posts, by itself, the pending reviews no one will otherwise post until the asker presses Post
 * again: those whose posting never started (queued when their instance stopped, or saved by an
 * instance that died before their turn came) and those whose posting broke off after the verdict
 * went out (see ReviewRepository.listUnattended). Once now, then every `intervalMs`, one sweep at
 * a time; each review goes through the delivery queue and its claim, so of several instances
 * sweeping the same database exactly one posts it. The returned function stops the sweeps (a graceful
 * stop): none starts after it, and the queue starts no posting once it stops starting them.
 */
export function startDeliverySweep(deps: ListenerDeps, options: DeliverySweepOptions): () => void {
  const { intervalMs, graceMs, clientFor, logger, log } = options;
  let stopped = false;
  let sweeping = false;

  const sweep = async (): Promise<void> => {
    const savedBefore = new Date(deps.clock().getTime() - graceMs);
    const reviews = await deps.reviews.listUnattended(savedBefore, SWEEP_BATCH);
    for (const review of reviews) {
      if (stopped || deps.deliveries.stopping) return;
      if (deps.deliveries.isUnderway(review.id)) continue;
      let client: WebClient | null;
      try {
        client = await clientFor(review);
      } catch (error) {
        log.warn(
          { err: error, reviewId: review.id, teamId: review.teamId },
          'delivery sweep: could not read the bot token for the review’s workspace; the next sweep tries again',
        );
        continue;
      }
      if (client === null) {
        // Skipped, it would come back every sweep, and the oldest such would hold up the rest.
        // Over no claim: one that Post again took meanwhile stays.
        const recorded = await deps.reviews.markFailed(
          review.teamId,
          review.id,
          NOT_INSTALLED,
          null,
        );
        log.warn(
          { reviewId: review.id, teamId: review.teamId, status: recorded.status },
          'delivery sweep: ftrag is not installed in the review’s workspace; marked failed, for Post again',
        );
        continue;
      }
      log.info(
        { reviewId: review.id, teamId: review.teamId },
        review.postedVerdict
          ? 'delivery sweep: finishing a pending review whose verdict is out'
          : 'delivery sweep: posting a pending review whose posting never started',
      );
      postSavedReview(
        deps,
        client,
        logger,
        review,
        ['pending'],
        () => publishHome(client, deps, review.teamId, review.userId),
        { unattended: true },
      );
    }
  };

  const tick = (): void => {
    if (stopped || sweeping) return;
    sweeping = true;
    deps.work
      .run(sweep)
      .catch((error: unknown) => {
        log.warn({ err: error }, 'delivery sweep failed; the next one tries again');
      })
      .finally(() => {
        sweeping = false;
      });
  };

  const stopTicking = (deps.interval ?? everyMs)(intervalMs, tick);
  tick();
  return () => {
    stopped = true;
    stopTicking();
  };
}

function everyMs(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  // A sweep is never a reason to keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
