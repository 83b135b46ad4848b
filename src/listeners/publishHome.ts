import type { WebClient } from '@slack/web-api';
import { buildHomeView, HOME_PAGE_SIZE, type HomePaging } from '../views/homeView.js';
import type { ListenerDeps } from './deps.js';

/** Reads the person's and the workspace's reviews and publishes the Home tab. */
export async function publishHome(
  client: WebClient,
  deps: ListenerDeps,
  teamId: string,
  userId: string,
  paging: HomePaging = { mine: 0, team: 0 },
): Promise<void> {
  const [mine, team, countsByVerdict, pending] = await Promise.all([
    deps.reviews.list(
      { teamId, userId },
      { limit: HOME_PAGE_SIZE, offset: paging.mine * HOME_PAGE_SIZE },
    ),
    deps.reviews.list({ teamId }, { limit: HOME_PAGE_SIZE, offset: paging.team * HOME_PAGE_SIZE }),
    deps.reviews.countByVerdict({ teamId }),
    deps.reviews.listPending(teamId, userId),
  ]);
  const failed = mine.reviews.filter((review) => review.status === 'failed');
  const undelivered = [
    ...pending,
    ...failed.filter((review) => !pending.some((p) => p.id === review.id)),
  ];
  const tallies = await deps.votes.tallies(
    teamId,
    [...mine.reviews, ...team.reviews].map((review) => review.id),
  );
  // Queued here, or claimed by a posting on any instance.
  const now = deps.clock().getTime();
  const postingNow = new Set(
    undelivered
      .filter(
        (review) =>
          deps.deliveries.isUnderway(review.id) ||
          (review.deliveryClaimedUntil?.getTime() ?? 0) > now,
      )
      .map((review) => review.id),
  );
  await client.views.publish({
    user_id: userId,
    view: buildHomeView({
      userId,
      mine,
      team,
      countsByVerdict,
      undelivered,
      postingNow,
      paging,
      tallies,
    }),
  });
}
