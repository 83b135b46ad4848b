import { VERDICT_LABELS } from '../decision/index.js';
import { type Review, UNDELIVERED_STATUSES } from '../storage/repository.js';
import { isDirectMessage, mentionChannel, mentionUser } from './text.js';

/**
 * Where a review's verdict is in Slack, as far as ftrag knows.
 * - `linked`: a message in a conversation, with its link (the conversation's members can open it).
 * - `askers-dm`: in the asker's DM with ftrag (sent there because the channel refused it, or asked
 *   for as a DM from Home): only the asker can open it, with or without a link.
 * - `unlinked`: out in `channelId` (when known) without a link: posted through a response_url
 *   (without the bot, so Slack gave no ts to link), or Slack gave no permalink.
 * - `not-posted`: never reached Slack (pending or failed).
 */
export type VerdictWhereabouts =
  | { kind: 'linked'; permalink: string }
  | { kind: 'askers-dm'; permalink: string | null }
  | { kind: 'unlinked'; channelId: string | null; inThread: boolean }
  | { kind: 'not-posted' };

export function verdictWhereabouts(review: Review): VerdictWhereabouts {
  if (UNDELIVERED_STATUSES.includes(review.status)) return { kind: 'not-posted' };
  const channelId = review.postedChannelId;
  // The bot posts itself only in its own DM with someone: for a review, its asker's.
  const inBotsDm = review.status === 'posted' && channelId !== null && isDirectMessage(channelId);
  if (review.status === 'sent-as-dm' || inBotsDm) {
    return { kind: 'askers-dm', permalink: review.permalink };
  }
  if (review.permalink) return { kind: 'linked', permalink: review.permalink };
  return { kind: 'unlinked', channelId, inThread: review.target.threadTs !== null };
}

/** " in #channel", " in a thread in a direct message", or "" for a conversation not known. */
function inConversation(channelId: string | null, inThread: boolean): string {
  if (!channelId) return '';
  const conversation = isDirectMessage(channelId) ? 'a direct message' : mentionChannel(channelId);
  return inThread ? ` in a thread in ${conversation}` : ` in ${conversation}`;
}

/**
 * Where to read `review`'s verdict, as one mrkdwn sentence about `subject` (or a lone link labelled
 * `linkLabel`). `everyone`: the text is for people other than the asker too (a shared card), so
 * the asker's DM is named, never linked; else (a modal the asker may be reading) its link is
 * given, marked as theirs alone.
 */
export function whereToReadVerdict(
  review: Review,
  linkLabel: string,
  audience: 'everyone' | 'viewer',
  subject = 'The verdict',
): string {
  const where = verdictWhereabouts(review);
  switch (where.kind) {
    case 'linked':
      return `<${where.permalink}|${linkLabel}>`;
    case 'askers-dm': {
      const sent = `${subject} was sent to ${mentionUser(review.userId)} by DM`;
      return audience === 'viewer' && where.permalink
        ? `${sent}: <${where.permalink}|${linkLabel}> (only they can open it).`
        : `${sent}, so only they can open it.`;
    }
    case 'unlinked':
      return `${subject} was posted${inConversation(where.channelId, where.inThread)}, but ftrag has no link to that message.`;
    case 'not-posted':
      return `${subject} is not posted in Slack yet.`;
  }
}

/**
 * Said of `review` when `latest`, a later revision of its line, is current: which revision this
 * is, and where the newest one is (see {@link whereToReadVerdict}).
 */
export function supersededNote(
  review: Review,
  latest: Review,
  audience: 'everyone' | 'viewer',
): string {
  const number = latest.revision ?? 1;
  const verdict = VERDICT_LABELS[latest.decision.verdict];
  const where = whereToReadVerdict(latest, `Open revision ${number}`, audience, 'It');
  return `:warning: *Superseded:* this is revision ${review.revision ?? 1}; it was re-run since, and revision ${number} is current, with the verdict *${verdict}*. ${where}`;
}

/** Whether `latest` (the newest of `review`'s line, when known) is a later revision. */
export function isSupersededBy(
  review: Review,
  latest: Review | null | undefined,
): latest is Review {
  return latest !== null && latest !== undefined && latest.id !== review.id;
}
