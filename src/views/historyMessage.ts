import type { KnownBlock } from '@slack/types';
import { VERDICT_LABELS } from '../decision/index.js';
import type { Review } from '../storage/repository.js';
import type { VoteTally } from '../storage/votes.js';
import { escapeTitle, isDirectMessage, mentionChannel, mentionUser } from './text.js';
import { verdictWhereabouts } from './verdictWhereabouts.js';

/** A date Slack renders in each reader's own time zone, with a plain fallback. */
export function slackDate(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${date.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
}

/**
 * Where to read the verdict: its thread's link, or for one in its asker's DM with ftrag (sent
 * there because the channel refused it, or asked for as a DM from Home), a note saying so, linked
 * only for the asker: nobody else can open that DM.
 */
function whereToRead(review: Review, viewerId: string): string {
  const where = verdictWhereabouts(review);
  switch (where.kind) {
    case 'askers-dm':
      if (review.userId !== viewerId) return ' · sent to the asker by DM';
      return where.permalink ? ` · <${where.permalink}|sent to you by DM>` : ' · sent to you by DM';
    case 'linked':
      return ` · <${where.permalink}|thread>`;
    case 'unlinked':
    case 'not-posted':
      return '';
  }
}

/** One review as `viewerId` sees it listed: title, verdict, who, when, and where to read it. */
export function reviewLine(review: Review, viewerId: string): string {
  const title = escapeTitle(review.answers.title);
  const status =
    review.status === 'pending' || review.status === 'failed' ? ` · _${review.status}_` : '';
  const channelId = review.postedChannelId ?? review.target.channelId;
  const where = channelId && !isDirectMessage(channelId) ? ` in ${mentionChannel(channelId)}` : '';
  return `*${title}* — ${VERDICT_LABELS[review.decision.verdict]}${where} · ${mentionUser(review.userId)} · ${slackDate(review.createdAt)}${whereToRead(review, viewerId)}${status}`;
}

/**
 * " · revision 2 · ✅ 2 · ❓ 1": which revision, and who agreed and challenged (when anyone did).
 * `superseded`: a later revision of the review exists, so it is marked "revision 1 · superseded by
 * revision 2" (re-runs never fork a line: the revision after it is the next number).
 */
export function reviewExtras(review: Review, tally?: VoteTally, superseded = false): string {
  const parts: string[] = [];
  const revision = review.revision ?? 1;
  if (superseded) parts.push(`revision ${revision} · superseded by revision ${revision + 1}`);
  else if (revision > 1) parts.push(`revision ${revision}`);
  if (tally && tally.agree + tally.challenge > 0) {
    parts.push(`✅ ${tally.agree} · ❓ ${tally.challenge}`);
  }
  return parts.map((part) => ` · ${part}`).join('');
}

/** Sign-offs and later revisions of the listed reviews, as Home shows them. */
export interface ListedReviewExtras {
  tallies?: Readonly<Record<string, VoteTally>>;
  /** Ids of the listed reviews that a later revision superseded. */
  superseded?: ReadonlySet<string>;
}

/** `/ftrag history`: the channel's latest reviews, as `viewerId` (who asked for it) sees them. */
export function buildChannelHistoryMessage(
  reviews: Review[],
  total: number,
  viewerId: string,
  extras: ListedReviewExtras = {},
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
          text: {
            type: 'mrkdwn',
            text: `• ${reviewLine(review, viewerId)}${reviewExtras(
              review,
              extras.tallies?.[review.id],
              extras.superseded?.has(review.id) ?? false,
            )}`,
          },
        }),
      ),
    ],
  };
}
