import { readStep } from '../../checklist/readStep.js';
import {
  type ChecklistState,
  decodeState,
  draftAfterStep,
  nextStep,
} from '../../checklist/state.js';
import { answersSchema, normalizeAnswers } from '../../decision/answers.js';
import { decide } from '../../decision/index.js';
import { applyEdit, currentEditRefusal } from '../../delivery/applyEdit.js';
import { tellByDm } from '../../delivery/tellByDm.js';
import { ReviewNotFoundError } from '../../storage/errors.js';
import type { DeliveryTarget } from '../../storage/repository.js';
import { withRetries } from '../../storage/retry.js';
import {
  buildChecklistErrorView,
  buildChecklistStepView,
  CHECKLIST_UNREADABLE,
} from '../../views/checklistModal.js';
import {
  buildEditNotYoursModal,
  buildEditRefusedModal,
  editNotNotedText,
  editUnconfirmedText,
} from '../../views/reviewModals.js';
import {
  buildChecklistGoneModal,
  buildRerunRefusedModal,
  rerunGoneText,
} from '../../views/signOff.js';
import type { ViewSubmitArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { postSavedReview } from '../postSavedReview.js';
import { publishHome, refreshHomeAfter } from '../publishHome.js';
import { mayRerun } from '../rerunRule.js';

/**
 * Every step of the checklist is one view_submission: the next step or the step's errors go back
 * inside ack(); only the last step closes the modal, then saves and posts.
 */
export function checklistStepSubmission(deps: ListenerDeps) {
  return async ({ ack, body, view, client, context, logger }: ViewSubmitArgs): Promise<void> => {
    const decoded = decodeState(view.private_metadata);
    if (!decoded.ok) {
      logger.warn(`checklist submission rejected: ${decoded.reason}`);
      await ack({ response_action: 'update', view: buildChecklistErrorView(CHECKLIST_UNREADABLE) });
      return;
    }
    const state = decoded.state;
    const read = readStep(state.step, view.state.values, state.draft);
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    const draft = draftAfterStep(state.step, read.draft);

    if (state.step !== 'review') {
      const next: ChecklistState = { ...state, step: nextStep(state.step, draft), draft };
      await ack({ response_action: 'update', view: buildChecklistStepView(next) });
      return;
    }

    const parsed = answersSchema.safeParse(draft);
    if (!parsed.success) {
      logger.warn(
        `final checklist step had incomplete answers: ${parsed.error.issues[0]?.message}`,
      );
      await ack({ response_action: 'update', view: buildChecklistErrorView(CHECKLIST_UNREADABLE) });
      return;
    }
    const answers = normalizeAnswers(parsed.data);
    const teamId = body.team?.id ?? view.team_id;
    // A verdict, an edit's update and notes, and the DMs about them go out as a verdict does: one
    // Slack rate-limits holds up only the workspace's postings. Home stays on Bolt's client.
    const slack = deps.deliveryClients.of({ context, client });
    if (state.origin === 'edit') {
      const reviewId = state.reviewId;
      const editing = reviewId ? await deps.reviews.get(teamId, reviewId) : null;
      if (!editing) {
        // Deleted since the edit began (ftrag purge, say): closing the modal would read as saved.
        logger.warn(`edit of review ${reviewId ?? '(none)'} refused: not found`);
        await ack({ response_action: 'update', view: buildChecklistGoneModal('edit', answers) });
        // The Home it started from still lists it: published again, on the same pages.
        await deps.work.run(() =>
          refreshHomeAfter(logger, 'told of a gone review', () =>
            publishHome(client, deps, teamId, body.user.id, state.homePaging),
          ),
        );
        return;
      }
      // Edit answers is offered to the asker only: anyone else's is a forged modal.
      if (editing.userId !== body.user.id) {
        logger.warn(`edit of review ${editing.id} refused: not the asker's`);
        await ack({ response_action: 'update', view: buildEditNotYoursModal(editing) });
        return;
      }
      // Posted through a response_url since the edit began, being posted right now, or re-run
      // meanwhile: say so in the modal, change nothing.
      const refusal = await currentEditRefusal(editing, deps.reviews, deps.clock());
      if (refusal) {
        await ack({ response_action: 'update', view: buildEditRefusedModal(editing, refusal) });
        return;
      }
      await ack();
      await deps.work.run(async () => {
        const edited = await applyEdit(
          slack,
          { teamId, reviewId: editing.id, editorId: body.user.id, answers, review: editing },
          { reviews: deps.reviews, votes: deps.votes, logger, clock: deps.clock, work: deps.work },
        );
        if (!edited) return;
        // The edit is made: the thread's refusal to note it, or a note Slack didn't confirm, is
        // told to the editor, only them.
        const notTold = edited.threadNotTold;
        if (notTold) {
          await tellByDm(
            slack,
            logger,
            body.user.id,
            'unconfirmed' in notTold
              ? editUnconfirmedText(edited.review, notTold.unconfirmed)
              : editNotNotedText(edited.review, notTold.refused),
            'unconfirmed' in notTold
              ? `the note of their edit of review ${edited.review.id} may not be in its thread`
              : `their edit of review ${edited.review.id} wasn't noted in its thread`,
          );
        }
        // Edits start from App Home, which closing the modal doesn't refresh: show the new answers,
        // on the pages Home showed. The edit is made by then: a failure here is only logged.
        await refreshHomeAfter(logger, `review ${edited.review.id}: the edit was saved`, () =>
          publishHome(client, deps, teamId, body.user.id, state.homePaging),
        );
      });
      return;
    }
    if (state.origin === 'rerun') {
      // Asked again here: since the checklist opened, the review may have been deleted, or the
      // challenge that let someone else re-run it withdrawn or cleared by an edit; and the review
      // named is read from private_metadata.
      const line = state.reviewId ? await deps.reviews.revisionLine(teamId, state.reviewId) : [];
      if (line.length === 0) {
        logger.warn(`re-run of review ${state.reviewId ?? '(none)'} refused: not found`);
        await ack({ response_action: 'update', view: buildChecklistGoneModal('rerun', answers) });
        return;
      }
      if (!(await mayRerun(deps.votes, line, body.user.id))) {
        logger.info(
          `re-run of review ${state.reviewId} by ${body.user.id} refused at its last step: not its asker, and no challenge stands`,
        );
        await ack({ response_action: 'update', view: buildRerunRefusedModal(answers) });
        return;
      }
    }
    await ack();
    const target: DeliveryTarget = {
      channelId:
        state.origin === 'home' ? (read.choices.destinationChannelId ?? null) : state.channelId,
      threadTs: state.threadTs,
      broadcast: read.choices.broadcast ?? false,
      responseUrl: state.responseUrl,
    };
    const saved = await deps.work.run(async () => {
      const newReview = {
        submissionKey: view.id,
        teamId,
        enterpriseId: body.enterprise?.id ?? null,
        userId: body.user.id,
        target,
        answers,
        decision: decide(answers),
        // Re-run with changes: a new revision in the same thread; the earlier verdict stays.
        ...(state.origin === 'rerun' && state.reviewId ? { revisionOf: state.reviewId } : {}),
      };
      let attempts = 0;
      const saving = await withRetries(
        () => {
          attempts += 1;
          return deps.reviews.createPending(newReview);
        },
        (error, attempt) =>
          logger.warn(
            `saving review ${view.id} failed (attempt ${attempt}), retrying: ${String(error)}`,
          ),
      ).catch(async (error: unknown) => {
        if (!(error instanceof ReviewNotFoundError)) throw error;
        // The review it re-runs was deleted after the check above, the modal closed by then.
        logger.warn(`re-run ${view.id} not saved: ${error.message}`);
        await tellByDm(
          slack,
          logger,
          body.user.id,
          rerunGoneText(answers),
          `their re-run ${view.id} wasn't saved`,
        );
        return null;
      });
      if (!saving) return null;
      const { review, created } = saving;
      if (!created) {
        logger.info(
          attempts === 1
            ? `review ${review.id}: duplicate final submission`
            : `review ${review.id}: already saved, by an attempt whose answer was lost or by a duplicate submission`,
        );
      }
      // Still pending, it is posted: an attempt that failed may have saved it and lost only the
      // answer. A duplicate's posting finds the review claimed (or queued here) and leaves it.
      return review.status === 'pending' ? review : null;
    });
    // Saved: from here on a crash or a shutdown leaves it pending, to be posted again from Home.
    if (!saved) return;
    // Started from App Home, which closing the modal doesn't refresh: once the posting is done,
    // Home lists the review (or offers Post again for it).
    const refreshHome =
      state.origin === 'home' ? () => publishHome(client, deps, teamId, body.user.id) : undefined;
    postSavedReview(deps, slack, logger, saved, ['pending'], refreshHome);
  };
}
