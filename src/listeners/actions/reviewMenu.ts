import { startChecklist } from '../../checklist/state.js';
import { ReviewMenuChoice } from '../../constants.js';
import { currentEditRefusal } from '../../delivery/applyEdit.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import { parseHomePaging } from '../../views/homeView.js';
import { buildEditRefusedModal, buildPrivateReviewModal } from '../../views/reviewModals.js';
import { buildHomeReviewGoneModal } from '../../views/signOff.js';
import type { OverflowArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { publishHome, refreshHomeAfter } from '../publishHome.js';
import { openableBy } from '../reviewAccess.js';
import { clickedReview } from './clickedReview.js';
import { reviewDetailModal, shareReviewModal } from './reviewMenuViews.js';

/** Open, Share or Edit answers on a review listed in App Home. */
export function reviewMenu(deps: ListenerDeps) {
  return async ({ ack, body, action, client, logger }: OverflowArgs): Promise<void> => {
    await ack();
    const [choice, reviewId] = action.selected_option.value.split(':');
    const review = await clickedReview(deps, body, reviewId);
    if (!review) {
      const teamId = body.team?.id;
      const known = Object.values(ReviewMenuChoice).find((value) => value === choice);
      // A value ftrag did not write: nothing to say about it.
      if (!teamId || !reviewId || !known) return;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildHomeReviewGoneModal(known),
      });
      // The Home it was chosen from still lists it: published again, on the same pages.
      const paging = parseHomePaging(body.view?.private_metadata);
      await refreshHomeAfter(logger, 'told of a gone review', () =>
        publishHome(client, deps, teamId, body.user.id, paging),
      );
      return;
    }
    // Home lists other people's reviews only from public channels, but a Home published before a
    // review was known to be private may still offer it.
    if (!openableBy(review, body.user.id)) {
      await client.views.open({ trigger_id: body.trigger_id, view: buildPrivateReviewModal() });
      return;
    }

    if (choice === ReviewMenuChoice.open) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: await reviewDetailModal(deps, review),
      });
    } else if (choice === ReviewMenuChoice.share) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: await shareReviewModal(deps, review),
      });
    } else if (choice === ReviewMenuChoice.edit && review.userId === body.user.id) {
      const refusal = await currentEditRefusal(review, deps.reviews, deps.clock());
      if (refusal) {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: buildEditRefusedModal(review, refusal),
        });
        return;
      }
      const state = startChecklist({
        origin: 'edit',
        channelId: review.postedChannelId,
        threadTs: review.threadTs,
        responseUrl: null,
        reviewId: review.id,
        draft: review.answers,
        homePaging: parseHomePaging(body.view?.private_metadata),
      });
      await client.views.open({ trigger_id: body.trigger_id, view: buildChecklistStepView(state) });
    }
  };
}
