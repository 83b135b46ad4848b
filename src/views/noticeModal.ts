import type { ModalView } from '@slack/types';
import { BlockId } from '../constants.js';

/** A modal that only says something (what happened, then what to do), with a Close button. */
export function buildNoticeModal(title: string, notice: string, advice: string): ModalView {
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
      { type: 'context', elements: [{ type: 'mrkdwn', text: advice }] },
    ],
  };
}
