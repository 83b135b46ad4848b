import { readReviewChoicesLeniently, readStepLeniently } from '../../checklist/readStep.js';
import {
  type ChecklistState,
  decodeState,
  previousStep,
  withReviewChoices,
} from '../../checklist/state.js';
import { slackErrorName } from '../../delivery/slackErrors.js';
import {
  buildChecklistErrorView,
  buildChecklistStepView,
  CHECKLIST_UNREADABLE,
} from '../../views/checklistModal.js';
import type { ButtonArgs } from '../args.js';

/**
 * Back in the checklist: the previous step, keeping what the person put on this one (unvalidated,
 * as it may be half done). A click can't answer with a view, so the modal is updated, guarded by
 * its hash: on a conflict the person has already moved on, and that newer view stays.
 */
export function checklistBack() {
  return async ({ ack, body, client, logger }: ButtonArgs): Promise<void> => {
    await ack();
    const view = body.view;
    if (!view) return;
    const decoded = decodeState(view.private_metadata);
    let next: ChecklistState | null = null;
    if (decoded.ok) {
      const { state } = decoded;
      const draft = readStepLeniently(state.step, view.state.values, state.draft);
      const step = previousStep(state.step, draft);
      if (!step) return;
      const moved: ChecklistState = { ...state, step, draft };
      // Leaving "Check and post", its channel and broadcast choices are kept for when it shows
      // again; from an earlier step the ones kept so far travel on unchanged.
      next =
        state.step === 'review'
          ? withReviewChoices(moved, readReviewChoicesLeniently(view.state.values))
          : moved;
    } else {
      logger.warn(`checklist Back rejected: ${decoded.reason}`);
    }
    try {
      await client.views.update({
        view_id: view.id,
        hash: view.hash,
        view: next ? buildChecklistStepView(next) : buildChecklistErrorView(CHECKLIST_UNREADABLE),
      });
    } catch (error) {
      if (slackErrorName(error) !== 'hash_conflict') throw error;
      logger.info(`checklist Back on view ${view.id} came after a newer view; left it`);
    }
  };
}
