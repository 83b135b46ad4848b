import { exportDecisionRecord } from '../../delivery/exportRecord.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { answerReviewGone, clickedMessage } from './clickedReview.js';

/** Export decision record: the review as a Markdown ADR file in its thread. */
export function exportRecord(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client, logger } = args;
    await ack();
    const teamId = body.team?.id;
    const reviewId = action.value;
    if (!teamId || !reviewId) return;
    const channelId = body.channel?.id;
    const threadTs = clickedMessage(body)?.threadTs;
    await deps.work.run(async () => {
      const outcome = await exportDecisionRecord(
        client,
        {
          teamId,
          reviewId,
          userId: body.user.id,
          ...(channelId && threadTs ? { clicked: { channelId, threadTs } } : {}),
        },
        { reviews: deps.reviews, votes: deps.votes, clock: deps.clock, logger },
      );
      if (outcome === 'not-found') await answerReviewGone(args, 'export');
    });
  };
}
