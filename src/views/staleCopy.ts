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

/** A challenge's reason goes in the verdict's thread: in the asker's DM, only they read it. */
const CHALLENGE_FROM_KEPT_COPY =
  'Once you post your challenge, it counts on the current one, and your reason goes to the asker in its thread.';

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

/**
 * What became of an out-of-date copy after a click on it:
 * - `pointed`: it points to the current verdict, without buttons;
 * - `refreshed`: it shows the current verdict, with its buttons (the current one is in the asker's
 *   DM and someone else clicked: the copy is where everyone but the asker acts);
 * - `unchanged`: Slack refused to change it.
 */
export type StaleCopyOutcome = 'pointed' | 'refreshed' | 'unchanged';

/** What the click on an out-of-date copy did, for the notice to the person who clicked. */
export interface StaleCopyClick {
  /**
   * What the button did on the current verdict, or why it did nothing there; left out when there
   * is nothing to say about it (an export that could only go to the clicker's DM).
   */
  action?: StaleCopyAction | StaleCopyRefusal | undefined;
  copy: StaleCopyOutcome;
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
 * What became of the copy. `keptForOthers`: only the asker can open the current verdict and
 * someone else clicked, so the copy was never to be pointed away.
 */
function whatBecameOfCopy(copy: StaleCopyOutcome, keptForOthers: boolean): string {
  if (copy === 'pointed') return ', and the copy now points to it.';
  const kept = '; this copy keeps its buttons for everyone else';
  if (copy === 'refreshed') return `${kept}, and shows the verdict as it is now.`;
  return keptForOthers
    ? `${kept}, though I couldn’t bring it up to date.`
    : ', though I couldn’t change the copy, so its buttons are still there.';
}

/**
 * Tells the person who clicked an out-of-date copy where the current verdict is and what their
 * click did there. A refusal is one notice, the refusal first: why the click did nothing, where the
 * current verdict is, and what to do there (sign off on the verdict as it is now; challenge it, for
 * anyone to be able to re-run it). When only the asker can open the current verdict (their DM) and
 * someone else clicked, "there" is the copy they clicked, kept with its buttons for them.
 */
export function staleCopyNoticeText(
  current: CurrentVerdict,
  { action, copy, byAsker }: StaleCopyClick,
): string {
  const canOpenCurrent = !current.inAskersDm || byAsker;
  const stale = `You clicked an out-of-date copy of this verdict: ${whereCurrentIs(current, byAsker)}${whatBecameOfCopy(copy, !canOpenCurrent)}`;
  if (action === 'agree-not-recorded') {
    let signOffThere = '';
    if (canOpenCurrent) {
      signOffThere =
        ' The current one shows the verdict as it is now: agree with it or challenge it there.';
    } else if (copy === 'refreshed') {
      // The copy's Agree carries the version it shows: only now can it count.
      signOffThere = ' Agree with it or challenge it on this copy.';
    }
    return `${verdictEditedText('agree')} ${stale}${signOffThere}`;
  }
  if (action === 'rerun-refused') {
    // A challenge from the copy counts on the current verdict, whatever version the copy shows.
    const challengeThere = canOpenCurrent
      ? ' Challenge the current one with your reason first, then anyone can re-run it.'
      : ' Challenge it on this copy with your reason first, then anyone can re-run it.';
    return `${RERUN_REFUSED_WHY} ${stale}${challengeThere}`;
  }
  let what = '';
  if (action === 'challenge' && !canOpenCurrent) {
    what = ` ${CHALLENGE_FROM_KEPT_COPY}`;
  } else if (action) {
    what = ` ${WHAT_HAPPENS[action]}`;
  }
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
