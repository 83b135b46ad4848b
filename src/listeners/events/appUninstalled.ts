import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';

type UninstallArgs = (
  | SlackEventMiddlewareArgs<'app_uninstalled'>
  | SlackEventMiddlewareArgs<'tokens_revoked'>
) &
  AllMiddlewareArgs;

/**
 * app_uninstalled and tokens_revoked remove the workspace's tokens; both may arrive, in either
 * order, more than once, so the removal is idempotent. Reviews stay until purged.
 */
export function removeWorkspaceTokens(deps: ListenerDeps) {
  return async ({ body, logger }: UninstallArgs): Promise<void> => {
    if (!deps.installations) {
      logger.info(`${body.event.type} for ${body.team_id}: single-workspace mode keeps no tokens`);
      return;
    }
    const removed = await deps.installations.deleteWorkspaceTokens(
      body.team_id,
      body.enterprise_id ?? null,
    );
    logger.info(`${body.event.type} for ${body.team_id}: removed ${removed} installation(s)`);
  };
}
