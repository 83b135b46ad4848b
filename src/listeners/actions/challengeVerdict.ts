import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import { buildChallengeModal } from '../../views/signOff.js';
import type { ListenerDeps } from '../deps.js';
import { clickedReview } from './clickedReview.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Challenge on a verdict: a small modal asks why; its submission records and posts the reason. */
export function challengeVerdict(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ActionArgs): Promise<void> => {
    await ack();
    const review = await clickedReview(deps, body, action.value);
    if (!review) return;
    await client.views.open({ trigger_id: body.trigger_id, view: buildChallengeModal(review) });
  };
}
