import type { KnownBlock } from '@slack/types';
import { VERDICT_LABELS } from '../decision/index.js';
import type { Review } from '../storage/repository.js';
import { escapeMrkdwn, escapeTitle, mentionUser } from './text.js';

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
