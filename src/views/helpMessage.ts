import type { KnownBlock } from '@slack/types';
import { ActionId, BlockId, MESSAGE_SHORTCUT_NAME } from '../constants.js';
import { VERDICT_LABELS } from '../decision/index.js';
import { cutCleanly, isDirectMessage } from './text.js';
import type { SlackMessage } from './verdictMessage.js';

/** What `/ftrag` answers itself, rather than start a review titled with the word. */
export type Subcommand = 'help' | 'history';

/** What each subcommand does, as a typo's answer says it. */
const SUBCOMMAND_DOES: Record<Subcommand, string> = {
  help: 'It shows how to use ftrag.',
  history: 'It lists the recent reviews of this conversation.',
};

/** The button that runs the subcommand meant instead. */
const SUBCOMMAND_BUTTON: Record<Subcommand, string> = {
  help: 'Show the help',
  history: 'Show the history',
};

/** A review's title as a button shows it (a button's text holds at most 75 characters). */
const BUTTON_TITLE_MAX = 40;

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/**
 * `/ftrag help`, answered where it was typed: `channelId` is the command's conversation, whose
 * kind says where a verdict started there lands.
 */
export function buildHelpMessage(channelId: string): SlackMessage {
  const dm = isDirectMessage(channelId);
  const here = dm ? 'this direct message' : 'this channel';
  const lands = dm
    ? 'the verdict is posted in this direct message, with its detail'
    : 'the verdict lands in this channel with the detail in its thread';
  return {
    text: 'ftrag: how to run a review',
    blocks: [
      section(
        '*ftrag* runs a “prompt, RAG or fine-tune?” review. The rule: *retrieve for knowledge, fine-tune for behavior.*',
      ),
      section(
        [
          `• \`/ftrag\` or \`/ftrag what we are building\` opens the checklist; ${lands}.`,
          `• On any message, the message shortcut *${MESSAGE_SHORTCUT_NAME}* (in the message’s ⋮ menu) starts a review with that message as what goes wrong today; the verdict is posted in that message’s thread.`,
          '• Mention @ftrag in a message or a thread for a *Start review* button; the verdict is posted in that thread.',
          `• \`/ftrag history\` lists ${here}’s recent reviews.`,
          '• My Home tab lists your reviews and can start one from anywhere.',
        ].join('\n'),
      ),
      section(
        [
          '*The verdicts*',
          `• *${VERDICT_LABELS.prompt}*: a better prompt does it (a clear spec, a few examples, and the facts themselves when a few pages hold them). Also the verdict while the gap is not yet diagnosed, and while labeled examples for a fine-tune are collected.`,
          `• *${VERDICT_LABELS.rag}*: the model lacks knowledge too large for a prompt, or changing weekly or faster; retrieve it at each request.`,
          `• *${VERDICT_LABELS['fine-tune']}*: the model lacks a behavior (a format, a tone, a narrow skill) a prompt can’t reliably hit; train on good examples.`,
          `• *${VERDICT_LABELS['rag+fine-tune']}*: both; fine-tune the behavior, retrieve the knowledge.`,
        ].join('\n'),
      ),
      section(
        [
          '*Scored* means run on 20 to 50 real inputs, each with its expected output, and counted how many came out right: only a scored prompt that falls short points to fine-tuning.',
          ':warning: *Warnings* flag what the answers leave at risk (too few examples, no training budget, a leaning they don’t bear out): the channel names them, the thread says each in full.',
          'The optional *Data and access* box on the first step (personal or customer data, or answers that must respect who may see what) adds warnings and steps; it never changes the verdict.',
        ].join('\n'),
      ),
      section(
        [
          '*On a posted verdict*',
          '• *Agree* or *Challenge*: sign off, or challenge it with a reason posted in its thread; one vote each, which you can change.',
          '• *Re-run with changes*: the checklist again, pre-filled; the new verdict is posted in the thread as a revision, the earlier one stays.',
          '• *Export decision record*: attaches the review to the thread as a Markdown decision record, with its sign-offs.',
        ].join('\n'),
      ),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'The checklist climbs in order of rising cost: a better prompt, then retrieval, then fine-tuning. Measure before you trust any of them.',
          },
        ],
      },
    ],
  };
}

/**
 * The answer to `/ftrag` followed by a single word a typo away from a subcommand: was the
 * subcommand meant? Its button, first, runs it; a second still starts the review titled with the
 * word, as /ftrag would have.
 */
export function buildTypoMessage(subcommand: Subcommand, typed: string): SlackMessage {
  const question = `Did you mean \`/ftrag ${subcommand}\`?`;
  return {
    text: question,
    blocks: [
      section(`${question} ${SUBCOMMAND_DOES[subcommand]}`),
      {
        type: 'actions',
        block_id: BlockId.commandTypo,
        elements: [
          {
            type: 'button',
            action_id: ActionId.runMeantCommand,
            text: { type: 'plain_text', text: SUBCOMMAND_BUTTON[subcommand] },
            value: subcommand,
            style: 'primary',
          },
          {
            type: 'button',
            action_id: ActionId.startCommandReview,
            text: {
              type: 'plain_text',
              text: `Start a review titled “${cutCleanly(typed, BUTTON_TITLE_MAX)}”`,
            },
            value: typed,
          },
        ],
      },
    ],
  };
}
