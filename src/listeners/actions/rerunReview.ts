import type { BlockAction } from '@slack/bolt';
import { startChecklist } from '../../checklist/state.js';
import { slackErrorName } from '../../delivery/slackErrors.js';
import type { Review } from '../../storage/repository.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import { RERUN_REFUSED } from '../../views/signOff.js';
import { isDirectMessage } from '../../views/text.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { mayRerun } from '../rerunRule.js';
import { answerReviewGone, clickedMessage, clickedReview, clickedThread } from './clickedReview.js';
import { answerStaleCopyClick, staleCopyOf } from './staleCopy.js';

/**
 * Whether the newest revision's verdict is in a DM (its asker's, as a delivery falls back to) that
 * the person clicking is not in: a click in a DM comes from one of its two members. Their re-run
 * is then not posted there, where they can't see it, but in the thread they clicked in (an
 * out-of-date copy's, or an earlier revision's in the channel), or without one in their own DM.
 */
function someoneElsesDm(channelId: string | null, latest: Review, body: BlockAction): boolean {
  return (
    channelId !== null &&
    isDirectMessage(channelId) &&
    body.user.id !== latest.userId &&
    body.channel?.id !== channelId
  );
}

/**
 * Re-run with changes: the checklist again, pre-filled with the newest revision's answers; the
 * outcome is posted in the thread as the next revision. Whichever revision's message is clicked,
 * the line of revisions decides: the person who asked (for the first verdict) may always re-run;
 * anyone may once any revision in the line has been challenged. A click on an out-of-date copy of
 * a verdict does the same; that copy then points to the current one (unless only the asker can
 * open that: {@link answerStaleCopyClick}), and a refusal there is told in its one notice. When the
 * newest revision is in its asker's DM, anyone else's re-run goes where they clicked instead
 * ({@link someoneElsesDm}).
 */
export function rerunReview(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client, logger, respond } = args;
    await ack();
    const clicked = await clickedReview(deps, body, action.value);
    if (!clicked) {
      await answerReviewGone(args, 'rerun');
      return;
    }
    const teamId = clicked.teamId;
    const read = await deps.reviews.revisionLine(teamId, clicked.id);
    const line = read.length > 0 ? read : [clicked];
    const latest = line.at(-1) ?? clicked;
    const userId = body.user.id;
    if (!(await mayRerun(deps.votes, line, userId))) {
      // From an out-of-date copy, the copy's notice says why along with where the current one is.
      if (!staleCopyOf(body, clicked)) {
        try {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: RERUN_REFUSED,
          });
        } catch (error) {
          logger.warn(`telling ${userId} why re-run was refused failed: ${slackErrorName(error)}`);
        }
      }
      await deps.work.run(() => answerStaleCopyClick(args, deps, clicked, 'rerun-refused'));
      return;
    }
    const channelId = latest.postedChannelId ?? latest.target.channelId;
    // A verdict that went out through a response_url has no ts on record: the clicked message is
    // it (or a revision in its thread), so the thread is the payload's, and the response_url this
    // click carries posts the revision there when the bot still can't. Not so from an out-of-date
    // copy of a verdict: its thread is not the one the line lives in.
    const thread =
      latest.messageTs || staleCopyOf(body, clicked) ? null : clickedThread(body, channelId);
    const elsewhere = someoneElsesDm(channelId, latest, body);
    const where = elsewhere
      ? { channelId: body.channel?.id ?? null, threadTs: clickedMessage(body)?.threadTs ?? null }
      : { channelId, threadTs: latest.threadTs ?? thread ?? latest.target.threadTs };
    // The click's response_url posts into the conversation clicked in, which is also where a
    // re-run redirected there goes: it reaches that thread when the bot can't post in it.
    const viaResponseUrl = thread !== null || (elsewhere && where.channelId !== null);
    const state = startChecklist({
      origin: 'rerun',
      ...where,
      responseUrl: viaResponseUrl && body.response_url ? body.response_url : null,
      reviewId: latest.id,
      draft: latest.answers,
      whereClicked: elsewhere,
    });
    await client.views.open({ trigger_id: body.trigger_id, view: buildChecklistStepView(state) });
    await deps.work.run(() =>
      answerStaleCopyClick(args, deps, clicked, elsewhere ? 'rerun-here' : 'rerun'),
    );
  };
}
