import { z } from 'zod';
import { ActionId, BlockId } from '../../constants.js';
import { charCount } from '../../decision/answers.js';
import { postToResponseUrl } from '../../delivery/responseUrl.js';
import { refreshVerdictMessage } from '../../delivery/reviewMessage.js';
import { postRefusal, slackErrorName } from '../../delivery/slackErrors.js';
import { tellByDm } from '../../delivery/tellByDm.js';
import { unconfirmedPost } from '../../delivery/unconfirmedPost.js';
import { parseJsonWith } from '../../jsonText.js';
import { ReviewNotFoundError, VerdictChangedError } from '../../storage/errors.js';
import type { Review } from '../../storage/repository.js';
import type { VoteOnRecord } from '../../storage/votes.js';
import {
  buildChallengeGoneModal,
  buildChallengeReply,
  buildChallengeUnreadableModal,
  buildChallengeVerdictChangedModal,
  CHALLENGE_REASON_MAX_CHARS,
  type ChallengeMetadata,
  type ClickedMessage,
  challengeNotPostedText,
  challengeUnconfirmedText,
  verdictChangedText,
} from '../../views/signOff.js';
import { cleanTypedText } from '../../views/text.js';
import type { ViewSubmitArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';

const metadataSchema = z.object({
  reviewId: z.string().min(1).max(64),
  message: z
    .object({
      responseUrl: z.string().max(1000),
      messageTs: z.string().max(32),
      threadTs: z.string().max(32).optional(),
    })
    .optional(),
  verdictVersion: z.number().int().positive().optional(),
});

/**
 * The Challenge modal's submission: the reason is required and at most 500 characters; the vote is
 * recorded (replacing an agreement), the reason posted in the thread, and the tally updated. The
 * same reason on the same verdict again (Submit pressed again while Slack waited, or twice at once)
 * changes nothing on record and is not posted again. When the verdict the modal showed was edited
 * since, nothing is recorded or posted, and the challenger gets their reason back.
 */
export function challengeSubmission(deps: ListenerDeps) {
  return async ({ ack, body, view, client, context, logger }: ViewSubmitArgs): Promise<void> => {
    const metadata: ChallengeMetadata | null = parseJsonWith(metadataSchema, view.private_metadata);
    if (!metadata) {
      logger.warn('challenge submission refused: unreadable private_metadata');
      await ack({ response_action: 'update', view: buildChallengeUnreadableModal() });
      return;
    }
    const typed = view.state.values[BlockId.challengeReason]?.[ActionId.challengeReason]?.value;
    const reason = cleanTypedText(typed ?? '').trim();
    if (reason.length === 0 || charCount(reason) > CHALLENGE_REASON_MAX_CHARS) {
      await ack({
        response_action: 'errors',
        errors: {
          [BlockId.challengeReason]:
            reason.length === 0
              ? 'Say why you disagree.'
              : `Keep it to ${CHALLENGE_REASON_MAX_CHARS} characters.`,
        },
      });
      return;
    }
    const teamId = body.team?.id ?? view.team_id;
    const { reviewId, verdictVersion } = metadata;
    // Answered inside ack() while the modal is open; a purge or an edit between this read and the
    // vote below is still only logged (and, for an edit, the reason sent back by DM).
    const challenged = await deps.reviews.get(teamId, reviewId);
    if (!challenged) {
      logger.warn(`challenge on review ${reviewId} refused: not found`);
      await ack({ response_action: 'update', view: buildChallengeGoneModal() });
      return;
    }
    if (verdictVersion !== undefined && challenged.verdictVersion !== verdictVersion) {
      logger.info(`challenge on review ${reviewId} refused: its verdict was edited meanwhile`);
      await ack({ response_action: 'update', view: buildChallengeVerdictChangedModal(reason) });
      return;
    }
    await ack();
    // The reason's post and the tally's update go out as a verdict does: one Slack rate-limits
    // holds up only the workspace's postings, not its modals.
    const slack = deps.deliveryClients.of({ context, client });
    // private_metadata came back from Slack, but only Slack's hosts are ever called.
    const clicked =
      metadata.message && deps.isTrustedResponseUrl(metadata.message.responseUrl)
        ? metadata.message
        : undefined;
    const userId = body.user.id;
    await deps.work.run(async () => {
      let recorded: VoteOnRecord;
      try {
        recorded = await deps.votes.setVote(
          teamId,
          reviewId,
          userId,
          'challenge',
          reason,
          verdictVersion,
        );
      } catch (error) {
        if (error instanceof ReviewNotFoundError) {
          logger.warn(`challenge on review ${reviewId} ignored: not found`);
          return;
        }
        if (!(error instanceof VerdictChangedError)) throw error;
        logger.info(`challenge on review ${reviewId} not recorded: ${error.message}`);
        // The modal has closed: their reason comes back by DM, as when Slack refuses it below.
        await tellByDm(
          slack,
          logger,
          userId,
          verdictChangedText('challenge', reason, challenged),
          `their challenge of review ${reviewId} wasn't recorded`,
        );
        return;
      }
      if (recorded.changed) {
        await postReason(
          { client: slack, logger, deps, teamId, reviewId, userId, reason },
          challenged,
          clicked,
        );
      } else {
        // The same reason on the same verdict: posted already (or its challenger told why not).
        logger.info(`challenge on review ${reviewId} submitted again: its reason is posted once`);
      }
      await refreshVerdictMessage(
        slack,
        teamId,
        reviewId,
        { reviews: deps.reviews, votes: deps.votes, logger, work: deps.work },
        clicked
          ? async (message) => {
              await postToResponseUrl(clicked.responseUrl, {
                response_type: 'in_channel',
                replace_original: true,
                text: message.text,
                blocks: message.blocks,
              });
            }
          : undefined,
      );
    });
  };
}

interface ChallengeRecorded {
  client: ViewSubmitArgs['client'];
  logger: ViewSubmitArgs['logger'];
  deps: ListenerDeps;
  teamId: string;
  reviewId: string;
  userId: string;
  reason: string;
}

/**
 * Posts the reason of a challenge just recorded in the verdict's thread (or through the clicked
 * message's response_url when no thread is on record); when Slack refuses it, tells the challenger
 * by DM, with their reason. When Slack may have posted it all the same (no answer, a 5xx, or an
 * error that can come after posting), it is not posted again: the challenger is told it may be in
 * the thread already, and gets their reason in case it isn't.
 */
async function postReason(
  { client, logger, deps, teamId, reviewId, userId, reason }: ChallengeRecorded,
  challenged: Review,
  clicked: ClickedMessage | undefined,
): Promise<void> {
  const review = await deps.reviews.get(teamId, reviewId);
  const thread = review?.threadTs ?? review?.messageTs;
  const reply = buildChallengeReply(userId, reason);
  try {
    if (review?.postedChannelId && thread) {
      await client.chat.postMessage({
        channel: review.postedChannelId,
        thread_ts: thread,
        text: reply.text,
        blocks: reply.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
    } else if (review && clicked) {
      await postToResponseUrl(clicked.responseUrl, {
        response_type: 'in_channel',
        replace_original: false,
        thread_ts: clicked.threadTs ?? clicked.messageTs,
        text: reply.text,
        blocks: reply.blocks,
      });
    }
  } catch (error) {
    const channelId = review?.postedChannelId ?? review?.target.channelId ?? null;
    const unconfirmed = unconfirmedPost(error);
    if (unconfirmed) {
      logger.warn(
        `a challenge of review ${reviewId} may or may not be in its thread: ${unconfirmed.why}`,
      );
      await tellByDm(
        client,
        logger,
        userId,
        challengeUnconfirmedText(review ?? challenged, channelId, unconfirmed.cause, reason),
        `their challenge's reason on review ${reviewId} may not be posted`,
      );
      return;
    }
    const name = slackErrorName(error);
    logger.warn(`posting a challenge of review ${reviewId} failed: ${name}`);
    await tellByDm(
      client,
      logger,
      userId,
      challengeNotPostedText(review ?? challenged, channelId, postRefusal(name), name, reason),
      `their challenge's reason on review ${reviewId} wasn't posted`,
    );
  }
}
