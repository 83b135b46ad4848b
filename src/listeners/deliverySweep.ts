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
   * The WebClients to post a review with and to publish App Home after it (its workspace's token);
   * null when ftrag is not installed in that workspace: the review is then marked failed
   * ({@link NOT_INSTALLED}). A throw (the token could not be read) leaves the review for the next
   * sweep, {@link TOKEN_READ_ATTEMPTS} sweeps in a row at most ({@link TOKEN_UNREADABLE}).
   */
  clientFor: (review: Review) => Promise<SweepClients | null>;
  /** Bolt's logger, for the posting itself. */
  logger: Logger;
  /** For the line that says which reviews a sweep picked up. */
  log: AppLogger;
}

/** What a swept review is posted with, one workspace's token on both. */
export interface SweepClients {
  /** The review's posting: the workspace's delivery client (see DeliveryClients). */
  delivery: WebClient;
  /**
   * App Home's views.publish after it, as listeners publish it: not on `delivery`, whose every
   * posting in the workspace a 429 on Home would hold back (a WebClient pauses its whole queue).
   */
  home: WebClient;
}

/**
 * The last error of a review the sweep could not post because ftrag is not installed in its
 * workspace (App Home shows it, once installed again, with Post again).
 */
export const NOT_INSTALLED =
  "ftrag wasn't installed in this workspace when it came to posting this; Post again once it is";

/**
 * How many sweeps in a row (of one instance) try to read the bot token for a review before they
 * mark it failed ({@link TOKEN_UNREADABLE}): one that can't be read for good (sealed with a key
 * the instance doesn't have, say) would otherwise come back every sweep, and a batch of the
 * oldest such would hold up every other review.
 */
export const TOKEN_READ_ATTEMPTS = 3;

/** The last error of a review the sweep could not post because its workspace's token can't be read. */
export const TOKEN_UNREADABLE =
  "ftrag couldn't read its token for this workspace when it came to posting this; Post again once that is fixed";

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
  /** Reviews whose token the last sweeps could not read, by id: how many sweeps in a row. */
  const unreadable = new Map<string, number>();

  const sweep = async (): Promise<void> => {
    const savedBefore = new Date(deps.clock().getTime() - graceMs);
    const reviews = await deps.reviews.listUnattended(savedBefore, SWEEP_BATCH);
    // Only those listed again: the others were posted or taken meanwhile.
    const listed = new Set(reviews.map((review) => review.id));
    for (const id of unreadable.keys()) if (!listed.has(id)) unreadable.delete(id);
    for (const review of reviews) {
      if (stopped || deps.deliveries.stopping) return;
      if (deps.deliveries.isUnderway(review.id)) continue;
      let clients: SweepClients | null;
      try {
        clients = await clientFor(review);
        unreadable.delete(review.id);
      } catch (error) {
        const attempts = (unreadable.get(review.id) ?? 0) + 1;
        if (attempts < TOKEN_READ_ATTEMPTS) {
          unreadable.set(review.id, attempts);
          log.warn(
            { err: error, reviewId: review.id, teamId: review.teamId, attempts },
            'delivery sweep: could not read the bot token for the review’s workspace; the next sweep tries again',
          );
          continue;
        }
        unreadable.delete(review.id);
        // Over no claim: one that Post again took meanwhile stays.
        const recorded = await deps.reviews.markFailed(
          review.teamId,
          review.id,
          TOKEN_UNREADABLE,
          null,
        );
        log.error(
          {
            err: error,
            reviewId: review.id,
            teamId: review.teamId,
            attempts,
            status: recorded.status,
          },
          'delivery sweep: could not read the bot token for the review’s workspace, sweep after sweep; marked failed, for Post again once it can be read',
        );
        continue;
      }
      if (clients === null) {
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
      const { delivery, home } = clients;
      log.info(
        { reviewId: review.id, teamId: review.teamId },
        review.postedVerdict
          ? 'delivery sweep: finishing a pending review whose verdict is out'
          : 'delivery sweep: posting a pending review whose posting never started',
      );
      postSavedReview(
        deps,
        delivery,
        logger,
        review,
        ['pending'],
        () => publishHome(home, deps, review.teamId, review.userId),
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
