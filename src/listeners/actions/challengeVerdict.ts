import { buildChallengeModal } from '../../views/signOff.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { answerReviewGone, clickedMessage, clickedReview } from './clickedReview.js';
import { answerStaleCopyClick } from './staleCopy.js';

/**
 * Challenge on a verdict: a small modal asks why; its submission records and posts the reason in
 * the thread of the verdict on record. A click on an out-of-date copy opens it too; that copy then
 * points to the current one, unless only the asker can open that ({@link answerStaleCopyClick}).
 */
export function challengeVerdict(deps: ListenerDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const review = await clickedReview(deps, body, action.value);
    if (!review) {
      await answerReviewGone(args, 'challenge');
      return;
    }
    // Without a message ts of its own, the verdict went out through a response_url: the one this
    // click carries reaches the same message (the submission checks it is Slack's), and the reason
    // goes in the clicked message's thread, whose parent is the first verdict when a revision (a
    // reply) was clicked.
    const responseUrl = body.response_url;
    const clicked = clickedMessage(body);
    const message =
      !review.messageTs && responseUrl && clicked ? { responseUrl, ...clicked } : undefined;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: buildChallengeModal(review, message),
    });
    await deps.work.run(() => answerStaleCopyClick(args, deps, review, 'challenge'));
  };
}
