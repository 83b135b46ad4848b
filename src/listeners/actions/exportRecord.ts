import { exportDecisionRecord } from '../../delivery/exportRecord.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { answerReviewGone, clickedMessage, clickedReview } from './clickedReview.js';
import { retireIfStaleCopy } from './staleCopy.js';

/**
 * Export decision record: the review as a Markdown ADR file in its thread (the thread of the
 * verdict on record, also for a click on an out-of-date copy, which then points to the current one).
 */
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
      // Read before exporting, so a failure here (reaching app.error) comes before anything is posted.
      const review = await clickedReview(deps, body, reviewId);
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
      // The notice says what the export did only when the record is in the verdict's thread.
      else if (review)
        await retireIfStaleCopy(args, review, outcome === 'exported' ? 'export' : undefined);
    });
  };
}
