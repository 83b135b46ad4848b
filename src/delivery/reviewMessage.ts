import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Review, ReviewRepository } from '../storage/repository.js';
import type { Vote, VoteRepository } from '../storage/votes.js';
import {
  buildUndeliveredNotice,
  buildVerdictMessage,
  type SlackMessage,
  type VerdictMessageInput,
} from '../views/verdictMessage.js';
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
  return {
    text: message.text,
    blocks: [buildUndeliveredNotice(channelId, postRefusal(channelError)), ...message.blocks],
  };
}

/** A saved review's verdict message as built for where it landed (see {@link withDmNotice}). */
function deliveredMessage(review: Review, message: SlackMessage): SlackMessage {
  const channelId = review.target.channelId;
  return review.status === 'sent-as-dm' && channelId
    ? withDmNotice(message, channelId, review.lastError)
    : message;
}

export interface RefreshDeps {
  reviews: ReviewRepository;
  votes: VoteRepository;
  logger: Logger;
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
 * A refresher with its own queue: one refresh at a time per review, each reading the votes afresh,
 * so two clicks at once in this process can't leave the older tally on screen. Instances sharing
 * the database don't share the queue; instead each refresh reads again after its chat.update and
 * sends once more when what it sent is already out of date, so the last update to land shows the
 * stored tally whatever the interleaving.
 */
export function createVerdictRefresher(): RefreshVerdictMessage {
  const refreshing = new Map<string, Promise<void>>();
  return (client, teamId, reviewId, deps, replaceOriginal) => {
    const key = `${teamId}:${reviewId}`;
    const previous = refreshing.get(key) ?? Promise.resolve();
    const next: Promise<void> = previous.then(() =>
      refreshNow(
        client,
        teamId,
        reviewId,
        deps,
        replaceOriginal,
        () => refreshing.get(key) !== next,
      ).catch((error: unknown) => {
        deps.logger.warn(
          `refreshing review ${reviewId}'s message failed: ${slackErrorName(error)}`,
        );
      }),
    );
    refreshing.set(key, next);
    void next.finally(() => {
      if (refreshing.get(key) === next) refreshing.delete(key);
    });
    return next;
  };
}

/**
 * Rebuilds a posted review's verdict message with the current votes (chat.update); one sent as a
 * DM keeps its notice of why it is not in the channel. This process's refresher.
 */
export const refreshVerdictMessage: RefreshVerdictMessage = createVerdictRefresher();

interface BuiltMessage {
  review: Review;
  message: SlackMessage;
}

async function currentMessage(
  teamId: string,
  reviewId: string,
  deps: RefreshDeps,
): Promise<BuiltMessage | null> {
  const review = await deps.reviews.get(teamId, reviewId);
  if (!review) return null;
  const votes = await deps.votes.listVotes(teamId, reviewId);
  const message = deliveredMessage(
    review,
    buildVerdictMessage(await verdictInputFor(review, deps.reviews, votes)),
  );
  return { review, message };
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

async function refreshNow(
  client: WebClient,
  teamId: string,
  reviewId: string,
  deps: RefreshDeps,
  replaceOriginal: ReplaceOriginal | undefined,
  queuedBehind: () => boolean,
): Promise<void> {
  let built = await currentMessage(teamId, reviewId, deps);
  for (let sends = 1; built; sends += 1) {
    if (!(await send(client, built, replaceOriginal))) return;
    // A refresh queued behind this one reads afresh after it and checks again itself.
    if (queuedBehind()) return;
    const after = await currentMessage(teamId, reviewId, deps);
    if (!after || sameMessage(after, built)) return;
    if (sends >= MAX_SENDS_PER_REFRESH) {
      deps.logger.warn(
        `review ${reviewId}'s message may show an older tally: it kept changing while refreshed`,
      );
      return;
    }
    built = after;
  }
}
