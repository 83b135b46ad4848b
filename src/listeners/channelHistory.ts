import { buildChannelHistoryMessage } from '../views/historyMessage.js';
import type { SlackMessage } from '../views/verdictMessage.js';
import type { ListenerDeps } from './deps.js';

const HISTORY_LIMIT = 10;

/**
 * `/ftrag history`'s answer: the recent reviews of conversation `channelId`, as `userId` (who
 * asked) sees them. Also what "Show the history" under a typo's question shows.
 */
export async function channelHistory(
  deps: ListenerDeps,
  teamId: string,
  channelId: string,
  userId: string,
): Promise<SlackMessage> {
  const { reviews, total } = await deps.reviews.list(
    { teamId, channelId },
    { limit: HISTORY_LIMIT, offset: 0 },
  );
  const ids = reviews.map((review) => review.id);
  const [tallies, superseded] = await Promise.all([
    deps.votes.tallies(teamId, ids),
    deps.reviews.revisedAmong(teamId, ids),
  ]);
  return buildChannelHistoryMessage(reviews, total, userId, { tallies, superseded });
}
