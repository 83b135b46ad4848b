import type { KnownBlock } from '@slack/types';
import { ActionId, BlockId } from '../constants.js';
import type { PostRefusal } from '../delivery/slackErrors.js';
import { becauseOf } from './postRefusal.js';
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

/** Sent as a DM when the bot can't answer the mention where it was made, saying why. */
export function buildMentionFallbackDm(
  channelId: string,
  buttonValue: string,
  refusal: PostRefusal,
): SlackMessage {
  const where = mentionChannel(channelId);
  const couldNot = `I couldn't answer your mention in ${where}${becauseOf(refusal)}.`;
  const invite =
    refusal === 'not-in-channel'
      ? ' Invite me with `/invite @ftrag` in that channel, then mention me again.'
      : '';
  return {
    text: couldNot,
    blocks: [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `:information_source: ${couldNot}${invite}` }],
      },
      ...startBlocks(
        `You can also start the review here. If I can't post the verdict in ${where}, it comes to you here.`,
        buttonValue,
      ),
    ],
  };
}
