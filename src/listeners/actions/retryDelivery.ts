import { UNDELIVERED_STATUSES } from '../../storage/repository.js';
import { parseHomePaging } from '../../views/homeView.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { postSavedReview } from '../postSavedReview.js';
import { publishHome } from '../publishHome.js';
import { clickedReview } from './clickedReview.js';

/** "Post again" in App Home, for a review that was saved but never reached Slack. */
export function retryDelivery(deps: ListenerDeps) {
  return async ({ ack, body, action, client, context, logger }: ButtonArgs): Promise<void> => {
    await ack();
    const review = await clickedReview(deps, body, action.value);
    if (!review || review.userId !== body.user.id) return;
    // Home stays on the pages it showed when Post again was clicked.
    const paging = parseHomePaging(body.view?.private_metadata);
    const refreshHome = () => publishHome(client, deps, review.teamId, body.user.id, paging);
    // Post again posts only a review never posted, or one whose posting failed.
    if (!UNDELIVERED_STATUSES.includes(review.status)) {
      await refreshHome();
      return;
    }
    let shown: Promise<void> = Promise.resolve();
    // Queued first, so the publish below already shows it as being posted; once it is posted,
    // and after that first publish, Home is published again.
    const delivery = deps.deliveryClients.of({ context, client });
    postSavedReview(deps, delivery, logger, review, UNDELIVERED_STATUSES, async () => {
      await shown.catch(() => undefined);
      await refreshHome();
    });
    shown = refreshHome();
    await shown;
  };
}
