import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { CorruptRowError } from '../storage/errors.js';
import {
  type DeliveryOutcome,
  type PostedVerdict,
  type Review,
  type ReviewRepository,
  recordsFailure,
  recordsOutcome,
  UNDELIVERED_STATUSES,
} from '../storage/repository.js';
import { withRetries } from '../storage/retry.js';
import type { Vote, VoteRepository } from '../storage/votes.js';
import { verdictMayBeIn, verdictUnconfirmedText } from '../views/signOff.js';
import {
  buildVerdictDetail,
  buildVerdictMessage,
  type SlackMessage,
  type VerdictMessageInput,
} from '../views/verdictMessage.js';
import type { BackgroundWork } from '../work.js';
import { askVisibility } from './conversationVisibility.js';
import { permalinkOf } from './permalink.js';
import { postToResponseUrl } from './responseUrl.js';
import {
  refreshVerdictMessage,
  verdictInputFor,
  withBroadcastDroppedNotice,
  withDmNotice,
} from './reviewMessage.js';
import { CANNOT_POST_HERE, slackErrorName, type UnconfirmedCause } from './slackErrors.js';
import { tellByDm } from './tellByDm.js';
import { type UnconfirmedPost, unconfirmedPost } from './unconfirmedPost.js';

export interface DeliveryDeps {
  reviews: ReviewRepository;
  /** The votes on record, which the verdict is posted with (see {@link deliverReview}). */
  votes: VoteRepository;
  logger: Logger;
  isTrustedResponseUrl: (url: string) => boolean;
  /**
   * Waits between attempts of what a posting can't go on without: reading the votes before it
   * posts, recording its outcome after. The default outlasts half a minute.
   */
  recordRetryDelaysMs?: readonly number[];
  /**
   * Stops renewing this posting's claim on the review; resolves with when the claim it still holds
   * ends (null: it holds none), once no renewal is under way. A failure is recorded over that claim
   * only, never over the claim of a posting that took over after this one's lapsed.
   */
  stopRenewingClaim: () => Promise<Date | null>;
  /**
   * Runs `write` with when the claim this posting holds ends (null: it holds none), with no renewal
   * of it under way meanwhile, so that a write made over the claim names it right. By default the
   * posting holds none.
   */
  withClaim?: <T>(write: (heldUntil: Date | null) => Promise<T>) => Promise<T>;
  /**
   * A posting nobody asked for (the delivery sweep's): when the verdict message an earlier posting
   * put out is gone, the review is marked failed ({@link messageGoneError}) rather than posted anew.
   */
  unattended?: boolean;
  /**
   * The asker sees this posting's outcome on App Home, published again once it is done (Post
   * again, or a review started from Home): a verdict Slack may or may not have posted is not told
   * by DM as well.
   */
  outcomeOnHome?: boolean;
  /** Tracks the re-checks that refresh schedules (see RefreshDeps.work). */
  work?: BackgroundWork;
}

/**
 * The last error of a review an unattended posting did not post: the verdict message out before is
 * gone (`error`, Slack's answer). A person may have deleted it on purpose, or it may still be there
 * (a channel error), so posting it anew is for the asker to decide, from App Home.
 */
export function messageGoneError(error: string): string {
  return `the verdict message posted before is gone or can't be reached (${error}); Post again to post it anew`;
}

/** The last error of a review whose votes or earlier revision the database can't read back. */
export const UNREADABLE_REVIEW =
  "this review's votes or its earlier revision can't be read from the database (see ftrag's logs); Post again once that is fixed";

/**
 * Thrown by {@link deliverReview} when it broke off before it sent Slack anything (reading what the
 * verdict shows failed, `cause`): the review is as the posting found it.
 */
export class NothingPostedError extends Error {
  constructor(reviewId: string, cause: unknown) {
    super(`review ${reviewId}: the posting broke off before it sent Slack anything`, { cause });
    this.name = 'NothingPostedError';
  }
}

const holdingNone = <T>(write: (heldUntil: Date | null) => Promise<T>): Promise<T> => write(null);

interface Posted {
  channel: string;
  ts: string;
}

async function postMessage(
  client: WebClient,
  channel: string,
  message: SlackMessage,
  thread?: { ts: string; broadcast: boolean },
): Promise<Posted> {
  const common = {
    channel,
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
  const result = await client.chat.postMessage(
    thread ? { ...common, thread_ts: thread.ts, reply_broadcast: thread.broadcast } : common,
  );
  if (!result.ts || !result.channel) throw new Error('chat.postMessage answered without ts');
  return { channel: result.channel, ts: result.ts };
}

interface Delivered {
  posted: Posted;
  threadTs: string;
  /** The detail's reply in the thread; null when posting it failed. */
  detailTs: string | null;
}

/**
 * Posts the verdict, then its detail in the thread: where it landed, for the review to record.
 * `recordPosted` is told where the verdict is as soon as it is out, before the detail is posted.
 */
async function postToConversation(
  client: WebClient,
  channel: string,
  parent: SlackMessage,
  detail: SlackMessage,
  thread: { ts: string; broadcast: boolean } | undefined,
  logger: Logger,
  recordPosted: (posted: Posted, threadTs: string) => Promise<void>,
): Promise<Delivered> {
  const posted = await postMessage(client, channel, parent, thread);
  const threadTs = thread?.ts ?? posted.ts;
  await recordPosted(posted, threadTs);
  let detailTs: string | null = null;
  try {
    detailTs = (
      await postMessage(client, posted.channel, detail, { ts: threadTs, broadcast: false })
    ).ts;
  } catch (error) {
    // The verdict itself is out; the detail stays retrievable from App Home.
    logger.warn(`posting the verdict's detail failed: ${slackErrorName(error)}`);
  }
  return { posted, threadTs, detailTs };
}

/**
 * Slack's answers, to an update of the verdict message or to its thread reply, that say the message
 * is not there to finish: deleted, or in a conversation gone or closed to the bot.
 */
const MESSAGE_GONE: ReadonlySet<string> = new Set([...CANNOT_POST_HERE, 'cant_update_message']);

/**
 * Finishes a posting that broke off after its verdict message went out (`posted`, on record): the
 * message is brought up to date (`parent`: an edit or votes may have come since), then gets its
 * detail in the thread. `gone`, with Slack's answer, when the message is not there
 * any more: the caller decides whether to post the verdict as if for the first time. A failure
 * that says nothing about the message leaves it as it is (an update's), or the detail for App Home
 * (the reply's), as a first posting would.
 */
async function finishPosted(
  client: WebClient,
  posted: PostedVerdict,
  parent: SlackMessage,
  detail: SlackMessage,
  logger: Logger,
): Promise<Delivered | { gone: string }> {
  const message: Posted = { channel: posted.channelId, ts: posted.messageTs };
  const gone = (error: string) => {
    logger.warn(
      `the verdict message ${message.ts} in ${message.channel}, posted before, is not there to finish (${error})`,
    );
    return { gone: error };
  };
  let found = false;
  try {
    await client.chat.update({ ...message, text: parent.text, blocks: parent.blocks });
    found = true;
  } catch (error) {
    const name = slackErrorName(error);
    if (MESSAGE_GONE.has(name)) return gone(name);
    logger.warn(`updating the verdict message posted before failed: ${name}`);
  }
  let detailTs: string | null = null;
  try {
    detailTs = (
      await postMessage(client, message.channel, detail, { ts: posted.threadTs, broadcast: false })
    ).ts;
  } catch (error) {
    const name = slackErrorName(error);
    // Once the update found the message, it is there: a second copy would be one too many.
    if (!found && MESSAGE_GONE.has(name)) return gone(name);
    logger.warn(`posting the verdict's detail failed: ${name}`);
  }
  return { posted: message, threadTs: posted.threadTs, detailTs };
}

function landedAt(status: 'posted' | 'sent-as-dm', delivered: Delivered): DeliveryOutcome {
  return {
    status,
    postedChannelId: delivered.posted.channel,
    messageTs: delivered.posted.ts,
    threadTs: delivered.threadTs,
    // Asked for once the delivery is on record (see recordDelivered).
    permalink: null,
  };
}

/**
 * Takes back a verdict posted a second time: another posting, which took over after this one's
 * claim lapsed, delivered it first and is on record. The detail goes first, so the verdict leaves
 * no "This message was deleted" placeholder above a thread.
 */
async function deleteDuplicate(
  client: WebClient,
  delivered: Delivered,
  logger: Logger,
): Promise<void> {
  const { channel, ts } = delivered.posted;
  for (const messageTs of [delivered.detailTs, ts]) {
    if (messageTs === null) continue;
    try {
      await client.chat.delete({ channel, ts: messageTs });
    } catch (error) {
      logger.warn(`deleting a duplicate verdict message failed: ${slackErrorName(error)}`);
    }
  }
}

/**
 * Records whether the conversation a delivered review belongs to is public, for App Home's
 * workspace list. Only once the delivery is on record, and never failing it: whatever goes wrong
 * leaves the visibility unknown (not public), and the review as recorded.
 */
async function recordVisibility(
  client: WebClient,
  review: Review,
  reviews: ReviewRepository,
  logger: Logger,
): Promise<Review> {
  const conversation = review.postedChannelId;
  if (conversation === null) return review;
  const answer = await askVisibility(client, conversation);
  if (answer.visibility === null) {
    logger.warn(
      `review ${review.id}: could not learn whether ${conversation} is a public channel, so it is not listed across the workspace: ${answer.why}`,
    );
    return review;
  }
  try {
    return await reviews.recordVisibility(review.teamId, review.id, answer.visibility);
  } catch (error) {
    logger.warn(
      `review ${review.id}: recording whether its channel is public failed, so it is not listed across the workspace: ${String(error)}`,
    );
    return review;
  }
}

/**
 * Tells the asker of `review`, by DM, that Slack didn't confirm its verdict posted in `channelId`
 * (`cause`: why): it may be there, and Post again is theirs to press if it isn't. A
 * failure is logged.
 */
async function tellUnconfirmed(
  client: WebClient,
  review: Review,
  channelId: string,
  inThread: boolean,
  cause: UnconfirmedCause,
  logger: Logger,
): Promise<void> {
  await tellByDm(
    client,
    logger,
    review.userId,
    verdictUnconfirmedText(review, channelId, inThread, cause),
    `that review ${review.id} may not be in ${channelId}`,
  );
}

/**
 * Delivers a saved review and never loses it: the channel (or thread) first; when the bot can't
 * post there, the response_url it started from (the command's, the shortcut's, or the clicked
 * verdict's for a re-run); then the person's DM with a note; else the review is
 * marked failed and App Home offers to post it again. When Slack never answered the channel post,
 * the response_url's or the DM's, or answered one with an error that may come after posting (a
 * 5xx, `internal_error`, `fatal_error`), the verdict may be there: it is marked failed at once,
 * rather than posted elsewhere as well, with a last error that says where to look, and the asker
 * is told by DM to look (unless App Home shows them the outcome, or it is that DM that may hold
 * it).
 * Once a delivery is on record, whether its conversation is public is recorded too (Slack asked
 * once; a failure there changes nothing else). Where the verdict message landed is recorded as
 * soon as it is out, before its thread reply: a posting of a review that an earlier one left
 * undelivered with its verdict out finishes that message (see finishPosted) rather than post it
 * again (and, once that is on record, refreshes it when votes came meanwhile); if that message is
 * gone, an attended posting posts the verdict anew, an unattended one marks the review failed.
 * When reading what the verdict shows fails before anything went to Slack, it throws
 * {@link NothingPostedError}, or, for a row that can't be read back, marks the review failed
 * ({@link UNREADABLE_REVIEW}).
 */
export async function deliverReview(
  client: WebClient,
  review: Review,
  deps: DeliveryDeps,
): Promise<Review> {
  const { reviews, logger } = deps;
  // Usually nobody has voted yet. But an earlier posting may have landed though its delivery is
  // not on record (Slack's answer was lost, or the posting broke off before recording it), and
  // clicks on that copy count: the message finished or posted again shows them. The review row
  // does not always tell (a lost answer, or a failed record of the message, leaves nothing on it),
  // so the votes are always read. Nothing has gone to Slack yet: a failure (a database failover) is
  // retried as a record is, a row that can't be read back is not; either is dealt with below.
  const read = await withRetries(
    async (): Promise<{ input: VerdictMessageInput; votes: Vote[] } | { error: unknown }> => {
      try {
        const votes = await deps.votes.listVotes(review.teamId, review.id);
        return { input: await verdictInputFor(review, reviews, votes), votes };
      } catch (error) {
        if (error instanceof CorruptRowError) return { error };
        throw error;
      }
    },
    (error, attempt) =>
      logger.warn(
        `reading review ${review.id}'s votes, before posting it, failed (attempt ${attempt}), retrying: ${String(error)}`,
      ),
    deps.recordRetryDelaysMs,
  ).catch((error: unknown) => ({ error }));
  const { channelId, threadTs, broadcast, responseUrl } = review.target;
  let channelError: string | null = null;

  // Once a verdict is out, failing to record where it landed is the database's failure: it is
  // retried (left pending, the review would be posted again by Post again), then reaches the
  // caller rather than sending the verdict somewhere else as well.
  const recordDelivered = async (
    outcome: DeliveryOutcome,
    delivered: Delivered | null,
  ): Promise<Review> => {
    const recorded = await withRetries(
      () => reviews.markDelivered(review.teamId, review.id, outcome),
      (error, attempt) =>
        logger.warn(
          `recording where review ${review.id} was posted failed (attempt ${attempt}), retrying: ${String(error)}`,
        ),
      deps.recordRetryDelaysMs,
    );
    if (!recordsOutcome(recorded, outcome)) {
      logger.warn(
        `review ${review.id} was delivered by another posting meanwhile; ${delivered ? 'deleting this posting’s copy' : 'this copy went out through a response_url and stays'}`,
      );
      if (delivered) await deleteDuplicate(client, delivered, logger);
      return recorded;
    }
    // The link only once the delivery is on record: Slack may keep chat.getPermalink waiting (its
    // retries, a rate limit), and a posting cut off meanwhile must not leave the verdict to be
    // posted again. Whoever reads the review before it is recorded does without the link.
    const linked = delivered ? await recordLink(recorded, delivered.posted) : recorded;
    // The posted channel, the DM, or for a response_url the target channel.
    return recordVisibility(client, linked, reviews, logger);
  };
  const recordLink = async (recorded: Review, message: Posted): Promise<Review> => {
    const permalink = await permalinkOf(client, message, logger, `review ${review.id}'s verdict`);
    if (permalink === null) return recorded;
    try {
      return await reviews.recordPermalink(review.teamId, review.id, message, permalink);
    } catch (error) {
      logger.warn(`recording the link of review ${review.id}'s verdict failed: ${String(error)}`);
      return recorded;
    }
  };
  // Over this posting's own claim only; a posting that took over, or delivered, stays on record.
  const recordFailed = async (lastError: string): Promise<Review> => {
    const heldUntil = await deps.stopRenewingClaim();
    // Retried like a delivery's record: broken off, the review would stay pending with no word why.
    const recorded = await withRetries(
      () => reviews.markFailed(review.teamId, review.id, lastError, heldUntil),
      (error, attempt) =>
        logger.warn(
          `recording why review ${review.id} was not posted failed (attempt ${attempt}), retrying: ${String(error)}`,
        ),
      deps.recordRetryDelaysMs,
    );
    if (!recordsFailure(recorded, lastError)) {
      logger.warn(
        UNDELIVERED_STATUSES.includes(recorded.status)
          ? `review ${review.id} is claimed by another posting, which took over from this one; its outcome will stand`
          : `review ${review.id} was delivered by another posting meanwhile; that stays`,
      );
    }
    return recorded;
  };
  // Where the verdict is, on record as soon as it is out: should this posting break off before its
  // delivery is recorded, the next one finishes it (see finishPosted). Its failure is only logged;
  // the posting goes on.
  const recordPosted =
    (route: Pick<PostedVerdict, 'status' | 'channelError'>) =>
    async (posted: Posted, thread: string): Promise<void> => {
      const verdict: PostedVerdict = {
        ...route,
        channelId: posted.channel,
        messageTs: posted.ts,
        threadTs: thread,
      };
      try {
        const recorded = await (deps.withClaim ?? holdingNone)((heldUntil) =>
          reviews.recordPostedVerdict(review.teamId, review.id, verdict, heldUntil),
        );
        if (!isDeepStrictEqual(recorded.postedVerdict, verdict)) {
          logger.warn(
            `review ${review.id} was delivered, or claimed by another posting, meanwhile: where this posting put its verdict is not recorded before its delivery`,
          );
        }
      } catch (error) {
        logger.warn(
          `recording where review ${review.id}'s verdict was posted, before its delivery, failed: ${String(error)}`,
        );
      }
    };

  // The update of a message out already sent the votes read above. A vote cast while it was on its
  // way went back through the click's response_url (no message on record yet), and may have landed
  // before it; its refresh found nothing changed since, so nothing sends it again. Once the message
  // is on record, the refreshes of later votes update it; one cast before is sent here.
  const catchUpWithVotes = async (sent: readonly Vote[]): Promise<void> => {
    let now: Vote[];
    try {
      now = await deps.votes.listVotes(review.teamId, review.id);
    } catch (error) {
      logger.warn(
        `review ${review.id}: reading its votes again, after finishing its message, failed; the message may show an older tally until the next vote: ${String(error)}`,
      );
      return;
    }
    if (isDeepStrictEqual(now, sent)) return;
    // This process's refresher: it takes its turn with the refreshes votes make.
    await refreshVerdictMessage(client, review.teamId, review.id, {
      reviews,
      votes: deps.votes,
      logger,
      ...(deps.work ? { work: deps.work } : {}),
    });
  };

  if ('error' in read) {
    // A row that can't be read reads no better later: failed, rather than left for the delivery
    // sweep to try every minute.
    if (read.error instanceof CorruptRowError) {
      logger.error(`review ${review.id} can't be posted: ${String(read.error)}`);
      return recordFailed(UNREADABLE_REVIEW);
    }
    // The review is as this posting found it: its caller gives it back so.
    throw new NothingPostedError(review.id, read.error);
  }
  const { input } = read;
  const parent = buildVerdictMessage(input);
  const detail = buildVerdictDetail(input);

  // An earlier posting broke off after its verdict went out: finish that one rather than post it
  // again. Only when its message is not there any more does the posting start over, and only when
  // someone asked for it (Post again): a person may have deleted it on purpose, or a channel error
  // may hide a message still there.
  const earlier = UNDELIVERED_STATUSES.includes(review.status) ? review.postedVerdict : null;
  if (earlier) {
    const shown =
      earlier.status === 'sent-as-dm' && channelId
        ? withDmNotice(parent, channelId, earlier.channelError)
        : parent;
    const finished = await finishPosted(client, earlier, shown, detail, logger);
    if (!('gone' in finished)) {
      const outcome = landedAt(earlier.status, finished);
      const recorded = await recordDelivered(
        earlier.status === 'sent-as-dm'
          ? { ...outcome, channelError: earlier.channelError }
          : outcome,
        finished,
      );
      if (recordsOutcome(recorded, outcome)) await catchUpWithVotes(read.votes);
      return recorded;
    }
    if (deps.unattended) {
      logger.warn(`review ${review.id} is left for its asker to post again, from App Home`);
      return recordFailed(messageGoneError(finished.gone));
    }
    // Forgotten before the verdict is posted anew: should this posting break off before recording
    // where the new one went, the gone message must not be taken for one to finish (the sweep
    // would post a third copy). A failure here breaks the posting off, the review still pending.
    const forgotten = await (deps.withClaim ?? holdingNone)((heldUntil) =>
      reviews.recordPostedVerdict(review.teamId, review.id, null, heldUntil),
    );
    if (forgotten.postedVerdict !== null && forgotten.postedVerdict !== undefined) {
      logger.warn(
        `review ${review.id} was delivered, or claimed by another posting, meanwhile: the gone verdict message stays on record`,
      );
    }
    logger.warn(`review ${review.id}: posting the verdict again`);
  }

  // Slack may have posted the verdict and only failed to say so (`unconfirmed`; `before`: the
  // channel's refusal that sent it on to the response_url or the DM): posting it elsewhere too could
  // make two copies. Whether to post it again is for a person to decide, from App Home, whose last
  // error says where to look (the asker reads it there). `conversation`: where it may be, null when
  // not known; `inAskersDm`: it may be in the asker's own DM, where no word of it is sent too.
  const leaveUnconfirmed = async (
    unconfirmed: UnconfirmedPost,
    conversation: string | null,
    before: string | null = null,
    inAskersDm = false,
  ): Promise<Review> => {
    const why = [before, unconfirmed.why]
      .filter(Boolean)
      .join(inAskersDm ? '; then DM: ' : '; then ');
    // A null conversation is a review asked to come by DM (from Home): no response_url either.
    const where = verdictMayBeIn(inAskersDm ? null : conversation, threadTs !== null);
    const lastError = `${why}; the verdict may be ${where} already`;
    logger.warn(
      `review ${review.id} may or may not be in ${inAskersDm ? 'its asker’s DM' : (conversation ?? 'its conversation')}: ${lastError}`,
    );
    const recorded = await recordFailed(lastError);
    // Told once: only the posting whose failure is on record tells, and a failed review is
    // posted only by Post again (the sweep takes pending ones).
    if (conversation && !inAskersDm && recordsFailure(recorded, lastError) && !deps.outcomeOnHome) {
      const inThread = threadTs !== null;
      await tellUnconfirmed(client, recorded, conversation, inThread, unconfirmed.cause, logger);
    }
    return recorded;
  };

  if (channelId) {
    let delivered: Delivered | undefined;
    try {
      const thread = threadTs ? { ts: threadTs, broadcast } : undefined;
      delivered = await postToConversation(
        client,
        channelId,
        parent,
        detail,
        thread,
        logger,
        recordPosted({ status: 'posted', channelError: null }),
      );
    } catch (error) {
      const unconfirmed = unconfirmedPost(error);
      if (unconfirmed) return leaveUnconfirmed(unconfirmed, channelId);
      channelError = slackErrorName(error);
      logger.warn(`posting review ${review.id} to ${channelId} failed: ${channelError}`);
    }
    if (delivered) {
      return recordDelivered(landedAt('posted', delivered), delivered);
    }
  }

  if (responseUrl && deps.isTrustedResponseUrl(responseUrl)) {
    // New messages, never a replacement: a re-run's response_url belongs to the clicked verdict.
    // Outside a thread the detail can't go under the parent (no ts comes back): it follows it.
    // A reply posted so is kept in the thread, whatever reply_broadcast asked: the reply says so.
    const urlParent = threadTs
      ? broadcast && channelId
        ? withBroadcastDroppedNotice(parent, channelId, channelError)
        : parent
      : buildVerdictMessage({ ...input, detailIn: 'next-message' });
    let posted = false;
    try {
      await postToResponseUrl(responseUrl, {
        response_type: 'in_channel',
        replace_original: false,
        text: urlParent.text,
        blocks: urlParent.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      posted = true;
      await postToResponseUrl(responseUrl, {
        response_type: 'in_channel',
        replace_original: false,
        text: detail.text,
        blocks: detail.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    } catch (error) {
      const unconfirmed = posted ? null : unconfirmedPost(error);
      if (unconfirmed) return leaveUnconfirmed(unconfirmed, channelId, channelError);
      logger.warn(
        posted
          ? `posting the detail via response_url failed: ${(error as Error).message}`
          : `response_url fallback for review ${review.id} failed: ${(error as Error).message}`,
      );
    }
    if (posted) {
      return recordDelivered(
        {
          status: 'posted-via-response-url',
          postedChannelId: channelId,
          messageTs: null,
          threadTs: null,
          permalink: null,
          channelError,
        },
        null,
      );
    }
  }

  let delivered: Delivered;
  try {
    // Every later update of the message rebuilds the notice from the error recorded below.
    const dmParent: SlackMessage = channelId
      ? withDmNotice(parent, channelId, channelError)
      : parent;
    delivered = await postToConversation(
      client,
      review.userId,
      dmParent,
      detail,
      undefined,
      logger,
      recordPosted(
        channelId
          ? { status: 'sent-as-dm', channelError }
          : { status: 'posted', channelError: null },
      ),
    );
  } catch (error) {
    const unconfirmed = unconfirmedPost(error);
    if (unconfirmed) {
      return leaveUnconfirmed(unconfirmed, review.userId, channelError, true);
    }
    const lastError = [channelError, slackErrorName(error)].filter(Boolean).join('; then DM: ');
    logger.error(`review ${review.id} could not be delivered: ${lastError}`);
    return recordFailed(lastError);
  }
  return recordDelivered(
    channelId
      ? { ...landedAt('sent-as-dm', delivered), channelError }
      : landedAt('posted', delivered),
    delivered,
  );
}
