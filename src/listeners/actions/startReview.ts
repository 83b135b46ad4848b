import { startChecklist } from '../../checklist/state.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import type { ButtonArgs } from '../args.js';

/** "Start a review" in App Home: the channel is picked in the last step. */
export function startReviewFromHome() {
  return async ({ ack, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const state = startChecklist({
      origin: 'home',
      channelId: null,
      threadTs: null,
      responseUrl: null,
    });
    await client.views.open({ trigger_id: body.trigger_id, view: buildChecklistStepView(state) });
  };
}
