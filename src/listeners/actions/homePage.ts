import { parseHomePaging } from '../../views/homeView.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { publishHome } from '../publishHome.js';

/** Newer / Older in App Home's lists. */
export function homePage(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const teamId = body.team?.id;
    if (!teamId) return;
    await publishHome(client, deps, teamId, body.user.id, parseHomePaging(action.value));
  };
}
