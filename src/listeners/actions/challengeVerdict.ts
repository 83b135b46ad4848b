import { buildChallengeModal } from '../../views/signOff.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { clickedReview } from './clickedReview.js';

/** Challenge on a verdict: a small modal asks why; its submission records and posts the reason. */
export function challengeVerdict(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const review = await clickedReview(deps, body, action.value);
    if (!review) return;
    await client.views.open({ trigger_id: body.trigger_id, view: buildChallengeModal(review) });
  };
}
