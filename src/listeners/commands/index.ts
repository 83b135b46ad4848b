import { COMMAND } from '../../constants.js';
import type { ListenerDeps } from '../deps.js';
import type { ListenerRoutes } from '../routes.js';
import { ftragCommand } from './ftragCommand.js';

export function registerCommands(routes: ListenerRoutes, deps: ListenerDeps): void {
  routes.command(COMMAND, ftragCommand(deps));
}
