import type { KnownBlock } from '@slack/types';
import { MESSAGE_SHORTCUT_NAME } from '../constants.js';

export function buildHelpMessage(): { text: string; blocks: KnownBlock[] } {
  const text =
    '*ftrag* runs a “prompt, RAG or fine-tune?” review. The rule: *retrieve for knowledge, fine-tune for behavior.*';
  return {
    text: 'ftrag: how to run a review',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            '• `/ftrag` or `/ftrag what we are building` opens the checklist; the verdict lands in this channel with the detail in its thread.',
            '• `/ftrag history` lists this channel’s recent reviews.',
            `• In a thread, use the message shortcut *${MESSAGE_SHORTCUT_NAME}* (the ⋮ menu on a message) or mention @ftrag, and the verdict is posted in that thread.`,
            '• My Home tab lists your reviews and can start one from anywhere.',
          ].join('\n'),
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'The checklist climbs in order of rising cost: a better prompt, then retrieval, then fine-tuning. Measure before you trust either.',
          },
        ],
      },
    ],
  };
}
