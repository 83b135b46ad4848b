import type { KnownBlock, SectionBlock } from '@slack/types';
import type { Answers } from '../decision/answers.js';
import { VERDICT_LABELS, WARNING_TITLES } from '../decision/index.js';
import type { Decision, VerdictKind } from '../decision/types.js';
import { summarizeAnswers } from './answersSummary.js';
import { escapeMrkdwn, escapeToFit, mentionChannel, mentionUser } from './text.js';

const SECTION_TEXT_MAX = 3000;
const TOP_REASONS = 3;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface VerdictMessageInput {
  answers: Answers;
  decision: Decision;
  /** Who asked, from the payload. */
  userId: string;
}

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

function warningLines(decision: Decision): string {
  return decision.warnings
    .map(
      (warning) => `:warning: *${WARNING_TITLES[warning.code]}:* ${escapeMrkdwn(warning.message)}`,
    )
    .join('\n');
}

/** The notification text names the verdict plainly, for notifications and screen readers. */
export function verdictNotificationText(answers: Answers, decision: Decision): string {
  return `Verdict: ${VERDICT_LABELS[decision.verdict]} — ${escapeMrkdwn(decision.headline)} (${escapeToFit(answers.title, 200)})`;
}

/** The verdict's parent message: what a channel reads at a glance. */
export function buildVerdictMessage({
  answers,
  decision,
  userId,
}: VerdictMessageInput): SlackMessage {
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `Verdict: ${VERDICT_LABELS[decision.verdict]}`,
      },
    },
    section(
      `${VERDICT_EMOJI[decision.verdict]} *${escapeToFit(answers.title, 400)}*\n${escapeMrkdwn(decision.headline)}`,
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
    section(`*Why*\n${bullets(decision.rationale.slice(0, TOP_REASONS))}`),
  ];
  if (decision.warnings.length > 0) blocks.push(section(warningLines(decision)));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: ':thread: The full rationale, trade-offs, next steps and how to measure are in the thread.',
      },
    ],
  });
  return { text: verdictNotificationText(answers, decision), blocks };
}

/** The thread reply with everything behind the verdict. */
export function buildVerdictDetail({ answers, decision }: VerdictMessageInput): SlackMessage {
  const blocks: KnownBlock[] = [section(`*The answers*\n${summarizeAnswers(answers)}`)];
  blocks.push(section(`*Rationale*\n${bullets(decision.rationale)}`));
  if (decision.warnings.length > 0) blocks.push(section(`*Warnings*\n${warningLines(decision)}`));
  if (decision.tradeoffs.length > 0) {
    const rows = decision.tradeoffs.map(
      (row) =>
        `*${escapeMrkdwn(row.aspect)}* — RAG: ${escapeMrkdwn(row.rag)} · Fine-tuning: ${escapeMrkdwn(row.fineTuning)}`,
    );
    blocks.push(section(`*Trade-offs*\n${rows.join('\n')}`));
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

/** Prepended to a verdict that had to go somewhere other than the channel it was meant for. */
export function buildUndeliveredNotice(
  channelId: string | null,
  reason: 'not-in-channel' | 'failed',
): KnownBlock {
  const where = channelId ? mentionChannel(channelId) : 'the channel';
  const text =
    reason === 'not-in-channel'
      ? `:information_source: I couldn't post this in ${where} because I'm not a member there. Invite me with \`/invite @ftrag\` in that channel, then run the review again or share it from my Home tab.`
      : `:information_source: I couldn't post this in ${where}, so here it is for you. You can share it from my Home tab.`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}
