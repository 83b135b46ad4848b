import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import { exportDecisionRecord } from '../../delivery/exportRecord.js';
import type { ListenerDeps } from '../deps.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Export decision record: the review as a Markdown ADR file in its thread. */
export function exportRecord(deps: ListenerDeps) {
  return async ({ ack, body, action, client, logger }: ActionArgs): Promise<void> => {
    await ack();
    const teamId = body.team?.id;
    const reviewId = action.value;
    if (!teamId || !reviewId) return;
    await deps.work.run(() =>
      exportDecisionRecord(
        client,
        { teamId, reviewId, userId: body.user.id },
        { reviews: deps.reviews, votes: deps.votes, clock: deps.clock, logger },
      ),
    );
  };
}
