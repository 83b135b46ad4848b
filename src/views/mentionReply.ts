import type { KnownBlock } from '@slack/types';
import { ActionId, BlockId } from '../constants.js';
import { mentionChannel, mentionUser } from './text.js';
import type { SlackMessage } from './verdictMessage.js';

function startBlocks(intro: string, buttonValue: string): KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: intro } },
    {
      type: 'actions',
      block_id: BlockId.mentionStart,
      elements: [
        {
          type: 'button',
          action_id: ActionId.startMentionReview,
          style: 'primary',
          text: { type: 'plain_text', text: 'Start review' },
          value: buttonValue,
        },
      ],
    },
  ];
}

/** The answer to an app mention in a thread: a button that opens the checklist. */
export function buildMentionReply(userId: string, buttonValue: string): SlackMessage {
  return {
    text: 'Start a prompt, RAG or fine-tune review; the verdict is posted in this thread.',
    blocks: startBlocks(
      `${mentionUser(userId)}, want a *prompt, RAG or fine-tune?* review of this? Start it here and I'll post the verdict in this thread.`,
      buttonValue,
    ),
  };
}

/** Sent as a DM when the bot can't answer the mention where it was made. */
export function buildMentionFallbackDm(channelId: string, buttonValue: string): SlackMessage {
  const where = mentionChannel(channelId);
  return {
    text: `I couldn't answer your mention in ${where}: invite me there with /invite @ftrag.`,
    blocks: [
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `:information_source: I couldn't answer your mention in ${where} because I'm not a member there. Invite me with \`/invite @ftrag\` in that channel, then mention me again.`,
          },
        ],
      },
      ...startBlocks(
        `You can also start the review here. If I still can't post in ${where}, the verdict comes to you here.`,
        buttonValue,
      ),
    ],
  };
}
