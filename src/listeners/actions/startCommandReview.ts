import { draftFromCommandText } from '../../checklist/commandDraft.js';
import { startChecklist } from '../../checklist/state.js';
import { slackErrorName } from '../../delivery/slackErrors.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import type { ButtonArgs } from '../args.js';

/**
 * "Start a review titled …" under "Did you mean `/ftrag history`?": the checklist /ftrag with that
 * word would have opened. The answer was shown where the command was typed, so the click's
 * conversation is the command's, and its response_url, like the command's, posts there when the
 * bot can't.
 */
export function startCommandReview() {
  return async ({ ack, body, action, client, logger, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const channelId = body.channel?.id;
    if (!channelId) {
      logger.warn(
        `Start a review titled … pressed outside a conversation (team ${body.team?.id ?? '-'} user ${body.user.id})`,
      );
      return;
    }
    const state = startChecklist({
      origin: 'command',
      channelId,
      threadTs: null,
      responseUrl: body.response_url || null,
      draft: draftFromCommandText(action.value ?? ''),
    });
    await client.views.open({ trigger_id: body.trigger_id, view: buildChecklistStepView(state) });
    // Answered: the question goes, so its button can't open a second checklist. The checklist is
    // open by now, so a failure here is only logged.
    await respond({ delete_original: true }).catch((error: unknown) => {
      logger.warn(
        `the "Did you mean" question was not removed in ${channelId} (team ${body.team?.id ?? '-'} user ${body.user.id}): ${slackErrorName(error)}`,
      );
    });
  };
}
