import type { ModalView } from '@slack/types';
import { BlockId } from '../constants.js';

/**
 * A modal that only says something (what happened, then what to do), with a Close button.
 * `details`, safe mrkdwn of at most 3,000 characters, follows the notice in a section of its own
 * (the answers a refused submission gave, say).
 */
export function buildNoticeModal(
  title: string,
  notice: string,
  advice: string,
  details?: string,
): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      {
        type: 'section',
        block_id: BlockId.notice,
        text: { type: 'mrkdwn', text: notice },
      },
      ...(details === undefined
        ? []
        : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: details } }]),
      { type: 'context', elements: [{ type: 'mrkdwn', text: advice }] },
    ],
  };
}
