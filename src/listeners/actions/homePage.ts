import { z } from 'zod';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { publishHome } from '../publishHome.js';

const pagingSchema = z.object({
  mine: z.number().int().min(0).max(10_000),
  team: z.number().int().min(0).max(10_000),
});

/** Newer / Older in App Home's lists. */
export function homePage(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const teamId = body.team?.id;
    if (!teamId) return;
    let paging = { mine: 0, team: 0 };
    try {
      paging = pagingSchema.parse(JSON.parse(action.value ?? ''));
    } catch {
      // A value we did not write: show the first pages.
    }
    await publishHome(client, deps, teamId, body.user.id, paging);
  };
}
