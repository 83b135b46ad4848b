import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';

type UninstallArgs = (
  | SlackEventMiddlewareArgs<'app_uninstalled'>
  | SlackEventMiddlewareArgs<'tokens_revoked'>
) &
  AllMiddlewareArgs;

/**
 * app_uninstalled, and tokens_revoked naming the bot's token, remove the workspace's
 * installation; both may arrive, in either order, more than once, so the removal is idempotent,
 * and late: only an installation stored at or before the event's time goes, not one from a
 * reinstall since. tokens_revoked naming only user tokens removes nothing: ftrag asks for no user
 * scopes, so the bot token it works with is still valid. Reviews stay until purged.
 */
export function removeWorkspaceTokens(deps: ListenerDeps) {
  return async ({ body, event, logger }: UninstallArgs): Promise<void> => {
    const about = `${event.type} for ${body.team_id}`;
    if (!deps.installations) {
      logger.info(`${about}: single-workspace mode keeps no tokens`);
      return;
    }
    if (event.type === 'tokens_revoked' && (event.tokens.bot ?? []).length === 0) {
      const users = event.tokens.oauth ?? [];
      logger.info(
        `${about}: only user tokens revoked (${users.join(', ') || 'none'}); the installation stays`,
      );
      return;
    }
    const { deleted, newer } = await deps.installations.deleteWorkspaceTokens(
      body.team_id,
      body.enterprise_id ?? null,
      new Date(body.event_time * 1000),
    );
    if (newer > 0) {
      logger.info(
        `${about}: kept ${newer} installation(s) stored after the event (a reinstall since); ` +
          'the event is stale',
      );
    }
    logger.info(`${about}: removed ${deleted} installation(s)`);
  };
}
