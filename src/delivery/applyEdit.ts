import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Answers } from '../decision/answers.js';
import { decide, VERDICT_LABELS } from '../decision/index.js';
import type { Review, ReviewRepository } from '../storage/repository.js';
import type { VoteRepository } from '../storage/votes.js';
import { mentionUser } from '../views/text.js';
import { refreshVerdictMessage } from './reviewMessage.js';

export interface EditRequest {
  teamId: string;
  reviewId: string;
  editorId: string;
  answers: Answers;
}

/**
 * "Edit answers": the review is re-decided and saved, its original message updated in place, and
 * the thread told when the verdict changed. Only the person who asked may edit.
 */
export async function applyEdit(
  client: WebClient,
  request: EditRequest,
  deps: { reviews: ReviewRepository; votes: VoteRepository; logger: Logger },
): Promise<Review | null> {
  const { reviews, logger } = deps;
  const original = await reviews.get(request.teamId, request.reviewId);
  if (!original || original.userId !== request.editorId) {
    logger.warn(`edit of review ${request.reviewId} refused: not found or not the asker`);
    return null;
  }
  const decision = decide(request.answers);
  const updated = await reviews.updateAnswers(
    request.teamId,
    original.id,
    request.answers,
    decision,
  );
  if (!updated.postedChannelId || !updated.messageTs) return updated;

  // The same message as delivered, with the current sign-off tally (failures are logged).
  await refreshVerdictMessage(client, updated.teamId, updated.id, deps);
  if (original.decision.verdict !== decision.verdict && updated.threadTs) {
    const from = VERDICT_LABELS[original.decision.verdict];
    const to = VERDICT_LABELS[decision.verdict];
    await client.chat.postMessage({
      channel: updated.postedChannelId,
      thread_ts: updated.threadTs,
      text: `:pencil2: Edited by ${mentionUser(request.editorId)}: verdict changed from *${from}* to *${to}*.`,
    });
  }
  return updated;
}
