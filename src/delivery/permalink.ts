import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { slackErrorName } from './slackErrors.js';

/**
 * A message's link, from Slack (chat.getPermalink); null when Slack gives none. A failure is only
 * logged (`what` names the message): every caller can do without the link.
 */
export async function permalinkOf(
  client: WebClient,
  message: { channel: string; ts: string },
  logger: Logger,
  what: string,
): Promise<string | null> {
  try {
    const result = await client.chat.getPermalink({
      channel: message.channel,
      message_ts: message.ts,
    });
    return result.permalink ?? null;
  } catch (error) {
    logger.warn(`chat.getPermalink for ${what} failed: ${slackErrorName(error)}`);
    return null;
  }
}
