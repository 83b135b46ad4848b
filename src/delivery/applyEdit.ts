import { isDeepStrictEqual } from 'node:util';
import type { WebClient } from '@slack/web-api';
import type { Answers } from '../decision/answers.js';
import { decide, VERDICT_LABELS } from '../decision/index.js';
import { type Review, type ReviewRepository, UNDELIVERED_STATUSES } from '../storage/repository.js';
import { mentionUser } from '../views/text.js';
import { buildEditedDetail } from '../views/verdictMessage.js';
import { type RefreshDeps, refreshVerdictMessage } from './reviewMessage.js';
import { slackErrorName, type UnconfirmedCause } from './slackErrors.js';
import { unconfirmedPost } from './unconfirmedPost.js';

export interface EditRequest {
  teamId: string;
  reviewId: string;
  editorId: string;
  answers: Answers;
  /** The review as the caller just read it (saves reading it again); read here when absent. */
  review?: Review | null;
}

/**
 * Why the thread of an edited review may not have been told of the edit: Slack refused a note
 * (`refused`: its error), or didn't confirm one it may have posted (`unconfirmed`: why), which is
 * not posted again.
 */
export type ThreadNotTold = { refused: string } | { unconfirmed: UnconfirmedCause };

/** An edit saved: the review as saved, and what kept its thread from being told. */
export interface EditOutcome {
  review: Review;
  /** Null when the thread was told (or had nothing to be told). */
  threadNotTold: ThreadNotTold | null;
}

/**
 * Why "Edit answers" may not change the review now (null: it may).
 * - `posted-without-message`: its verdict went out without a message the app can update (through
 *   a response_url). Its answers would then differ from the verdict people see, and the next vote,
 *   which rebuilds the message from them, would change that verdict without a word; Re-run with
 *   changes posts a revision instead.
 * - `being-posted`: a posting holds its claim on the review at `now` and is posting the verdict it
 *   built from the answers it read when it claimed it; new answers saved meanwhile would not be
 *   what it posts. Once the posting is over the edit can be made (or is refused as above). The
 *   same while a posting that broke off after its verdict went out waits to be finished.
 * - `superseded`: Re-run with changes made a later revision of it. The later revision's note
 *   ("verdict changed from …") and the thread tell its history; editing an earlier revision would
 *   rewrite it. Changes go to the latest revision, by Re-run with changes.
 */
export type EditRefusal = 'posted-without-message' | 'being-posted' | 'superseded';

/** The rule without the database: `hasLaterRevision` says whether a revision of it exists. */
export function editRefusal(
  review: Review,
  now: Date,
  hasLaterRevision = false,
): EditRefusal | null {
  if (hasLaterRevision) return 'superseded';
  if (!UNDELIVERED_STATUSES.includes(review.status)) {
    return review.messageTs === null ? 'posted-without-message' : null;
  }
  // Its verdict is out already, its posting not finished: people see that message and sign off on
  // it, and what finishes it rebuilds it from the answers it then reads, with no note of an edit.
  if (review.postedVerdict) return 'being-posted';
  const claimedUntil = review.deliveryClaimedUntil?.getTime() ?? 0;
  return claimedUntil > now.getTime() ? 'being-posted' : null;
}

/** {@link editRefusal} of `review`, looking up whether it has a later revision. */
export async function currentEditRefusal(
  review: Review,
  reviews: ReviewRepository,
  now: Date,
): Promise<EditRefusal | null> {
  const revised = await reviews.revisedAmong(review.teamId, [review.id]);
  return editRefusal(review, now, revised.has(review.id));
}

/**
 * "Edit answers": the review is re-decided and saved, its original message updated in place, the
 * thread told when the verdict changed (which also clears the review's votes) and given the new
 * detail when the answers changed. Only the person who asked may edit, and only a review without
 * an {@link editRefusal} when it is saved; a review not posted yet is saved, to be posted with the
 * new answers. A failure to update the message or to post in its thread doesn't undo the edit: it is
 * logged, and a failed thread post's error returned for the editor to be told. A note Slack may
 * have posted without confirming it is not posted again, and ends the notes, as a refusal does.
 */
export async function applyEdit(
  client: WebClient,
  request: EditRequest,
  deps: Pick<RefreshDeps, 'reviews' | 'votes' | 'logger' | 'work'> & { clock: () => Date },
): Promise<EditOutcome | null> {
  const { reviews, logger } = deps;
  const original =
    request.review !== undefined
      ? request.review
      : await reviews.get(request.teamId, request.reviewId);
  if (!original || original.userId !== request.editorId) {
    logger.warn(`edit of review ${request.reviewId} refused: not found or not the asker`);
    return null;
  }
  const decision = decide(request.answers);
  // The save itself applies editRefusal's rule (the listener checked it to say why in the modal):
  // a posting may claim the review, or a re-run revise it, after it was read.
  const saved = await reviews.updateAnswers(request.teamId, original.id, request.answers, decision);
  if (!saved.updated) {
    logger.warn(
      `edit of review ${request.reviewId} refused: it was claimed, delivered or re-run before the edit was saved`,
    );
    return null;
  }
  // What this edit changed is told against what its save replaced, not against `original`: of two
  // edits saved at once (Submit pressed again, the same modal submitted twice), the second
  // replaced the first's answers, and says nothing when they were its own.
  const { review: updated, replaced } = saved;
  // Agree and Challenge were cast on the verdict as it was: counted, they would sign off on (and
  // Export would accept) a verdict nobody saw. The save itself stopped them counting (it moved the
  // review's verdict version on), including a vote recorded meanwhile on the earlier verdict; this
  // removes them, and tells how many there were. Votes without a version (from an instance not yet
  // upgraded, in a rolling upgrade) stop counting only here. An edit that keeps the verdict keeps
  // them.
  const verdictChanged = replaced.decision.verdict !== decision.verdict;
  const cleared = verdictChanged ? await deps.votes.clearStaleVotes(updated.teamId, updated.id) : 0;
  if (!updated.postedChannelId || !updated.messageTs) {
    return { review: updated, threadNotTold: null };
  }

  // The same message as delivered, with the current sign-off tally (failures are logged).
  await refreshVerdictMessage(client, updated.teamId, updated.id, deps);
  // The thread's notes (a changed verdict, the new detail) are only news of an edit already made:
  // a refusal (the bot removed from the channel, say) is logged and returned, for the editor.
  try {
    if (verdictChanged && updated.threadTs) {
      const from = VERDICT_LABELS[replaced.decision.verdict];
      const to = VERDICT_LABELS[decision.verdict];
      const signOffs =
        cleared > 0 ? ' Earlier sign-offs were cleared: agree or challenge the new verdict.' : '';
      await client.chat.postMessage({
        channel: updated.postedChannelId,
        thread_ts: updated.threadTs,
        text: `:pencil2: Edited by ${mentionUser(request.editorId)}: verdict changed from *${from}* to *${to}*.${signOffs}`,
        unfurl_links: false,
        unfurl_media: false,
      });
    }
    // The thread's detail reply shows the answers as they were: the new one follows it, last.
    if (updated.threadTs && !isDeepStrictEqual(replaced.answers, updated.answers)) {
      const detail = buildEditedDetail(updated, request.editorId);
      await client.chat.postMessage({
        channel: updated.postedChannelId,
        thread_ts: updated.threadTs,
        text: detail.text,
        blocks: detail.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
    }
  } catch (error) {
    const unconfirmed = unconfirmedPost(error);
    if (unconfirmed) {
      logger.warn(
        `review ${updated.id}: the edit was saved; its note may or may not be in its thread: ${unconfirmed.why}`,
      );
      return { review: updated, threadNotTold: { unconfirmed: unconfirmed.cause } };
    }
    const threadError = slackErrorName(error);
    logger.warn(
      `review ${updated.id}: the edit was saved, but noting it in its thread failed: ${threadError}`,
    );
    return { review: updated, threadNotTold: { refused: threadError } };
  }
  return { review: updated, threadNotTold: null };
}
