import { postToResponseUrl } from '../../delivery/responseUrl.js';
import { type ReplaceOriginal, refreshVerdictMessage } from '../../delivery/reviewMessage.js';
import { ReviewNotFoundError, VerdictChangedError } from '../../storage/errors.js';
import { verdictVersionOfBlockId } from '../../views/verdictMessage.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { answerReviewGone, answerVerdictChanged, clickedReview } from './clickedReview.js';
import { answerStaleCopyClick, staleCopyOf } from './staleCopy.js';

/**
 * Agree on a verdict: one vote per person (an earlier challenge becomes agreement), tally updated
 * on the verdict message on record. A click on an out-of-date copy counts the same; that copy then
 * points to the current one, or, when that is in the asker's DM and someone else clicked, shows it
 * with its buttons ({@link answerStaleCopyClick}). A click on the message as it was before an edit
 * changed the verdict (the buttons' block_id carries the version it showed) is not recorded, and
 * the clicker is told. From an out-of-date copy, they are told in its one notice, and that copy
 * does not keep the version it showed, whose Agree would only be refused again.
 */
export function agreeWithVerdict(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, logger } = args;
    await ack();
    const teamId = body.team?.id;
    const reviewId = action.value;
    const verdictVersion = verdictVersionOfBlockId(action.block_id);
    if (!teamId || !reviewId) return;
    await deps.work.run(async () => {
      const gone = async () => {
        logger.warn(`agree on review ${reviewId} ignored: not found`);
        await answerReviewGone(args, 'agree');
      };
      // Read before voting, so a failure here (reaching app.error) comes before anything changed.
      const review = await clickedReview(deps, body, reviewId);
      if (!review) {
        await gone();
        return;
      }
      let recorded = false;
      try {
        await deps.votes.setVote(teamId, reviewId, body.user.id, 'agree', null, verdictVersion);
        recorded = true;
      } catch (error) {
        if (error instanceof ReviewNotFoundError) {
          await gone();
          return;
        }
        if (!(error instanceof VerdictChangedError)) throw error;
        // The message on record is brought up to date below all the same, so they see what
        // changed; from an out-of-date copy, the copy's notice says so along with where it is.
        logger.info(`agree on review ${reviewId} not recorded: ${error.message}`);
        if (!staleCopyOf(body, review)) await answerVerdictChanged(args);
      }
      // A verdict that went out through a response_url is replaced through the one this click
      // carries, when it is Slack's; postToResponseUrl tries a replace again after a 5xx.
      const responseUrl = body.response_url;
      const replaceOriginal: ReplaceOriginal | undefined =
        responseUrl && deps.isTrustedResponseUrl(responseUrl)
          ? async (message) => {
              await postToResponseUrl(responseUrl, {
                response_type: 'in_channel',
                replace_original: true,
                text: message.text,
                blocks: message.blocks,
              });
            }
          : undefined;
      // Sent as a verdict is: one Slack rate-limits holds up only the workspace's postings.
      await refreshVerdictMessage(
        deps.deliveryClients.of(args),
        teamId,
        reviewId,
        { reviews: deps.reviews, votes: deps.votes, logger, work: deps.work },
        replaceOriginal,
      );
      // Its notice says the agreement was recorded on the current copy, or why it was not.
      await answerStaleCopyClick(args, deps, review, recorded ? 'agree' : 'agree-not-recorded');
    });
  };
}
