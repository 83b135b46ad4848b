import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { unansweredCall } from '../observability/slackFetch.js';
import {
  type DeliveryOutcome,
  type Review,
  type ReviewRepository,
  recordsFailure,
  recordsOutcome,
  UNDELIVERED_STATUSES,
} from '../storage/repository.js';
import { withRetries } from '../storage/retry.js';
import type { VoteRepository } from '../storage/votes.js';
import {
  buildVerdictDetail,
  buildVerdictMessage,
  type SlackMessage,
} from '../views/verdictMessage.js';
import { askVisibility } from './conversationVisibility.js';
import { permalinkOf } from './permalink.js';
import { postToResponseUrl } from './responseUrl.js';
import { verdictInputFor, withDmNotice } from './reviewMessage.js';
import { slackErrorName } from './slackErrors.js';

export interface DeliveryDeps {
  reviews: ReviewRepository;
  /** The votes on record, which the verdict is posted with (see {@link deliverReview}). */
  votes: VoteRepository;
  logger: Logger;
  isTrustedResponseUrl: (url: string) => boolean;
  /** Waits between attempts to record a verdict that is out; the default outlasts half a minute. */
  recordRetryDelaysMs?: readonly number[];
  /**
   * Stops renewing this posting's claim on the review; resolves with when the claim it still holds
   * ends (null: it holds none), once no renewal is under way. A failure is recorded over that claim
   * only, never over the claim of a posting that took over after this one's lapsed.
   */
  stopRenewingClaim: () => Promise<Date | null>;
}

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
  permalink: string | null;
}

/** Posts the verdict, then its detail in the thread: where it landed, for the review to record. */
async function postToConversation(
  client: WebClient,
  channel: string,
  parent: SlackMessage,
  detail: SlackMessage,
  thread: { ts: string; broadcast: boolean } | undefined,
  logger: Logger,
): Promise<Delivered> {
  const posted = await postMessage(client, channel, parent, thread);
  const threadTs = thread?.ts ?? posted.ts;
  let detailTs: string | null = null;
  try {
    detailTs = (
      await postMessage(client, posted.channel, detail, { ts: threadTs, broadcast: false })
    ).ts;
  } catch (error) {
    // The verdict itself is out; the detail stays retrievable from App Home.
    logger.warn(`posting the verdict's detail failed: ${slackErrorName(error)}`);
  }
  const permalink = await permalinkOf(client, posted, logger, 'the verdict just posted');
  return { posted, threadTs, detailTs, permalink };
}

function landedAt(status: 'posted' | 'sent-as-dm', delivered: Delivered): DeliveryOutcome {
  return {
    status,
    postedChannelId: delivered.posted.channel,
    messageTs: delivered.posted.ts,
    threadTs: delivered.threadTs,
    permalink: delivered.permalink,
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
 * Delivers a saved review and never loses it: the channel (or thread) first; when the bot can't
 * post there, the response_url it started from (the command's, the shortcut's, or the clicked
 * verdict's for a re-run); then the person's DM with a note; else the review is
 * marked failed and App Home offers to post it again. When Slack never answered the channel post,
 * the verdict may be there: it is marked failed at once, rather than posted elsewhere as well.
 * Once a delivery is on record, whether its conversation is public is recorded too (Slack asked
 * once; a failure there changes nothing else).
 */
export async function deliverReview(
  client: WebClient,
  review: Review,
  deps: DeliveryDeps,
): Promise<Review> {
  const { reviews, logger } = deps;
  // Usually nobody has voted yet. But an earlier posting may have landed though it is not on
  // record (Slack's answer was lost, or the posting broke off before recording it), and clicks on
  // that copy count: Post again shows them. Nothing on the review row tells a first posting from
  // such a one (a broken-off posting leaves it pending as it was), so the votes are always read.
  const votes = await deps.votes.listVotes(review.teamId, review.id);
  const input = await verdictInputFor(review, reviews, votes);
  const parent = buildVerdictMessage(input);
  const detail = buildVerdictDetail(input);
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
    // The posted channel, the DM, or for a response_url the target channel.
    return recordVisibility(client, recorded, reviews, logger);
  };
  // Over this posting's own claim only; a posting that took over, or delivered, stays on record.
  const recordFailed = async (lastError: string): Promise<Review> => {
    const heldUntil = await deps.stopRenewingClaim();
    const recorded = await reviews.markFailed(review.teamId, review.id, lastError, heldUntil);
    if (!recordsFailure(recorded, lastError)) {
      logger.warn(
        UNDELIVERED_STATUSES.includes(recorded.status)
          ? `review ${review.id} is claimed by another posting, which took over from this one; its outcome will stand`
          : `review ${review.id} was delivered by another posting meanwhile; that stays`,
      );
    }
    return recorded;
  };
  if (channelId) {
    let delivered: Delivered | undefined;
    try {
      const thread = threadTs ? { ts: threadTs, broadcast } : undefined;
      delivered = await postToConversation(client, channelId, parent, detail, thread, logger);
    } catch (error) {
      const unanswered = unansweredCall(error);
      if (unanswered) {
        // Slack may have posted it and only the answer was lost: posting it elsewhere too could
        // make two copies. Whether to post it again is for a person to decide, from App Home.
        const lastError = `${unanswered.message} (${unanswered.method}); the verdict may be in the channel already`;
        logger.warn(`review ${review.id} may or may not be in ${channelId}: ${lastError}`);
        return recordFailed(lastError);
      }
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
    const urlParent = threadTs
      ? parent
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
    );
  } catch (error) {
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
