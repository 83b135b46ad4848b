import type { KnownBlock } from '@slack/types';
import { RERUN_REFUSED_WHY, verdictEditedText } from './signOff.js';
import { escapeTitle, isDirectMessage, mentionChannel } from './text.js';
import type { SlackMessage } from './verdictMessage.js';

/** Where a review's verdict message on record is. */
export interface CurrentVerdict {
  channelId: string;
  /** Its link; null when Slack gave none (the pointer then names the channel). */
  permalink: string | null;
  /**
   * It went to the asker's DM (the channel refused it), away from the out-of-date copy: nobody
   * else can open it, so the copy and the notice say where it went, not only link it.
   */
  inAskersDm: boolean;
}

/**
 * A verdict button clicked on an out-of-date copy of the verdict; each acts on the current one.
 * `rerun-here` and `export-here` post in the clicked copy's thread instead: the current verdict is
 * in the asker's DM, and someone else clicked.
 */
export type StaleCopyAction =
  | 'agree'
  | 'challenge'
  | 'rerun'
  | 'rerun-here'
  | 'export'
  | 'export-here';

/**
 * A click on an out-of-date copy that did nothing: an Agree on a copy that showed the verdict
 * before an edit changed it is not recorded, as on any message showing a verdict since edited; a
 * Re-run by someone other than the asker, before anyone challenged, is refused, as anywhere.
 */
export type StaleCopyRefusal = 'agree-not-recorded' | 'rerun-refused';

const WHAT_HAPPENS: Record<StaleCopyAction, string> = {
  agree: 'Your agreement was recorded on it.',
  challenge: 'Once you post your challenge, it counts there, and your reason goes in its thread.',
  rerun: 'Once you finish the checklist, the re-run is posted in its thread.',
  'rerun-here':
    'Once you finish the checklist, the re-run is posted in the thread of the copy you clicked.',
  export: 'The decision record is posted in its thread.',
  'export-here': 'The decision record is posted in the thread of the copy you clicked.',
};

/** "<link|the current verdict>", or without a link the same words and its channel. */
function currentVerdictLink({ channelId, permalink }: CurrentVerdict): string {
  if (permalink) return `<${permalink}|the current verdict>`;
  // A DM (D…) can't be linked by mention; the asker finds it among their messages with the app.
  return isDirectMessage(channelId)
    ? 'the current verdict (in the asker’s messages with ftrag)'
    : `the current verdict in ${mentionChannel(channelId)}`;
}

/**
 * In place of a copy of a verdict that is not the one on record (posted again after Slack's answer
 * to the first posting was lost, though it had landed): a pointer to the current verdict, with no
 * buttons, so nobody signs off on a message that never shows it.
 */
export function buildStaleCopyMessage(title: string, current: CurrentVerdict): SlackMessage {
  const outOfDate = `This copy of the verdict on ${escapeTitle(title)} is out of date`;
  let where: string;
  let fallback: string;
  if (current.inAskersDm) {
    // Everyone here reads it; only the asker can open the link.
    where = current.permalink
      ? `The current verdict was sent to the asker by DM: <${current.permalink}|open it there> if you are the asker.`
      : 'The current verdict was sent to the asker by DM, in their messages with ftrag.';
    fallback = `${outOfDate}: the current verdict was sent to the asker by DM.`;
  } else {
    const link = currentVerdictLink(current);
    where = `Sign off and discuss on ${link}.`;
    fallback = `${outOfDate}: see ${link}.`;
  }
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:information_source: This copy of the verdict on *${escapeTitle(title)}* is out of date, and its buttons are gone. ${where}`,
      },
    },
  ];
  return { text: fallback, blocks };
}

/** What the click on an out-of-date copy did, for the notice to the person who clicked. */
export interface StaleCopyClick {
  /**
   * What the button did on the current verdict, or why it did nothing there; left out when there
   * is nothing to say about it (an export that could only go to the clicker's DM).
   */
  action?: StaleCopyAction | StaleCopyRefusal | undefined;
  /** Whether the copy now points to the current verdict (Slack may refuse to change it). */
  copyReplaced: boolean;
  /** Whether the person who clicked asked for the review: only they can open its DM. */
  byAsker: boolean;
}

function whereCurrentIs(current: CurrentVerdict, byAsker: boolean): string {
  if (!current.inAskersDm) return `${currentVerdictLink(current)} is the one to use`;
  if (!byAsker) return 'the current one was sent to the asker by DM, where only they can open it';
  const verdict = current.permalink
    ? `<${current.permalink}|the current verdict>`
    : 'the current verdict';
  return `${verdict}, sent to you by DM, is the one to use`;
}

/**
 * Tells the person who clicked an out-of-date copy where the current verdict is and what their
 * click did there. A refusal is one notice, the refusal first: why the click did nothing, where the
 * current verdict is, and, when they can open it, what to do there (sign off on the verdict as it
 * is now; challenge it, for anyone to be able to re-run it).
 */
export function staleCopyNoticeText(
  current: CurrentVerdict,
  { action, copyReplaced, byAsker }: StaleCopyClick,
): string {
  const copy = copyReplaced
    ? 'and the copy now points to it'
    : 'though I couldn’t change the copy, so its buttons are still there';
  const stale = `You clicked an out-of-date copy of this verdict: ${whereCurrentIs(current, byAsker)}, ${copy}.`;
  const canOpenCurrent = !current.inAskersDm || byAsker;
  if (action === 'agree-not-recorded') {
    const signOffThere = canOpenCurrent
      ? ' The current one shows the verdict as it is now: agree with it or challenge it there.'
      : '';
    return `${verdictEditedText('agree')} ${stale}${signOffThere}`;
  }
  if (action === 'rerun-refused') {
    const challengeThere = canOpenCurrent
      ? ' Challenge the current one with your reason first, then anyone can re-run it.'
      : '';
    return `${RERUN_REFUSED_WHY} ${stale}${challengeThere}`;
  }
  const what = action ? ` ${WHAT_HAPPENS[action]}` : '';
  return `:information_source: ${stale}${what}`;
}

/**
 * Tells the person whose click on an out-of-date copy failed (`failure` says how) where the current
 * verdict is, in the same notice; the copy is left as it was, to try again from.
 */
export function staleCopyFailureText(
  failure: string,
  current: CurrentVerdict,
  byAsker: boolean,
): string {
  return `${failure} You clicked an out-of-date copy of this verdict: ${whereCurrentIs(current, byAsker)}.`;
}
