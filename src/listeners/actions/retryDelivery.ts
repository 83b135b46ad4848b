import { deliverReview } from '../../delivery/deliverReview.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { publishHome } from '../publishHome.js';
import { clickedReview } from './clickedReview.js';

/** "Post again" in App Home, for a review that was saved but never reached Slack. */
export function retryDelivery(deps: ListenerDeps) {
  return async ({ ack, body, action, client, logger }: ButtonArgs): Promise<void> => {
    await ack();
    const review = await clickedReview(deps, body, action.value);
    if (!review || review.userId !== body.user.id) return;
    if (review.status === 'pending' || review.status === 'failed') {
      await deps.work.run(() =>
        deps.deliveries.deliver(review.id, () =>
          deliverReview(client, review, {
            reviews: deps.reviews,
            logger,
            isTrustedResponseUrl: deps.isTrustedResponseUrl,
          }),
        ),
      );
    }
    await publishHome(client, deps, review.teamId, body.user.id);
  };
}
