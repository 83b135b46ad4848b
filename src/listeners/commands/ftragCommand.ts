import { startChecklist } from '../../checklist/state.js';
import { TITLE_MAX_CHARS } from '../../decision/answers.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import { buildHelpMessage } from '../../views/helpMessage.js';
import { buildChannelHistoryMessage } from '../../views/historyMessage.js';
import { cutCleanly, plainTextFromSlack } from '../../views/text.js';
import type { CommandArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';

const HISTORY_LIMIT = 10;

/** `/ftrag [what we're building] | help | history` */
export function ftragCommand(deps: ListenerDeps) {
  return async ({ ack, command, client, respond }: CommandArgs): Promise<void> => {
    const text = command.text.trim();
    const keyword = text.toLowerCase();

    if (keyword === 'help') {
      await ack({ response_type: 'ephemeral', ...buildHelpMessage() });
      return;
    }

    if (keyword === 'history') {
      await ack();
      const { reviews, total } = await deps.reviews.list(
        { teamId: command.team_id, channelId: command.channel_id },
        { limit: HISTORY_LIMIT, offset: 0 },
      );
      await respond({
        response_type: 'ephemeral',
        ...buildChannelHistoryMessage(reviews, total, command.user_id),
      });
      return;
    }

    await ack();
    const title = cutCleanly(plainTextFromSlack(text), TITLE_MAX_CHARS);
    const state = startChecklist({
      origin: 'command',
      channelId: command.channel_id,
      threadTs: null,
      responseUrl: command.response_url,
      draft: title ? { title } : {},
    });
    await client.views.open({
      trigger_id: command.trigger_id,
      view: buildChecklistStepView(state),
    });
  };
}
