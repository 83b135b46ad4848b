import type { KnownBlock } from '@slack/types';
import { VERDICT_LABELS } from '../decision/index.js';
import type { Review } from '../storage/repository.js';
import { escapeToFit, mentionChannel, mentionUser } from './text.js';

/** A date Slack renders in each reader's own time zone, with a plain fallback. */
export function slackDate(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${date.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}

/** One review as a line: title, verdict, who, when, and a link to its thread when there is one. */
export function reviewLine(review: Review): string {
  const title = escapeToFit(review.answers.title, 160);
  const link = review.permalink ? ` · <${review.permalink}|thread>` : '';
  const status =
    review.status === 'pending' || review.status === 'failed' ? ` · _${review.status}_` : '';
  const channelId = review.postedChannelId ?? review.target.channelId;
  const where = channelId && !channelId.startsWith('D') ? ` in ${mentionChannel(channelId)}` : '';
  return `*${title}* — ${VERDICT_LABELS[review.decision.verdict]}${where} · ${mentionUser(review.userId)} · ${slackDate(review.createdAt)}${link}${status}`;
}

export function buildChannelHistoryMessage(
  reviews: Review[],
  total: number,
): { text: string; blocks: KnownBlock[] } {
  if (reviews.length === 0) {
    return {
      text: 'No reviews in this channel yet. Start one with `/ftrag`.',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'No reviews in this channel yet. Start one with `/ftrag`.',
          },
        },
      ],
    };
  }
  const heading =
    total > reviews.length
      ? `The latest ${reviews.length} of ${total} reviews in this channel`
      : `Reviews in this channel (${total})`;
  return {
    text: heading,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${heading}*` } },
      // A section each: ten lines of long titles and thread links would pass a section's 3,000.
      ...reviews.map(
        (review): KnownBlock => ({
          type: 'section',
          text: { type: 'mrkdwn', text: `• ${reviewLine(review)}` },
        }),
      ),
    ],
  };
}
