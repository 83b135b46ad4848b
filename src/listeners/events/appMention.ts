import type { AllMiddlewareArgs, Logger, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { encodeMentionStart, mentionProblemText } from '../../checklist/mentionStart.js';
import {
  CANNOT_POST_HERE,
  type PostRefusal,
  postRefusal,
  slackErrorName,
} from '../../delivery/slackErrors.js';
import { buildMentionFallbackDm, buildMentionReply } from '../../views/mentionReply.js';
import type { ListenerDeps } from '../deps.js';

type EventArgs = SlackEventMiddlewareArgs<'app_mention'> & AllMiddlewareArgs;

interface Mention {
  channelId: string;
  threadTs: string;
  userId: string;
  buttonValue: string;
}

/** Answers in the thread; when the bot can't post there, the person gets the button by DM. */
async function answerMention(client: WebClient, mention: Mention, logger: Logger): Promise<void> {
  const reply = buildMentionReply(mention.userId, mention.buttonValue);
  let refusal: PostRefusal;
  try {
    await client.chat.postMessage({
      channel: mention.channelId,
      thread_ts: mention.threadTs,
      text: reply.text,
      blocks: reply.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    return;
  } catch (error) {
    const name = slackErrorName(error);
    if (!CANNOT_POST_HERE.has(name)) {
      logger.warn(`answering a mention in ${mention.channelId} failed: ${name}`);
      return;
    }
    logger.info(`can't answer a mention in ${mention.channelId} (${name}); sending a DM`);
    refusal = postRefusal(name);
  }
  const dm = buildMentionFallbackDm(mention.channelId, mention.buttonValue, refusal);
  try {
    await client.chat.postMessage({ channel: mention.userId, text: dm.text, blocks: dm.blocks });
  } catch (error) {
    logger.warn(`answering a mention by DM failed: ${slackErrorName(error)}`);
  }
}

/**
 * "@ftrag" in a thread (or a message, which starts one): a short answer with a Start review button
 * that opens the checklist pre-filled with what was said, the verdict going to that thread.
 */
export function appMention(deps: ListenerDeps) {
  return async ({ event, context, client, logger }: EventArgs): Promise<void> => {
    // Bolt has acknowledged the event already. Bots (including this one) don't start reviews,
    // and a redelivery means the first delivery was seen.
    if (event.bot_id || !event.user || context.retryNum !== undefined) return;
    const threadTs = event.thread_ts ?? event.ts;
    const buttonValue = encodeMentionStart({
      channelId: event.channel,
      threadTs,
      problem: mentionProblemText(event.text, context.botUserId),
    });
    const userId = event.user;
    // Posted as a verdict is: one Slack rate-limits holds up only the workspace's postings, not
    // its modals (the Start review button's among them).
    const slack = deps.deliveryClients.of({ context, client });
    await deps.work.run(() =>
      answerMention(slack, { channelId: event.channel, threadTs, userId, buttonValue }, logger),
    );
  };
}
