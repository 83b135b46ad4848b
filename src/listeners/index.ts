import type { App } from '@slack/bolt';
import { registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import type { ListenerDeps } from './deps.js';
import { registerEvents } from './events/index.js';
import { ListenerRoutes } from './routes.js';
import { registerShortcuts } from './shortcuts/index.js';
import { registerViews } from './views/index.js';

export type { ListenerDeps } from './deps.js';

export function registerListeners(app: App, deps: ListenerDeps): void {
  const routes = new ListenerRoutes();
  registerCommands(routes, deps);
  registerShortcuts(routes);
  registerViews(routes, deps);
  registerActions(routes, deps);
  registerEvents(routes, deps);
  app.use(routes.dispatch);
}
