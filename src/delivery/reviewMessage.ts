import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Review, ReviewRepository } from '../storage/repository.js';
import type { Vote, VoteRepository } from '../storage/votes.js';
import {
  buildVerdictMessage,
  type SlackMessage,
  type VerdictMessageInput,
} from '../views/verdictMessage.js';
import { slackErrorName } from './slackErrors.js';

/**
 * Everything the verdict message of a saved review shows: its answers, its sign-off with `votes`,
 * and for a revision the verdict it replaced. Delivery and every later chat.update build from this,
 * so the message always looks the same apart from the current tally.
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
    signOff: { reviewId: review.id, votes },
  };
  const revision = review.revision ?? 1;
  if (revision > 1) {
    const previous = review.revisionOf ? await reviews.get(review.teamId, review.revisionOf) : null;
    input.revision = { number: revision, previousVerdict: previous?.decision.verdict ?? null };
  }
  return input;
}

export interface RefreshDeps {
  reviews: ReviewRepository;
  votes: VoteRepository;
  logger: Logger;
}

/** Used when the verdict has no message ts (it went out through a response_url). */
export type ReplaceOriginal = (message: SlackMessage) => Promise<void>;

// One refresh at a time per review in this process, each reading the votes afresh, so two clicks
// at once can't leave the older tally on screen.
const refreshing = new Map<string, Promise<void>>();

/** Rebuilds a posted review's verdict message with the current votes (chat.update). */
export function refreshVerdictMessage(
  client: WebClient,
  teamId: string,
  reviewId: string,
  deps: RefreshDeps,
  replaceOriginal?: ReplaceOriginal,
): Promise<void> {
  const key = `${teamId}:${reviewId}`;
  const previous = refreshing.get(key) ?? Promise.resolve();
  const next = previous.then(() =>
    refreshNow(client, teamId, reviewId, deps, replaceOriginal).catch((error: unknown) => {
      deps.logger.warn(`refreshing review ${reviewId}'s message failed: ${slackErrorName(error)}`);
    }),
  );
  refreshing.set(key, next);
  void next.finally(() => {
    if (refreshing.get(key) === next) refreshing.delete(key);
  });
  return next;
}

async function refreshNow(
  client: WebClient,
  teamId: string,
  reviewId: string,
  deps: RefreshDeps,
  replaceOriginal: ReplaceOriginal | undefined,
): Promise<void> {
  const review = await deps.reviews.get(teamId, reviewId);
  if (!review) return;
  const votes = await deps.votes.listVotes(teamId, reviewId);
  const message = buildVerdictMessage(await verdictInputFor(review, deps.reviews, votes));
  if (review.postedChannelId && review.messageTs) {
    await client.chat.update({
      channel: review.postedChannelId,
      ts: review.messageTs,
      text: message.text,
      blocks: message.blocks,
    });
  } else if (replaceOriginal) {
    await replaceOriginal(message);
  }
}
