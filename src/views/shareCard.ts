import type { KnownBlock } from '@slack/types';
import { VERDICT_LABELS } from '../decision/index.js';
import { postRefusal } from '../delivery/slackErrors.js';
import type { Review } from '../storage/repository.js';
import { becauseOf } from './postRefusal.js';
import { reviewNamed } from './signOff.js';
import {
  conversationName,
  escapeMrkdwn,
  escapeTitle,
  escapeToFit,
  isDirectMessage,
  mentionUser,
} from './text.js';

/** A shared review: a short card that links back to the original thread. */
export function buildShareCard(
  review: Review,
  sharedBy: string,
): { text: string; blocks: KnownBlock[] } {
  const verdict = VERDICT_LABELS[review.decision.verdict];
  const title = escapeTitle(review.answers.title);
  const link = review.permalink ? `\n<${review.permalink}|Open the original thread>` : '';
  return {
    text: `${verdict} — shared ftrag review: ${title}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:link: *Verdict: ${verdict}* — ${title}\n${escapeMrkdwn(review.decision.headline)}${link}`,
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Shared by ${mentionUser(sharedBy)} · asked by ${mentionUser(review.userId)}`,
          },
        ],
      },
    ],
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
