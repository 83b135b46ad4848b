import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { slackErrorName } from './slackErrors.js';
import { unconfirmedPost } from './unconfirmedPost.js';

/**
 * Sends `userId` a DM, for news of something already done: Slack refusing it is logged (`about`
 * says what they were to be told, with the ids to find it by), never thrown; a DM Slack may have
 * sent without saying so is logged as maybe told.
 */
export async function tellByDm(
  client: WebClient,
  logger: Logger,
  userId: string,
  text: string,
  about: string,
): Promise<void> {
  try {
    // The news may quote what people typed (a title, a reason): no previews of its links.
    await client.chat.postMessage({
      channel: userId,
      text,
      unfurl_links: false,
      unfurl_media: false,
    });
  } catch (error) {
    const unconfirmed = unconfirmedPost(error);
    logger.warn(
      unconfirmed
        ? `may have told ${userId} ${about}, Slack can't say: ${unconfirmed.why}`
        : `telling ${userId} ${about} failed: ${slackErrorName(error)}`,
    );
  }
}
