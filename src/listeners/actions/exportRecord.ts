import { type ExportOutcome, exportDecisionRecord } from '../../delivery/exportRecord.js';
import {
  EXPORT_REFUSED,
  exportDmUnconfirmedText,
  exportFailedText,
  exportUnconfirmedText,
} from '../../views/signOff.js';
import type { StaleCopyAction } from '../../views/staleCopy.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { answerClicker, answerReviewGone, clickedMessage, clickedReview } from './clickedReview.js';
import { answerStaleCopyClick, failureNotice } from './staleCopy.js';

const STALE_COPY_ACTION: Record<
  Exclude<ExportOutcome, 'failed' | 'refused' | 'unconfirmed'>,
  StaleCopyAction | undefined
> = {
  exported: 'export',
  'exported-where-clicked': 'export-here',
  'exported-to-dm': undefined,
};

/**
 * Export decision record: the review as a Markdown ADR file in its thread (the thread of the
 * verdict on record, also for a click on an out-of-date copy, which then points to the current one
 * unless Slack refused the record; but when that is in the asker's DM and someone else clicked, the
 * thread they clicked in, and the copy keeps its buttons: {@link answerStaleCopyClick}).
 */
export function exportRecord(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, logger } = args;
    await ack();
    const reviewId = action.value;
    if (!body.team?.id || !reviewId) return;
    const channelId = body.channel?.id;
    const threadTs = clickedMessage(body)?.threadTs;
    await deps.work.run(async () => {
      const review = await clickedReview(deps, body, reviewId);
      if (!review) {
        logger.warn(`export of review ${reviewId} refused: not found`);
        await answerReviewGone(args, 'export');
        return;
      }
      // The record's upload and its DM go out as a verdict does: one Slack rate-limits holds up
      // only the workspace's postings, not its modals.
      const result = await exportDecisionRecord(
        deps.deliveryClients.of(args),
        review,
        {
          userId: body.user.id,
          ...(channelId && threadTs ? { clicked: { channelId, threadTs } } : {}),
        },
        { reviews: deps.reviews, votes: deps.votes, clock: deps.clock, logger },
      );
      if (result.outcome === 'refused') {
        await answerClicker(args, EXPORT_REFUSED, `export of review ${review.id} that was refused`);
        return;
      }
      if (result.outcome === 'unconfirmed') {
        // It may be where it went: sent nowhere else, and the clicker, only them, is to look there
        // before they export it again (from an out-of-date copy, told where the current verdict is).
        const { upload, cause } = result;
        const unconfirmed =
          upload.to === 'conversation'
            ? exportUnconfirmedText(review, upload.channelId, upload.inThread, cause)
            : exportDmUnconfirmedText(review, upload.channelId, upload.channelError, cause);
        await answerClicker(
          args,
          await failureNotice(args, deps, review, unconfirmed),
          `export of review ${review.id} that Slack didn't confirm`,
        );
        return;
      }
      if (result.outcome === 'failed') {
        // Refused everywhere: the clicker is told, only them, rather than left waiting for it;
        // from an out-of-date copy, in the same notice, where the current verdict is.
        const failure = exportFailedText(
          review,
          result.channelId,
          result.channelError,
          result.dmError,
        );
        await answerClicker(
          args,
          await failureNotice(args, deps, review, failure),
          `export of review ${review.id} that failed`,
        );
        return;
      }
      // The notice says what the export did only when the record is in a thread: the verdict's,
      // or the clicked copy's when the verdict is in the asker's DM and someone else clicked.
      await answerStaleCopyClick(args, deps, review, STALE_COPY_ACTION[result.outcome]);
    });
  };
}
