import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Review, ReviewRepository } from '../storage/repository.js';
import type { Vote, VoteRepository } from '../storage/votes.js';
import {
  buildBroadcastDroppedNotice,
  buildUndeliveredNotice,
  buildVerdictMessage,
  type SlackMessage,
  type VerdictMessageInput,
} from '../views/verdictMessage.js';
import type { BackgroundWork } from '../work.js';
import { postRefusal, slackErrorName } from './slackErrors.js';

/**
 * Everything the verdict message of a saved review shows: its answers, its sign-off with `votes`,
 * for a revision the verdict it replaced, and where its detail went. Delivery and every later
 * chat.update build from this, so the message always looks the same apart from the current tally.
 */
export async function verdictInputFor(
  review: Review,
  reviews: ReviewRepository,
  votes: readonly Vote[],
): Promise<VerdictMessageInput> {
  const input: VerdictMessageInput = {
    answers: review.answers,
    decision: review.decision,
    userId: review.userId,
    signOff: {
      reviewId: review.id,
      votes,
      ...(review.verdictVersion === undefined ? {} : { verdictVersion: review.verdictVersion }),
    },
  };
  if (review.status === 'posted-via-response-url' && !review.target.threadTs) {
    input.detailIn = 'next-message';
  }
  const revision = review.revision ?? 1;
  if (revision > 1) {
    const previous = review.revisionOf ? await reviews.get(review.teamId, review.revisionOf) : null;
    input.revision = { number: revision, previousVerdict: previous?.decision.verdict ?? null };
  }
  return input;
}

/**
 * A verdict meant for `channelId` that went to the person's DM instead, as the DM shows it: first
 * the notice of why (from the error posting in the channel gave) and what to do, then the verdict.
 */
export function withDmNotice(
  message: SlackMessage,
  channelId: string,
  channelError: string | null,
): SlackMessage {
  return headedBy(buildUndeliveredNotice(channelId, postRefusal(channelError)), message);
}

/**
 * A verdict asked to go to `channelId` too, as a thread reply that went out through a response_url
 * instead (which Slack keeps in the thread): first the notice that it is only in the thread, and
 * why (from the error posting in the channel gave), then the verdict.
 */
export function withBroadcastDroppedNotice(
  message: SlackMessage,
  channelId: string,
  channelError: string | null,
): SlackMessage {
  return headedBy(buildBroadcastDroppedNotice(channelId, postRefusal(channelError)), message);
}

/** `message` with `notice` as its first block. */
function headedBy(notice: KnownBlock, message: SlackMessage): SlackMessage {
  return { text: message.text, blocks: [notice, ...message.blocks] };
}

/**
 * A saved review's verdict message as built for where it landed (see {@link withDmNotice} and
 * {@link withBroadcastDroppedNotice}).
 */
function deliveredMessage(review: Review, message: SlackMessage): SlackMessage {
  const { channelId, threadTs, broadcast } = review.target;
  if (!channelId) return message;
  if (review.status === 'sent-as-dm') return withDmNotice(message, channelId, review.lastError);
  if (review.status === 'posted-via-response-url' && threadTs && broadcast) {
    return withBroadcastDroppedNotice(message, channelId, review.lastError);
  }
  return message;
}

export interface RefreshDeps {
  reviews: ReviewRepository;
  votes: VoteRepository;
  logger: Logger;
  /**
   * Tracks the re-checks a refresh schedules (see {@link createVerdictRefresher}), so a graceful
   * stop waits for them. Once the stop has begun draining it, a re-check waiting out its pause goes
   * ahead at once, and none is scheduled anew. Without it re-checks still run, untracked.
   */
  work?: BackgroundWork;
  /** Pauses before each re-check; {@link REFRESH_RECHECK_DELAYS_MS} unless set. */
  recheckDelaysMs?: readonly number[];
}

/** Used when the verdict has no message ts (it went out through a response_url). */
export type ReplaceOriginal = (message: SlackMessage) => Promise<void>;

export type RefreshVerdictMessage = (
  client: WebClient,
  teamId: string,
  reviewId: string,
  deps: RefreshDeps,
  replaceOriginal?: ReplaceOriginal,
) => Promise<void>;

/**
 * How many times one refresh sends the message: again only when the review or its votes changed
 * while the last send was on its way (another instance may have sent an older tally meanwhile).
 */
const MAX_SENDS_PER_REFRESH = 3;

/**
 * The pauses before each re-check of a message still out of date after a refresh's last send,
 * longer each time: a burst of votes through several instances is usually over within seconds.
 */
export const REFRESH_RECHECK_DELAYS_MS = [1_000, 2_000, 4_000] as const;

/**
 * A refresher with its own queue: one refresh at a time per review, each reading the votes afresh,
 * so two clicks at once in this process can't leave the older tally on screen. Instances sharing
 * the database don't share the queue; instead each refresh reads again after its chat.update and
 * sends once more when what it sent is already out of date. A refresh that has sent
 * MAX_SENDS_PER_REFRESH times and still finds it out of date doesn't give up: after a pause it
 * re-checks, in the same queue, and sends again when the stored tally differs from what it sent
 * last. So once the votes stop changing for the length of the pauses, the last update to land shows
 * the stored tally whatever the interleaving; only when they keep changing through every re-check
 * is it logged that the message may show an older tally.
 */
export function createVerdictRefresher(): RefreshVerdictMessage {
  const refreshing = new Map<string, Promise<void>>();
  /** Runs `task` once the refreshes of the review queued before it are done. */
  const enqueue = (
    key: string,
    reviewId: string,
    logger: Logger,
    task: (queuedBehind: () => boolean) => Promise<void>,
  ): Promise<void> => {
    const previous = refreshing.get(key) ?? Promise.resolve();
    const next: Promise<void> = previous.then(() =>
      task(() => refreshing.get(key) !== next).catch((error: unknown) => {
        logger.warn(`refreshing review ${reviewId}'s message failed: ${slackErrorName(error)}`);
      }),
    );
    refreshing.set(key, next);
    void next.finally(() => {
      if (refreshing.get(key) === next) refreshing.delete(key);
    });
    return next;
  };

  /** `lastSent` may be out of date still: pause, then check again (the `attempt`-th time). */
  const recheckLater = (
    target: RefreshTarget,
    deps: RefreshDeps,
    lastSent: BuiltMessage,
    attempt: number,
  ): void => {
    const delayMs = (deps.recheckDelaysMs ?? REFRESH_RECHECK_DELAYS_MS)[attempt];
    const stopping = deps.work?.stopping;
    // Without a message ts every send goes through the click's response_url, which Slack takes 5
    // times in all: re-checks would spend what the clicks to come need.
    const throughResponseUrl = !(lastSent.review.postedChannelId && lastSent.review.messageTs);
    if (delayMs === undefined || stopping?.aborted || throughResponseUrl) {
      deps.logger.warn(
        `review ${target.reviewId}'s message may show an older tally: it kept changing while refreshed`,
      );
      return;
    }
    const recheck = async () => {
      await pause(delayMs, stopping);
      await enqueue(target.key, target.reviewId, deps.logger, async (queuedBehind) => {
        const now = await currentMessage(target.teamId, target.reviewId, deps);
        if (!now || sameMessage(now, lastSent)) return;
        const stale = await sendUntilSettled(target, now, deps, queuedBehind);
        if (stale) recheckLater(target, deps, stale, attempt + 1);
      });
    };
    if (deps.work) void deps.work.run(recheck);
    else void recheck();
  };

  return (client, teamId, reviewId, deps, replaceOriginal) => {
    const target: RefreshTarget = {
      key: `${teamId}:${reviewId}`,
      client,
      teamId,
      reviewId,
      replaceOriginal,
    };
    return enqueue(target.key, reviewId, deps.logger, async (queuedBehind) => {
      const built = await currentMessage(teamId, reviewId, deps);
      if (!built) return;
      const stale = await sendUntilSettled(target, built, deps, queuedBehind);
      if (stale) recheckLater(target, deps, stale, 0);
    });
  };
}

/**
 * Rebuilds a posted review's verdict message with the current votes (chat.update); one sent as a
 * DM keeps its notice of why it is not in the channel. This process's refresher.
 */
export const refreshVerdictMessage: RefreshVerdictMessage = createVerdictRefresher();

export interface BuiltMessage {
  review: Review;
  message: SlackMessage;
}

/**
 * A review as on record now and its verdict message with the current votes, without the notices
 * of where it landed (see {@link deliveredMessage}); null when the review is gone.
 */
export async function verdictOnRecord(
  deps: Pick<RefreshDeps, 'reviews' | 'votes'>,
  teamId: string,
  reviewId: string,
): Promise<BuiltMessage | null> {
  const review = await deps.reviews.get(teamId, reviewId);
  if (!review) return null;
  const votes = await deps.votes.listVotes(teamId, reviewId);
  return {
    review,
    message: buildVerdictMessage(await verdictInputFor(review, deps.reviews, votes)),
  };
}

async function currentMessage(
  teamId: string,
  reviewId: string,
  deps: RefreshDeps,
): Promise<BuiltMessage | null> {
  const onRecord = await verdictOnRecord(deps, teamId, reviewId);
  return (
    onRecord && {
      review: onRecord.review,
      message: deliveredMessage(onRecord.review, onRecord.message),
    }
  );
}

function sameMessage(a: BuiltMessage, b: BuiltMessage): boolean {
  return (
    a.review.postedChannelId === b.review.postedChannelId &&
    a.review.messageTs === b.review.messageTs &&
    JSON.stringify(a.message) === JSON.stringify(b.message)
  );
}

/** Sends `built`; false when there is nowhere to send it. */
async function send(
  client: WebClient,
  { review, message }: BuiltMessage,
  replaceOriginal: ReplaceOriginal | undefined,
): Promise<boolean> {
  if (review.postedChannelId && review.messageTs) {
    await client.chat.update({
      channel: review.postedChannelId,
      ts: review.messageTs,
      text: message.text,
      blocks: message.blocks,
    });
    return true;
  }
  if (!replaceOriginal) return false;
  await replaceOriginal(message);
  return true;
}

interface RefreshTarget {
  /** The review's key in the refresher's queue. */
  key: string;
  client: WebClient;
  teamId: string;
  reviewId: string;
  replaceOriginal: ReplaceOriginal | undefined;
}

/**
 * Sends `first`, then reads again and sends the newer message while the stored one changed during
 * the send, at most MAX_SENDS_PER_REFRESH times. Returns the message sent last when it is out of
 * date even then; null when it is up to date, there is nowhere to send it, or a refresh queued
 * behind this one (which reads afresh and checks again itself) takes over.
 */
async function sendUntilSettled(
  target: RefreshTarget,
  first: BuiltMessage,
  deps: RefreshDeps,
  queuedBehind: () => boolean,
): Promise<BuiltMessage | null> {
  let built = first;
  for (let sends = 1; ; sends += 1) {
    if (!(await send(target.client, built, target.replaceOriginal))) return null;
    if (queuedBehind()) return null;
    const after = await currentMessage(target.teamId, target.reviewId, deps);
    if (!after || sameMessage(after, built)) return null;
    if (sends >= MAX_SENDS_PER_REFRESH) return built;
    built = after;
  }
}

/** Waits `ms`, or less once `stopping` is aborted (a graceful stop has begun). */
async function pause(ms: number, stopping: AbortSignal | undefined): Promise<void> {
  if (stopping?.aborted) return;
  // Untracked (no `stopping`), the wait alone keeps no process from exiting.
  const options = stopping ? { signal: stopping } : { ref: false };
  await delay(ms, undefined, options).catch(() => {
    // Aborted: the stop waits for this re-check, not for its pause.
  });
}
