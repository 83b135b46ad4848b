import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { editRefusal } from '../delivery/applyEdit.js';
import {
  buildHomeView,
  FIRST_PAGES,
  HOME_PAGE_SIZE,
  HOME_UNDELIVERED_LIMIT,
  type HomePaging,
} from '../views/homeView.js';
import type { ListenerDeps } from './deps.js';

/**
 * Reads the person's reviews (those posted, and apart those not posted yet) and the workspace's
 * reviews in public channels, and publishes the Home tab.
 */
export async function publishHome(
  client: WebClient,
  deps: ListenerDeps,
  teamId: string,
  userId: string,
  paging: HomePaging = FIRST_PAGES,
): Promise<void> {
  const [mine, team, countsByVerdict, undelivered] = await Promise.all([
    // Those not posted yet are listed apart, with Post again: not twice.
    deps.reviews.list(
      { teamId, userId, deliveredOnly: true },
      { limit: HOME_PAGE_SIZE, offset: paging.mine * HOME_PAGE_SIZE },
    ),
    // Only what anyone in the workspace may read in Slack: reviews in public channels.
    deps.reviews.list(
      { teamId, publicOnly: true },
      { limit: HOME_PAGE_SIZE, offset: paging.team * HOME_PAGE_SIZE },
    ),
    // Counts only, no content: every review of the workspace.
    deps.reviews.countByVerdict({ teamId }),
    // Whatever page of the person's reviews is shown: Post again is the only way to recover one.
    deps.reviews.listUndelivered(teamId, userId, HOME_UNDELIVERED_LIMIT),
  ]);
  const listed = [...mine.reviews, ...team.reviews];
  const listedIds = [...new Set(listed.map((review) => review.id))];
  const own = listed.filter((review) => review.userId === userId);
  // Every listed review's, not only the person's own: each superseded line says so.
  const [tallies, revised] = await Promise.all([
    deps.votes.tallies(teamId, listedIds),
    deps.reviews.revisedAmong(teamId, listedIds),
  ]);
  const at = deps.clock();
  // Edit answers only where it would not be refused (a later revision, no message to update).
  const editable = new Set(
    own
      .filter((review) => editRefusal(review, at, revised.has(review.id)) === null)
      .map((review) => review.id),
  );
  // Queued here, or claimed by a posting on any instance.
  const now = at.getTime();
  const postingNow = new Set(
    undelivered.reviews
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
      editable,
      superseded: revised,
      paging,
      tallies,
    }),
  });
}

/**
 * Refreshes App Home once `done` (what was done, for the log) is done: a failure to refresh is
 * logged, not thrown, so that it isn't taken for a failure of what was done.
 */
export async function refreshHomeAfter(
  logger: Logger,
  done: string,
  refresh: () => Promise<void>,
): Promise<void> {
  await refresh().catch((error: unknown) => {
    logger.error(`${done}, but refreshing App Home afterwards failed`, error);
  });
}
