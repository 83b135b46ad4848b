import { z } from 'zod';
import { ActionId, BlockId } from '../../constants.js';
import { slackErrorName } from '../../delivery/slackErrors.js';
import { tellByDm } from '../../delivery/tellByDm.js';
import { unconfirmedPost } from '../../delivery/unconfirmedPost.js';
import { parseJsonWith } from '../../jsonText.js';
import { UNDELIVERED_STATUSES } from '../../storage/repository.js';
import {
  buildPrivateReviewModal,
  buildShareNotPostedModal,
  buildShareRefusedModal,
  buildShareUnderwayModal,
} from '../../views/reviewModals.js';
import { buildShareCard, shareFailedText, shareUnconfirmedText } from '../../views/shareCard.js';
import type { ViewSubmitArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { openableBy } from '../reviewAccess.js';

const metadataSchema = z.object({ reviewId: z.string().min(1).max(64) });

/** Reads a Slack message link: `…/archives/C123/p1700000000123456[?thread_ts=…]`. */
export function parseThreadLink(link: string): { channelId: string; threadTs: string } | null {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return null;
  }
  const match = /\/archives\/([CDG][A-Z0-9]{2,30})\/p(\d{10})(\d{6})$/.exec(url.pathname);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  const threadTs = url.searchParams.get('thread_ts');
  return {
    channelId: match[1],
    threadTs: threadTs && /^\d{10}\.\d{6}$/.test(threadTs) ? threadTs : `${match[2]}.${match[3]}`,
  };
}

/**
 * Posts a card for the review in the picked channel, or in the thread of it a pasted link names,
 * saying where the original is (and, for a superseded revision, where the newest is). The modal
 * says it is being shared; a card Slack refuses is reported by DM, and so is one Slack may have
 * posted without confirming it (not posted again). A review not in Slack is refused inside ack: a
 * card would point to a verdict nobody can find.
 */
export function shareReviewSubmission(deps: ListenerDeps) {
  return async ({ ack, body, view, client, context, logger }: ViewSubmitArgs): Promise<void> => {
    const reviewId = parseJsonWith(metadataSchema, view.private_metadata)?.reviewId;
    if (!reviewId) {
      logger.warn('share submission refused: unreadable private_metadata');
      await ack({ response_action: 'update', view: buildShareRefusedModal('unreadable') });
      return;
    }
    const channel =
      view.state.values[BlockId.shareChannel]?.[ActionId.shareChannel]?.selected_conversation ??
      null;
    const link =
      view.state.values[BlockId.shareThreadLink]?.[ActionId.shareThreadLink]?.value?.trim() ?? '';
    const thread = link ? parseThreadLink(link) : null;
    const errors: Record<string, string> = {};
    if (!channel) errors[BlockId.shareChannel] = 'Pick the channel to share to.';
    if (link && !thread) {
      errors[BlockId.shareThreadLink] =
        'That is not a Slack message link. Use ⋮ → Copy link on a message.';
    } else if (thread && channel && thread.channelId !== channel) {
      // The link's channel is never used on its own: the bot may be in a private channel the
      // person is not, and ftrag has no scope to check. The picker only offers theirs.
      errors[BlockId.shareThreadLink] =
        'That thread is in another channel. To share there, pick that channel above.';
    }
    if (!channel || Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const teamId = body.team?.id ?? view.team_id;
    const review = await deps.reviews.get(teamId, reviewId);
    if (!review) {
      await ack({ response_action: 'update', view: buildShareRefusedModal('not-found') });
      return;
    }
    // As when Share was chosen: someone else's review only from a public conversation.
    if (!openableBy(review, body.user.id)) {
      logger.warn(`share of review ${review.id} by ${body.user.id} refused: not theirs nor public`);
      await ack({ response_action: 'update', view: buildPrivateReviewModal() });
      return;
    }
    if (UNDELIVERED_STATUSES.includes(review.status)) {
      await ack({ response_action: 'update', view: buildShareNotPostedModal(review) });
      return;
    }
    await ack({
      response_action: 'update',
      view: buildShareUnderwayModal(review, channel, thread !== null),
    });
    // The card and its failure's DM go out as a verdict does: one Slack rate-limits holds up only
    // the workspace's postings, not its modals.
    const slack = deps.deliveryClients.of({ context, client });
    await deps.work.run(async () => {
      // Only the card needs the newest revision: read after the ack.
      const latest = await deps.reviews.latestRevision(teamId, reviewId);
      const card = buildShareCard(review, body.user.id, latest);
      try {
        await slack.chat.postMessage({
          channel,
          text: card.text,
          blocks: card.blocks,
          unfurl_links: false,
          unfurl_media: false,
          ...(thread ? { thread_ts: thread.threadTs } : {}),
        });
      } catch (error) {
        const unconfirmed = unconfirmedPost(error);
        if (unconfirmed) {
          logger.warn(
            `sharing review ${review.id} to ${channel}: it may or may not be there: ${unconfirmed.why}`,
          );
          await tellByDm(
            slack,
            logger,
            body.user.id,
            shareUnconfirmedText(review, channel, thread !== null, unconfirmed.cause),
            `their shared card of review ${review.id} may not be posted`,
          );
          return;
        }
        const reason = slackErrorName(error);
        logger.warn(`sharing review ${review.id} to ${channel} failed: ${reason}`);
        await tellByDm(
          slack,
          logger,
          body.user.id,
          shareFailedText(review, channel, reason),
          `their card of review ${review.id} was not shared`,
        );
      }
    });
  };
}
