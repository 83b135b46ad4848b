import type { App } from '@slack/bolt';
import {
  type EventArgs,
  isAppMention,
  isAppUninstalled,
  isHomeOpened,
  isTokensRevoked,
} from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { idPattern } from '../routes.js';
import { appHomeOpened } from './appHomeOpened.js';
import { appMention } from './appMention.js';
import { removeWorkspaceTokens } from './appUninstalled.js';

const EVENTS = ['app_home_opened', 'app_mention', 'app_uninstalled', 'tokens_revoked'];

/** One Bolt listener for the events ftrag subscribes to, routing by type (see routes.ts). */
export function registerEvents(app: App, deps: ListenerDeps): void {
  const homeOpened = appHomeOpened(deps);
  const mentioned = appMention(deps);
  const removeTokens = removeWorkspaceTokens(deps);
  app.event(idPattern(EVENTS), async (args: EventArgs) => {
    if (isHomeOpened(args)) await homeOpened(args);
    else if (isAppMention(args)) await mentioned(args);
    else if (isAppUninstalled(args) || isTokensRevoked(args)) await removeTokens(args);
  });
}
