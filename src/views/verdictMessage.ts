import type { ActionsBlock, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { ActionId, BlockId } from '../constants.js';
import type { Answers } from '../decision/answers.js';
import { VERDICT_LABELS, WARNING_TITLES } from '../decision/index.js';
import { type Decision, tradeoffColumns, type VerdictKind } from '../decision/types.js';
import type { PostRefusal } from '../delivery/slackErrors.js';
import type { Vote } from '../storage/votes.js';
import { summarizeAnswers } from './answersSummary.js';
import { becauseOf } from './postRefusal.js';
import {
  conversationName,
  escapeMrkdwn,
  escapeTitle,
  isDirectMessage,
  mentionChannel,
  mentionUser,
} from './text.js';

const SECTION_TEXT_MAX = 3000;
const TOP_REASONS = 3;
/** Names shown per side of the tally; the rest are counted, so the line stays within limits. */
const TALLY_NAMES_MAX = 30;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** A posted review's team sign-off: who agreed and who challenged, and the buttons to do so. */
export interface SignOffInput {
  /** The review the buttons act on (their value). */
  reviewId: string;
  /** The review's current votes: every chat.update rebuilds the message with them. */
  votes: readonly Vote[];
  /**
   * The version of the verdict the message shows (`Review.verdictVersion`): the buttons' block
   * carries it, so a click on the message as it was before an edit changed the verdict doesn't
   * count on the new one.
   */
  verdictVersion?: number;
}

/**
 * The sign-off buttons' block_id: the version of the verdict the message shows after an `@`. Not
 * in the buttons' values, which stay the plain review id: an instance from before versions (during
 * a rolling upgrade) reads those whole and ignores the block_id. One such block per message, so
 * the id stays unique in it.
 */
export function verdictActionsBlockId(verdictVersion: number | undefined): string {
  return verdictVersion === undefined
    ? BlockId.verdictActions
    : `${BlockId.verdictActions}@${verdictVersion}`;
}

/**
 * The verdict version a clicked sign-off button's block_id names; undefined for one without (a
 * message posted before versions, or anything else): then the vote is on the verdict on record.
 */
export function verdictVersionOfBlockId(blockId: string | undefined): number | undefined {
  const prefix = `${BlockId.verdictActions}@`;
  const version = blockId?.startsWith(prefix) ? blockId.slice(prefix.length) : '';
  return /^[1-9][0-9]{0,8}$/.test(version) ? Number(version) : undefined;
}

/** Whether `blockId` is a verdict message's sign-off buttons' ({@link verdictActionsBlockId}). */
export function isVerdictActionsBlockId(blockId: unknown): boolean {
  if (typeof blockId !== 'string') return false;
  return blockId === BlockId.verdictActions || verdictVersionOfBlockId(blockId) !== undefined;
}

/** Set on a revision (Re-run with changes): its number and the verdict it replaces. */
export interface RevisionNote {
  number: number;
  /** The verdict of the revision before it; null when that one is gone. */
  previousVerdict: VerdictKind | null;
}

export interface VerdictMessageInput {
  answers: Answers;
  decision: Decision;
  /** Who asked, from the payload. */
  userId: string;
  /** Present once the review is saved: adds the sign-off tally and Agree, Challenge, Re-run and Export. */
  signOff?: SignOffInput;
  revision?: RevisionNote;
  /**
   * Where the detail is: in the verdict's thread (default), or the next message, when both went
   * out through a response_url outside a thread (it answers no ts to thread under); or below, in
   * the Open modal, which then leaves out the pointer to it.
   */
  detailIn?: DetailPlace;
}

type DetailPlace = 'thread' | 'next-message' | 'below';

/** The pointer to the detail, where there is one: the Open modal shows it below, with none. */
const DETAIL_PLACE: Record<Exclude<DetailPlace, 'below'>, string> = {
  thread: 'in the thread',
  'next-message': 'in the next message',
};

const VERDICT_EMOJI: Record<VerdictKind, string> = {
  prompt: ':memo:',
  rag: ':books:',
  'fine-tune': ':wrench:',
  'rag+fine-tune': ':books: :wrench:',
};

/** A section whose text never exceeds Slack's limit; the text is already safe mrkdwn. */
function section(text: string): SectionBlock {
  const fitted =
    text.length <= SECTION_TEXT_MAX
      ? text
      : `${text.slice(0, SECTION_TEXT_MAX - 1).replace(/\n[^\n]*$/, '')}\n…`;
  return { type: 'section', text: { type: 'mrkdwn', text: fitted } };
}

function bullets(lines: string[]): string {
  return lines.map((line) => `• ${escapeMrkdwn(line)}`).join('\n');
}

/**
 * The channel's short "Why": the lines whose answers decided the verdict, then the others in
 * order, up to TOP_REASONS, read in the rationale's order. A decision stored before the deciding
 * lines were marked shows its first lines.
 */
function whyLines(decision: Decision): string[] {
  const { rationale, decisive = [] } = decision;
  const shown = new Set(
    decisive.filter((index) => index >= 0 && index < rationale.length).slice(0, TOP_REASONS),
  );
  for (let index = 0; index < rationale.length && shown.size < TOP_REASONS; index++) {
    shown.add(index);
  }
  return [...shown].sort((a, b) => a - b).flatMap((index) => rationale[index] ?? []);
}

/** One line per warning, its title and message, as the detail and "Check and post" show them. */
export function warningLines(decision: Decision): string {
  return decision.warnings
    .map(
      (warning) => `:warning: *${WARNING_TITLES[warning.code]}:* ${escapeMrkdwn(warning.message)}`,
    )
    .join('\n');
}

/**
 * The parent message's warnings: their titles only, on one line (the line under it says where they
 * are in full). Titles, not each message's first sentence: several first sentences only restate
 * the title ("Gap not diagnosed: The gap is not diagnosed."), others run to a few hundred
 * characters, and the Why above already gives the reasons; a list of titles stays short however
 * many there are.
 */
function warningTitlesLine(decision: Decision): string {
  const titles = decision.warnings.map((warning) => escapeMrkdwn(WARNING_TITLES[warning.code]));
  const count = titles.length === 1 ? 'Warning' : `${titles.length} warnings`;
  return `:warning: *${count}:* ${titles.join(' · ')}`;
}

/** The notification text names the verdict plainly, for notifications and screen readers. */
export function verdictNotificationText(answers: Answers, decision: Decision): string {
  return `Verdict: ${VERDICT_LABELS[decision.verdict]} — ${escapeMrkdwn(decision.headline)} (${escapeTitle(answers.title)})`;
}

/** "Revision 2: verdict changed from RAG to Fine-tune" (or unchanged), plain text. */
export function revisionLine(revision: RevisionNote, verdict: VerdictKind): string {
  const to = VERDICT_LABELS[verdict];
  if (revision.previousVerdict === null) return `Revision ${revision.number}: verdict ${to}`;
  const from = VERDICT_LABELS[revision.previousVerdict];
  return from === to
    ? `Revision ${revision.number}: verdict unchanged (${to})`
    : `Revision ${revision.number}: verdict changed from ${from} to ${to}`;
}

function names(votes: readonly Vote[]): string {
  const shown = votes.slice(0, TALLY_NAMES_MAX).map((vote) => mentionUser(vote.userId));
  const more = votes.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** "Agreed: @a, @b · Challenged: @c": one vote per person, mentions built from payload ids only. */
export function signOffLine(votes: readonly Vote[]): string {
  const agreed = votes.filter((vote) => vote.vote === 'agree');
  const challenged = votes.filter((vote) => vote.vote === 'challenge');
  if (agreed.length === 0 && challenged.length === 0) {
    return 'No sign-offs yet: agree, or challenge it with a reason.';
  }
  const parts: string[] = [];
  if (agreed.length > 0) parts.push(`Agreed: ${names(agreed)}`);
  if (challenged.length > 0) parts.push(`Challenged: ${names(challenged)}`);
  return parts.join(' · ');
}

function button(actionId: string, text: string, value: string, primary = false) {
  return {
    type: 'button' as const,
    action_id: actionId,
    text: { type: 'plain_text' as const, text, emoji: true },
    value,
    ...(primary ? { style: 'primary' as const } : {}),
  };
}

function signOffBlocks({
  reviewId,
  votes,
  verdictVersion,
}: SignOffInput): [ContextBlock, ActionsBlock] {
  return [
    {
      type: 'context',
      block_id: BlockId.verdictTally,
      elements: [{ type: 'mrkdwn', text: signOffLine(votes) }],
    },
    {
      type: 'actions',
      block_id: verdictActionsBlockId(verdictVersion),
      elements: [
        button(ActionId.agree, 'Agree', reviewId, true),
        button(ActionId.challenge, 'Challenge', reviewId),
        button(ActionId.rerun, 'Re-run with changes', reviewId),
        button(ActionId.exportRecord, 'Export decision record', reviewId),
      ],
    },
  ];
}

/**
 * The verdict's parent message: what a channel reads at a glance. A revision starts with what
 * changed; a saved review ends with its sign-off tally and buttons.
 */
export function buildVerdictMessage({
  answers,
  decision,
  userId,
  signOff,
  revision,
  detailIn = 'thread',
}: VerdictMessageInput): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (revision) {
    blocks.push({
      type: 'section',
      block_id: BlockId.revisionNote,
      text: { type: 'mrkdwn', text: `:repeat: *${revisionLine(revision, decision.verdict)}*` },
    });
  }
  blocks.push(
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `Verdict: ${VERDICT_LABELS[decision.verdict]}`,
      },
    },
    section(
      `${VERDICT_EMOJI[decision.verdict]} *${escapeTitle(answers.title)}*\n${escapeMrkdwn(decision.headline)}`,
    ),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Asked by ${mentionUser(userId)} · rules ${escapeMrkdwn(decision.rulesVersion)}`,
        },
      ],
    },
    section(`*Why*\n${bullets(whyLines(decision))}`),
  );
  const warned = decision.warnings.length > 0;
  if (warned) blocks.push(section(warningTitlesLine(decision)));
  if (detailIn !== 'below') {
    const emoji = detailIn === 'thread' ? ':thread:' : ':arrow_down:';
    const what = warned
      ? 'The warnings in full, the rationale, trade-offs, next steps and how to measure'
      : 'The full rationale, trade-offs, next steps and how to measure';
    const text = `${emoji} ${what} are ${DETAIL_PLACE[detailIn]}.`;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
  }
  if (signOff) blocks.push(...signOffBlocks(signOff));
  const text = verdictNotificationText(answers, decision);
  return {
    text: revision ? `${revisionLine(revision, decision.verdict)}. ${text}` : text,
    blocks,
  };
}

/** The thread reply with everything behind the verdict. */
export function buildVerdictDetail({ answers, decision }: VerdictMessageInput): SlackMessage {
  const blocks: KnownBlock[] = [section(`*The answers*\n${summarizeAnswers(answers)}`)];
  blocks.push(section(`*Rationale*\n${bullets(decision.rationale)}`));
  if (decision.warnings.length > 0) blocks.push(section(`*Warnings*\n${warningLines(decision)}`));
  if (decision.tradeoffs.length > 0) {
    // One line per option under its aspect: two or three options on one line wrap into a block
    // that is hard to read, on a phone above all.
    const rows = decision.tradeoffs.map((row) => {
      const options = tradeoffColumns(row).map(
        ({ label, text }) => `${label}: ${escapeMrkdwn(text)}`,
      );
      return `*${escapeMrkdwn(row.aspect)}*\n${options.join('\n')}`;
    });
    blocks.push(section(`*Trade-offs*\n\n${rows.join('\n\n')}`));
  }
  if (decision.nextSteps.length > 0) {
    const steps = decision.nextSteps.map((step, index) => `${index + 1}. ${escapeMrkdwn(step)}`);
    blocks.push(section(`*Next steps*\n${steps.join('\n')}`));
  }
  if (decision.measure.length > 0)
    blocks.push(section(`*How to measure, before you trust it*\n${bullets(decision.measure)}`));
  if (decision.sources.length > 0) {
    const links = decision.sources.map(
      (source) => `<${source.url}|${escapeMrkdwn(source.title).replaceAll('|', '¦')}>`,
    );
    blocks.push(section(`*Sources*\n${links.map((link) => `• ${link}`).join('\n')}`));
  }
  return {
    text: `Why ${VERDICT_LABELS[decision.verdict]}: rationale, trade-offs, next steps and how to measure`,
    blocks,
  };
}

/**
 * The detail again after "Edit answers" changed them, headed as such: the thread's earlier detail
 * shows the answers as they were.
 */
export function buildEditedDetail(
  { answers, decision }: Pick<VerdictMessageInput, 'answers' | 'decision'>,
  editorId: string,
): SlackMessage {
  const detail = buildVerdictDetail({ answers, decision, userId: editorId });
  return {
    text: `Edited detail: ${detail.text}`,
    blocks: [
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `:pencil2: *Edited by ${mentionUser(editorId)}*: the answers and rationale as they are now; earlier details in this thread are out of date.`,
          },
        ],
      },
      ...detail.blocks,
    ],
  };
}

/** Prepended to a verdict that had to go somewhere other than the channel it was meant for. */
export function buildUndeliveredNotice(channelId: string | null, refusal: PostRefusal): KnownBlock {
  // A DM between other people: Slack shows no name for it, and nobody can invite an app into one.
  if (channelId && isDirectMessage(channelId)) {
    const text =
      ":information_source: I couldn't post this in that direct message, since I'm not part of it, so here it is for you. You can share it from my Home tab.";
    return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
  }
  const where = channelId ? mentionChannel(channelId) : 'the channel';
  const couldNot = `:information_source: I couldn't post this in ${where}${becauseOf(refusal)}`;
  const text =
    refusal === 'not-in-channel'
      ? `${couldNot}. Invite me with \`/invite @ftrag\` in that channel, then run the review again or share it from my Home tab.`
      : `${couldNot}, so here it is for you. You can share it from my Home tab.`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * Prepended to a thread reply that was asked to go to the channel too (reply_broadcast) but went
 * out through a response_url, since the bot could not post in `channelId` (`refusal`): Slack posts
 * such a reply in the thread only.
 */
export function buildBroadcastDroppedNotice(channelId: string, refusal: PostRefusal): KnownBlock {
  const text = `:information_source: I couldn't also send this to ${conversationName(channelId)}${becauseOf(refusal, channelId)}, so it is only in this thread.`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}
