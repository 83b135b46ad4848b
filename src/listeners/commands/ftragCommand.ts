import { type Draft, startChecklist } from '../../checklist/state.js';
import { PROBLEM_MAX_CHARS, TITLE_MAX_CHARS } from '../../decision/answers.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import { buildHelpMessage } from '../../views/helpMessage.js';
import { buildChannelHistoryMessage } from '../../views/historyMessage.js';
import { cleanTypedText, cutCleanly, plainTextFromSlack } from '../../views/text.js';
import type { CommandArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';

const HISTORY_LIMIT = 10;

/**
 * The checklist's first answers from what was typed after `/ftrag`, as Slack sends it. Text too
 * long for the title goes whole into the problem as well, so the cut title loses nothing: the
 * whole reads better there than the fragment after the cut.
 */
export function draftFromCommandText(text: string): Draft {
  const typed = plainTextFromSlack(text);
  const title = cutCleanly(typed, TITLE_MAX_CHARS);
  if (!title) return {};
  if (title === cleanTypedText(typed).trim()) return { title };
  return { title, problem: cutCleanly(typed, PROBLEM_MAX_CHARS) };
}

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
      const ids = reviews.map((review) => review.id);
      const [tallies, superseded] = await Promise.all([
        deps.votes.tallies(command.team_id, ids),
        deps.reviews.revisedAmong(command.team_id, ids),
      ]);
      await respond({
        response_type: 'ephemeral',
        ...buildChannelHistoryMessage(reviews, total, command.user_id, { tallies, superseded }),
      });
      return;
    }

    await ack();
    const state = startChecklist({
      origin: 'command',
      channelId: command.channel_id,
      threadTs: null,
      responseUrl: command.response_url,
      draft: draftFromCommandText(text),
    });
    await client.views.open({
      trigger_id: command.trigger_id,
      view: buildChecklistStepView(state),
    });
  };
}
