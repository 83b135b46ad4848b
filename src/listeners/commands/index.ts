import type { App } from '@slack/bolt';
import { COMMAND } from '../../constants.js';
import type { ListenerDeps } from '../deps.js';
import { ftragCommand } from './ftragCommand.js';

export function registerCommands(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, ftragCommand(deps));
}
