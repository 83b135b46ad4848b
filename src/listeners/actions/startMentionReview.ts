import { decodeMentionStart } from '../../checklist/mentionStart.js';
import { startChecklist } from '../../checklist/state.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import type { ButtonArgs } from '../args.js';

/** "Start review" under the answer to a mention: the checklist, its verdict going to that thread. */
export function startMentionReview() {
  return async ({ ack, body, action, client, logger }: ButtonArgs): Promise<void> => {
    await ack();
    const start = decodeMentionStart(action.value ?? '');
    if (!start) {
      logger.warn('Start review pressed with a value this app did not write');
      return;
    }
    const state = startChecklist({
      origin: 'mention',
      channelId: start.channelId,
      threadTs: start.threadTs,
      responseUrl: null,
      draft: start.problem ? { problem: start.problem } : {},
    });
    await client.views.open({ trigger_id: body.trigger_id, view: buildChecklistStepView(state) });
  };
}
