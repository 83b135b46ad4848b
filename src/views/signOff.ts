import type { KnownBlock, ModalView } from '@slack/types';
import { ActionId, BlockId, CallbackId, COMMAND, type ReviewMenuChoice } from '../constants.js';
import type { Answers } from '../decision/answers.js';
import { VERDICT_LABELS } from '../decision/index.js';
import { type PostRefusal, postRefusal, type UnconfirmedCause } from '../delivery/slackErrors.js';
import type { Review } from '../storage/repository.js';
import { summarizeAnswers } from './answersSummary.js';
import { buildNoticeModal } from './noticeModal.js';
import { becauseOf } from './postRefusal.js';
import {
  conversationName,
  escapeTitle,
  escapeToFit,
  isDirectMessage,
  mentionUser,
} from './text.js';
import type { SlackMessage } from './verdictMessage.js';

export const CHALLENGE_REASON_MAX_CHARS = 500;

/** A challenge's reason as a quote, escaped, in at most `maxChars` characters. */
function quotedReason(reason: string, maxChars = 2500): string {
  return escapeToFit(reason, maxChars)
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

/**
 * The verdict message a Challenge was clicked on, when it went out through a response_url (the bot
 * was not in the channel): its reply and its new tally go back the same way.
 */
export interface ClickedMessage {
  responseUrl: string;
  /** The clicked message's own ts (a reply's, when a revision in the thread was clicked). */
  messageTs: string;
  /**
   * The ts of the thread the clicked message is in (its parent's), or its own when it is not a
   * reply: where the reason goes, as Slack threads only under a parent. Absent from the metadata
   * of modals opened before it was added; messageTs stands in then.
   */
  threadTs?: string;
}

/** What the Challenge modal carries to its submission. */
export interface ChallengeMetadata {
  reviewId: string;
  message?: ClickedMessage;
  /**
   * The version of the verdict the modal shows (`Review.verdictVersion`), which the reason is
   * written against. Absent from modals opened before it was added: then the verdict on record.
   */
  verdictVersion?: number;
}

/** Challenge: a small modal asking why (required, ≤ 500 characters). */
export function buildChallengeModal(review: Review, message?: ClickedMessage): ModalView {
  const metadata: ChallengeMetadata = {
    reviewId: review.id,
    ...(message ? { message } : {}),
    ...(review.verdictVersion === undefined ? {} : { verdictVersion: review.verdictVersion }),
  };
  return {
    type: 'modal',
    callback_id: CallbackId.challengeReason,
    title: { type: 'plain_text', text: 'Challenge the verdict' },
    submit: { type: 'plain_text', text: 'Post challenge' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(metadata),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${escapeTitle(review.answers.title)}*\nVerdict: ${VERDICT_LABELS[review.decision.verdict]}`,
        },
      },
      {
        type: 'input',
        block_id: BlockId.challengeReason,
        label: { type: 'plain_text', text: 'Why do you disagree?' },
        hint: {
          type: 'plain_text',
          text: 'Your reason is posted in the verdict’s thread with your name.',
        },
        element: {
          type: 'plain_text_input',
          action_id: ActionId.challengeReason,
          multiline: true,
          max_length: CHALLENGE_REASON_MAX_CHARS,
          placeholder: {
            type: 'plain_text',
            text: 'e.g. We have only 40 labeled examples, so fine-tuning is premature',
          },
        },
      },
    ],
  };
}

/** In place of the Challenge modal when what it carries can't be read: nothing was recorded. */
export function buildChallengeUnreadableModal(): ModalView {
  return buildNoticeModal(
    'Challenge the verdict',
    ':warning: This Challenge window could not be read (it may be from an older version of ftrag or was altered), so your challenge was not recorded.',
    'Click *Challenge* on the verdict again.',
  );
}

/** What a verdict button (or the Challenge modal's submit) would have done. */
export type GoneReviewAction = 'agree' | 'challenge' | 'challenge-submitted' | 'rerun' | 'export';

/** What a choice in App Home's review menu would have done. */
export type GoneHomeChoice = (typeof ReviewMenuChoice)[keyof typeof ReviewMenuChoice];

const GONE_CONSEQUENCES: Record<GoneReviewAction | GoneHomeChoice, string> = {
  agree: 'your agreement was not recorded.',
  challenge: "it can't be challenged.",
  'challenge-submitted': 'your challenge was not recorded.',
  rerun: `it can't be re-run. Start a new review with \`${COMMAND}\` instead.`,
  export: 'there is no decision record to export.',
  open: "it can't be opened.",
  share: "it can't be shared.",
  edit: "its answers can't be edited.",
};

/**
 * A verdict message's (or a Home line's) review is not on record in the clicker's workspace
 * (deleted by `ftrag purge`, say): what the click would have done can't be, and nothing changed.
 */
export function reviewGoneText(action: GoneReviewAction | GoneHomeChoice): string {
  return `:warning: This review is no longer on record in ftrag, so ${GONE_CONSEQUENCES[action]}`;
}

/** In place of the Challenge modal when its review is gone by the time it is submitted. */
export function buildChallengeGoneModal(): ModalView {
  return buildNoticeModal(
    'Challenge the verdict',
    reviewGoneText('challenge-submitted'),
    'Its verdict message may still be in the channel, but ftrag no longer keeps its votes.',
  );
}

/**
 * In place of what a choice in App Home's review menu opens when its review is gone: Home was
 * published before the review was deleted (it is published again, without it).
 */
export function buildHomeReviewGoneModal(choice: GoneHomeChoice): ModalView {
  return buildNoticeModal(
    'Review',
    reviewGoneText(choice),
    'It was deleted after your Home tab was shown; the tab now lists the reviews there are.',
  );
}

/**
 * The answers of a checklist refused at its last step, given back: nothing keeps them, and the
 * modal closes with this.
 */
function answersGiven(answers: Answers): string {
  return `*Your answers were:*\n${summarizeAnswers(answers)}`;
}

/**
 * In place of the checklist's last step when the review it edits or re-runs is gone by the time it
 * is submitted (deleted by `ftrag purge`, say, after the checklist opened): nothing is saved, and
 * the answers come back.
 */
export function buildChecklistGoneModal(action: 'edit' | 'rerun', answers: Answers): ModalView {
  return buildNoticeModal(
    action === 'edit' ? 'Edit answers' : 'Re-run review',
    `${reviewGoneText(action)} Nothing was saved or posted.`,
    action === 'edit'
      ? 'It was deleted after you opened *Edit answers*; your ftrag Home tab lists the reviews there are.'
      : 'It was deleted after you opened *Re-run with changes*; its verdict message may still be in Slack.',
    answersGiven(answers),
  );
}

/**
 * DM to the person whose re-run could not be saved once its modal had closed: the review it
 * revises was deleted in between. Their answers come back.
 */
export function rerunGoneText(answers: Answers): string {
  return `${reviewGoneText('rerun')} Your re-run was not saved.\n${answersGiven(answers)}`;
}

/**
 * A review as a DM, read away from it, names it: its title, escaped, with a link to its verdict
 * when Slack gave one.
 */
export function reviewNamed(review: Pick<Review, 'answers' | 'permalink'>): string {
  const title = `*${escapeTitle(review.answers.title)}*`;
  return review.permalink ? `${title} (<${review.permalink}|verdict>)` : title;
}

/**
 * That a vote was not recorded because an edit ("Edit answers") changed the verdict since the voter
 * saw it. Sent as a DM, it names the review (`review`); next to the verdict or its modal, "this
 * verdict" does.
 */
export function verdictEditedText(
  action: 'agree' | 'challenge',
  review?: Pick<Review, 'answers' | 'permalink'>,
): string {
  const notRecorded =
    action === 'agree' ? 'your agreement was not recorded' : 'your challenge was not recorded';
  const which = review ? `The verdict on ${reviewNamed(review)}` : 'This verdict';
  return `:pencil2: ${which} was edited after you saw it, so ${notRecorded}.`;
}

/**
 * A vote cast on a verdict that an edit has changed since the voter saw it ({@link
 * verdictEditedText}), and where to vote instead. For a challenge, the reason comes back, for them
 * to use again.
 */
export function verdictChangedText(
  action: 'agree' | 'challenge',
  reason?: string,
  review?: Pick<Review, 'answers' | 'permalink'>,
): string {
  const text = `${verdictEditedText(action, review)} Its message shows the verdict as it is now: agree with it or challenge it there.`;
  if (reason === undefined) return text;
  // Within a modal section's 3,000 characters: a ≤ 500-character reason has at most 500 lines.
  const quoted = quotedReason(reason, 2000);
  return `${text} Your reason was:\n${quoted}`;
}

/** In place of the Challenge modal when the verdict it showed was edited before the submission. */
export function buildChallengeVerdictChangedModal(reason: string): ModalView {
  return buildNoticeModal(
    'Challenge the verdict',
    verdictChangedText('challenge', reason),
    'Votes count only on the verdict they were cast on.',
  );
}

/** The challenge as a thread reply: the reason quoted and escaped, attributed from the payload id. */
export function buildChallengeReply(userId: string, reason: string): SlackMessage {
  const quoted = quotedReason(reason);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:question: ${mentionUser(userId)} challenged this verdict:\n${quoted}`,
      },
    },
  ];
  return {
    text: `${mentionUser(userId)} challenged the verdict: ${escapeToFit(reason, 500)}`,
    blocks,
  };
}

/**
 * DM to a challenger whose vote on `review` was recorded but whose reason Slack refused in the
 * verdict's thread (in `channelId`, when known): why, and the reason back, for them to post.
 */
export function challengeNotPostedText(
  review: Pick<Review, 'answers' | 'permalink'>,
  channelId: string | null,
  refusal: PostRefusal,
  slackError: string,
  reason: string,
): string {
  const where = channelId ? conversationName(channelId) : 'the verdict’s thread';
  const why =
    refusal === 'other'
      ? `: Slack answered \`${escapeToFit(slackError, 100)}\``
      : becauseOf(refusal, channelId);
  const quoted = quotedReason(reason);
  return `:information_source: Your challenge of ${reviewNamed(review)} was recorded and counts in the tally, but I couldn't post your reason in ${where}${why}. Here it is, to share yourself:\n${quoted}`;
}

/**
 * Why Slack left a post it may have made unconfirmed, for the person who made it: its answer never
 * came, or it answered with what can come after a message was posted.
 */
export function unconfirmedWhy(cause: UnconfirmedCause): string {
  switch (cause.kind) {
    case 'no-answer':
      return "Slack's answer never reached me";
    case 'server-error':
      return `Slack answered with a server error (HTTP ${cause.status}), which can come after a message was posted`;
    case 'may-have-acted':
      return `Slack answered \`${escapeToFit(cause.error, 100)}\`, which can come after a message was posted`;
  }
}

/**
 * Where a post Slack didn't confirm may be, for a notice: `where` names it (the thread in a
 * conversation, or the conversation), `look` is where to check.
 */
export function unconfirmedPlace(
  channelId: string,
  inThread: boolean,
): { where: string; look: string } {
  const conversation = conversationName(channelId);
  return {
    where: inThread ? `the thread in ${conversation}` : conversation,
    look: inThread
      ? 'the thread'
      : isDirectMessage(channelId)
        ? 'that conversation'
        : 'the channel',
  };
}

/**
 * Where a verdict Slack didn't confirm may be, as its asker reads it on App Home (the last error,
 * the note of a posting that broke off): `channelId` null for their own DM with ftrag, `inThread`
 * for a reply in a thread there.
 */
export function verdictMayBeIn(channelId: string | null, inThread: boolean): string {
  if (channelId === null) return 'in your DM with ftrag';
  if (!inThread && isDirectMessage(channelId)) return 'in the direct message you started it from';
  return `in ${unconfirmedPlace(channelId, inThread).look}`;
}

/**
 * DM to the asker of `review` whose verdict Slack didn't confirm (`cause`), when posted in
 * `channelId` (`inThread`: as a reply in a thread there): it may or may not be there, so it is
 * posted nowhere else, and whether to post it again is theirs to decide.
 */
export function verdictUnconfirmedText(
  review: Pick<Review, 'answers' | 'permalink'>,
  channelId: string,
  inThread: boolean,
  cause: UnconfirmedCause,
): string {
  const { where, look } = unconfirmedPlace(channelId, inThread);
  return `:information_source: I couldn't confirm that your verdict on ${reviewNamed(review)} was posted in ${where}: ${unconfirmedWhy(cause)}. Check ${look}; if it isn't there, use *Post again* for it on my Home tab.`;
}

/**
 * DM to a challenger whose vote on `review` was recorded but whose reason Slack didn't confirm in
 * the verdict's thread (in `channelId`, when known): it may be there, so they are to look before
 * they post it themselves, and get it back in case it isn't.
 */
export function challengeUnconfirmedText(
  review: Pick<Review, 'answers' | 'permalink'>,
  channelId: string | null,
  cause: UnconfirmedCause,
  reason: string,
): string {
  const where = channelId ? unconfirmedPlace(channelId, true).where : 'the verdict’s thread';
  const quoted = quotedReason(reason);
  return `:information_source: Your challenge of ${reviewNamed(review)} was recorded and counts in the tally, but I couldn't confirm that your reason was posted in ${where}: ${unconfirmedWhy(cause)}. It may be there already: check the thread before you post it yourself. Here it is, in case it isn't:\n${quoted}`;
}

/** Why a re-run was refused: only the person who asked may re-run until someone has challenged. */
export const RERUN_REFUSED_WHY =
  'Only the person who asked for this review can re-run it, until someone challenges it.';

/** Re-run refused ({@link RERUN_REFUSED_WHY}), and how anyone may re-run it. */
export const RERUN_REFUSED = `${RERUN_REFUSED_WHY} Challenge it with your reason first, then anyone can re-run it.`;

/**
 * In place of the checklist's last step when the re-run is refused there ({@link
 * RERUN_REFUSED_WHY}): the challenge that let someone else open it was withdrawn (Agree instead) or
 * cleared by an edit of the verdict since. Nothing is saved; the answers come back.
 */
export function buildRerunRefusedModal(answers: Answers): ModalView {
  return buildNoticeModal(
    'Re-run review',
    `:no_entry_sign: Your re-run was not saved, and nothing was posted. ${RERUN_REFUSED_WHY} No challenge of it stands now: one withdrawn, or cleared by an edit of the verdict, no longer counts.`,
    'Challenge it with your reason first, then anyone can re-run it.',
    answersGiven(answers),
  );
}

/**
 * To the person who clicked Export when Slack refused the record everywhere: in `channelId` (when
 * tried) with `channelError`, then in their DM with `dmError`.
 */
export function exportFailedText(
  review: Review,
  channelId: string | null,
  channelError: string | null,
  dmError: string,
): string {
  const record = `the decision record for *${escapeTitle(review.answers.title)}*`;
  const dmWhy = `Slack answered \`${escapeToFit(dmError, 100)}\``;
  if (!channelId) {
    return `:warning: I couldn't send you ${record} by DM (${dmWhy}). Please try again in a moment.`;
  }
  const why = exportRefusalWhy(channelId, channelError);
  return `:warning: I couldn't attach ${record} in ${conversationName(channelId)}${why}, nor send it to you by DM (${dmWhy}). Please try again in a moment.`;
}

/**
 * To the person who clicked Export when Slack didn't confirm the record (`cause`) attached in
 * `channelId` (`inThread`: in a thread there): it may be there, so it was sent nowhere else, and
 * they are to look before they export it again.
 */
export function exportUnconfirmedText(
  review: Review,
  channelId: string,
  inThread: boolean,
  cause: UnconfirmedCause,
): string {
  const record = `the decision record for *${escapeTitle(review.answers.title)}*`;
  const { where, look } = unconfirmedPlace(channelId, inThread);
  return `:information_source: I couldn't confirm that ${record} was attached in ${where}: ${unconfirmedWhy(cause)}. It may be there already: look in ${look}, and click *Export decision record* again if it isn't.`;
}

/**
 * To the person who clicked Export when Slack refused the record in `channelId` (when tried) with
 * `channelError`, then didn't confirm it in their DM (`cause`): it may be there.
 */
export function exportDmUnconfirmedText(
  review: Review,
  channelId: string | null,
  channelError: string | null,
  cause: UnconfirmedCause,
): string {
  const record = `the decision record for *${escapeTitle(review.answers.title)}*`;
  const look =
    "It may be in your DM with me already: look there, and click *Export decision record* again if it isn't.";
  if (!channelId) {
    return `:information_source: I couldn't confirm that ${record} reached you by DM: ${unconfirmedWhy(cause)}. ${look}`;
  }
  return `:information_source: I couldn't attach ${record} in ${conversationName(channelId)}${exportRefusalWhy(channelId, channelError)}, so I sent it to you by DM, but I couldn't confirm that it arrived: ${unconfirmedWhy(cause)}. ${look}`;
}

/** Why the record wasn't attached in `channelId`: Slack's `channelError`, as far as it tells. */
function exportRefusalWhy(channelId: string, channelError: string | null): string {
  const refusal = postRefusal(channelError);
  return refusal === 'other' && channelError
    ? ` (Slack answered \`${escapeToFit(channelError, 100)}\`)`
    : becauseOf(refusal, channelId);
}

/**
 * Export refused: the record would have gone to the DM of someone who neither asked for the review
 * nor clicked a message it is in (the verdict is in its asker's DM, say, or not posted), which
 * Slack's client never sends: nothing was sent anywhere.
 */
export const EXPORT_REFUSED =
  ':lock: Only the person who asked for this review can export its decision record from here, so nothing was sent. Click *Export decision record* on its verdict message instead.';

/** The comment on an exported decision record. */
export function exportComment(review: Review, userId: string): string {
  return `:page_facing_up: Decision record for *${escapeTitle(review.answers.title)}*, exported by ${mentionUser(userId)}.`;
}
