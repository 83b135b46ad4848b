import type { KnownBlock } from '@slack/types';
import { VERDICT_LABELS } from '../decision/index.js';
import { postRefusal, type UnconfirmedCause } from '../delivery/slackErrors.js';
import type { Review } from '../storage/repository.js';
import { becauseOf } from './postRefusal.js';
import { reviewNamed, unconfirmedPlace, unconfirmedWhy } from './signOff.js';
import {
  conversationName,
  escapeMrkdwn,
  escapeTitle,
  escapeToFit,
  isDirectMessage,
  mentionUser,
} from './text.js';
import { isSupersededBy, supersededNote, whereToReadVerdict } from './verdictWhereabouts.js';

/**
 * A shared review: a short card that says where the verdict is (its thread's link when others can
 * open it), which revision it is, and when `latest` (the newest of its line, when known) is a later
 * revision, that this one is superseded and where the newest is.
 */
export function buildShareCard(
  review: Review,
  sharedBy: string,
  latest?: Review | null,
): { text: string; blocks: KnownBlock[] } {
  const verdict = VERDICT_LABELS[review.decision.verdict];
  const title = escapeTitle(review.answers.title);
  const superseded = isSupersededBy(review, latest);
  const revision = review.revision ?? 1;
  const blocks: KnownBlock[] = [];
  if (superseded) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: supersededNote(review, latest, 'everyone') },
    });
  }
  const where = whereToReadVerdict(review, 'Open the original thread', 'everyone');
  blocks.push(
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:link: *Verdict: ${verdict}* — ${title}\n${escapeMrkdwn(review.decision.headline)}\n${where}`,
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Shared by ${mentionUser(sharedBy)} · asked by ${mentionUser(review.userId)}${revision > 1 || superseded ? ` · revision ${revision}` : ''}`,
        },
      ],
    },
  );
  return {
    text: `${superseded ? 'Superseded: ' : ''}${verdict} — shared ftrag review: ${title}`,
    blocks,
  };
}

/**
 * DM to someone whose Share Slack refused in `channelId` with `slackError`: which review, why, and
 * for a channel the bot is not in, how to invite it.
 */
export function shareFailedText(
  review: Pick<Review, 'answers' | 'permalink'>,
  channelId: string,
  slackError: string,
): string {
  const refusal = postRefusal(slackError);
  const text =
    refusal === 'other'
      ? `I couldn't share ${reviewNamed(review)}. Slack answered \`${escapeToFit(slackError, 100)}\`; please try again.`
      : `I couldn't share ${reviewNamed(review)} in ${conversationName(channelId)}${becauseOf(refusal, channelId)}.${refusal === 'not-in-channel' && !isDirectMessage(channelId) ? ' Invite me there with `/invite @ftrag`, then share again.' : ''}`;
  return `:information_source: ${text}`;
}

/**
 * DM to someone whose Share Slack didn't confirm (`cause`) in `channelId` (`inThread`: in a thread
 * there): the card may be there, so it was posted nowhere else, and they are to look before they
 * share it again.
 */
export function shareUnconfirmedText(
  review: Pick<Review, 'answers' | 'permalink'>,
  channelId: string,
  inThread: boolean,
  cause: UnconfirmedCause,
): string {
  const { where, look } = unconfirmedPlace(channelId, inThread);
  return `:information_source: I couldn't confirm that ${reviewNamed(review)} was shared in ${where}: ${unconfirmedWhy(cause)}. It may be there already: check ${look} before you share it again.`;
}
