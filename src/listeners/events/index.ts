import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import { appHomeOpened } from './appHomeOpened.js';
import { appMention } from './appMention.js';
import { removeWorkspaceTokens } from './appUninstalled.js';

export function registerEvents(app: App, deps: ListenerDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
  app.event('app_mention', appMention(deps));
  app.event('app_uninstalled', removeWorkspaceTokens(deps));
  app.event('tokens_revoked', removeWorkspaceTokens(deps));
}
