import { slackErrorName } from '../../delivery/slackErrors.js';
import { buildHelpMessage } from '../../views/helpMessage.js';
import type { SlackMessage } from '../../views/verdictMessage.js';
import type { ButtonArgs } from '../args.js';
import { channelHistory } from '../channelHistory.js';
import type { ListenerDeps } from '../deps.js';

/**
 * "Show the history" or "Show the help" under "Did you mean `/ftrag history`?": what the
 * subcommand would have answered, in the question's place (it is answered). The question was
 * shown where the command was typed, so the click's conversation is the command's.
 */
export function runMeantCommand(deps: ListenerDeps) {
  return async ({ ack, body, action, logger, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const channelId = body.channel?.id;
    const teamId = body.team?.id;
    // Bolt's logger has no request context: the ids find the request's own line.
    const who = `team ${teamId ?? '-'} user ${body.user.id}`;
    if (!channelId || !teamId) {
      logger.warn(`"Show the history" or "Show the help" pressed outside a conversation (${who})`);
      return;
    }
    let message: SlackMessage;
    if (action.value === 'history') {
      message = await channelHistory(deps, teamId, channelId, body.user.id);
    } else if (action.value === 'help') {
      message = buildHelpMessage(channelId);
    } else {
      logger.warn(`a "Did you mean" button named no subcommand ftrag has (${who})`);
      return;
    }
    await respond({ response_type: 'ephemeral', replace_original: true, ...message }).catch(
      (error: unknown) => {
        logger.warn(
          `the "Did you mean" answer was not shown in ${channelId} (${who}): ${slackErrorName(error)}`,
        );
      },
    );
  };
}
