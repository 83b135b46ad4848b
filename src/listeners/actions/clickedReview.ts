import type { BlockAction } from '@slack/bolt';
import { slackErrorName } from '../../delivery/slackErrors.js';
import type { Review } from '../../storage/repository.js';
import { type GoneReviewAction, reviewGoneText, verdictChangedText } from '../../views/signOff.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';

/** The review a button names, looked up only in the clicking person's own workspace. */
export async function clickedReview(
  deps: Pick<ListenerDeps, 'reviews'>,
  body: BlockAction,
  reviewId: string | undefined,
): Promise<Review | null> {
  const teamId = body.team?.id;
  if (!teamId || !reviewId) return null;
  return deps.reviews.get(teamId, reviewId);
}

/**
 * The clicked message's ts, and the ts of the thread it is in: its parent's when it is a reply (a
 * revision, say), else its own. Slack threads only under a parent, so replies go to `threadTs`.
 */
export function clickedMessage(body: BlockAction): { messageTs: string; threadTs: string } | null {
  const message = body.message;
  if (!message) return null;
  const threadTs: unknown = message.thread_ts;
  return {
    messageTs: message.ts,
    threadTs: typeof threadTs === 'string' ? threadTs : message.ts,
  };
}

/**
 * The thread of the clicked message when it is in `channelId` (a review's channel): its parent's
 * ts, or its own. Null for a click elsewhere (a copy in someone's DM, say) or without a message.
 */
export function clickedThread(body: BlockAction, channelId: string | null): string | null {
  if (!channelId || body.channel?.id !== channelId) return null;
  return clickedMessage(body)?.threadTs ?? null;
}

/**
 * Tells the clicker, only them, `text` about their click (`what` names it in the logs), through the
 * response_url the click on a message carries. A failure is only logged: the click's work is done.
 */
export async function answerClicker(
  { body, respond, logger }: Pick<ButtonArgs, 'body' | 'respond' | 'logger'>,
  text: string,
  what: string,
): Promise<void> {
  if (!body.response_url) {
    logger.warn(`${what} by ${body.user.id}: no response_url to answer`);
    return;
  }
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  } catch (error) {
    logger.warn(`telling ${body.user.id} about ${what} failed: ${slackErrorName(error)}`);
  }
}

/**
 * Tells the clicker, only them, that the button's review is not on record in their workspace
 * (purged, say).
 */
export function answerReviewGone(
  args: Pick<ButtonArgs, 'body' | 'respond' | 'logger'>,
  action: GoneReviewAction,
): Promise<void> {
  return answerClicker(args, reviewGoneText(action), `${action} on a review not on record`);
}

/**
 * Tells the clicker, only them, that their agreement was not recorded: the verdict was edited
 * after the message they clicked showed it.
 */
export function answerVerdictChanged(
  args: Pick<ButtonArgs, 'body' | 'respond' | 'logger'>,
): Promise<void> {
  return answerClicker(args, verdictChangedText('agree'), 'agree on an edited verdict');
}
