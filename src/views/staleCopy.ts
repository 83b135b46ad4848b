import type { KnownBlock } from '@slack/types';
import { escapeToFit, mentionChannel } from './text.js';
import type { SlackMessage } from './verdictMessage.js';

/** Where a review's verdict message on record is. */
export interface CurrentVerdict {
  channelId: string;
  /** Its link; null when Slack gave none (the pointer then names the channel). */
  permalink: string | null;
}

/** A verdict button clicked on an out-of-date copy of the verdict; each acts on the current one. */
export type StaleCopyAction = 'agree' | 'challenge' | 'rerun' | 'export';

const WHAT_HAPPENS: Record<StaleCopyAction, string> = {
  agree: 'Your agreement was recorded on it.',
  challenge: 'Once you post your challenge, it counts there, and your reason goes in its thread.',
  rerun: 'Once you finish the checklist, the re-run is posted in its thread.',
  export: 'The decision record is posted in its thread.',
};

/** "<link|the current verdict>", or without a link the same words and its channel. */
function currentVerdictLink({ channelId, permalink }: CurrentVerdict): string {
  if (permalink) return `<${permalink}|the current verdict>`;
  // A DM (D…) can't be linked by mention; the asker finds it among their messages with the app.
  return channelId.startsWith('D')
    ? 'the current verdict (in the asker’s messages with ftrag)'
    : `the current verdict in ${mentionChannel(channelId)}`;
}

/**
 * In place of a copy of a verdict that is not the one on record (posted again after Slack's answer
 * to the first posting was lost, though it had landed): a pointer to the current verdict, with no
 * buttons, so nobody signs off on a message that never shows it.
 */
export function buildStaleCopyMessage(title: string, current: CurrentVerdict): SlackMessage {
  const link = currentVerdictLink(current);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:information_source: This copy of the verdict on *${escapeToFit(title, 400)}* is out of date, and its buttons are gone. Sign off and discuss on ${link}.`,
      },
    },
  ];
  return {
    text: `This copy of the verdict on ${escapeToFit(title, 200)} is out of date: see ${link}.`,
    blocks,
  };
}

/**
 * Tells the person who clicked an out-of-date copy where the current verdict is and what their
 * click did there; `action` is left out when it did nothing (a refused re-run, say).
 */
export function staleCopyNoticeText(
  current: CurrentVerdict,
  action: StaleCopyAction | undefined,
  copyReplaced: boolean,
): string {
  const what = action ? ` ${WHAT_HAPPENS[action]}` : '';
  const copy = copyReplaced
    ? 'and the copy now points to it'
    : 'though I couldn’t change the copy, so its buttons are still there';
  return `:information_source: You clicked an out-of-date copy of this verdict: ${currentVerdictLink(current)} is the one to use, ${copy}.${what}`;
}
