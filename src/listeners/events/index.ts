import {
  type EventArgs,
  isAppMention,
  isAppUninstalled,
  isHomeOpened,
  isTokensRevoked,
} from '../args.js';
import type { ListenerDeps } from '../deps.js';
import type { ListenerRoutes } from '../routes.js';
import { appHomeOpened } from './appHomeOpened.js';
import { appMention } from './appMention.js';
import { removeWorkspaceTokens } from './appUninstalled.js';

/** Runs `listener` with the event's own type once `isType` has checked it. */
function typed<Args extends EventArgs>(
  isType: (args: EventArgs) => args is Args,
  listener: (args: Args) => Promise<void>,
) {
  return async (args: EventArgs): Promise<void> => {
    if (isType(args)) await listener(args);
  };
}

export function registerEvents(routes: ListenerRoutes, deps: ListenerDeps): void {
  const removeTokens = removeWorkspaceTokens(deps);
  routes
    .event('app_home_opened', typed(isHomeOpened, appHomeOpened(deps)))
    .event('app_mention', typed(isAppMention, appMention(deps)))
    .event('app_uninstalled', typed(isAppUninstalled, removeTokens))
    .event('tokens_revoked', typed(isTokensRevoked, removeTokens));
}
