import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../deps.js';
import { publishHome } from '../publishHome.js';

type HomeOpenedArgs = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

export function appHomeOpened(deps: ListenerDeps) {
  return async ({ event, body, client }: HomeOpenedArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    await publishHome(client, deps, body.team_id, event.user);
  };
}
