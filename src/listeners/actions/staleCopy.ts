import type { BlockAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { permalinkOf } from '../../delivery/permalink.js';
import { verdictOnRecord } from '../../delivery/reviewMessage.js';
import { slackErrorName } from '../../delivery/slackErrors.js';
import type { Review } from '../../storage/repository.js';
import {
  buildStaleCopyMessage,
  type CurrentVerdict,
  type StaleCopyAction,
  type StaleCopyOutcome,
  type StaleCopyRefusal,
  staleCopyFailureText,
  staleCopyNoticeText,
} from '../../views/staleCopy.js';
import { isVerdictActionsBlockId, type SlackMessage } from '../../views/verdictMessage.js';
import type { ButtonArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { answerClicker } from './clickedReview.js';

/** A message in a channel. */
export interface MessageRef {
  channelId: string;
  messageTs: string;
}

/** A click on a copy of a verdict that is not the one on record. */
export interface StaleCopy {
  /** The message clicked. */
  clicked: MessageRef;
  /** The review's verdict message on record: the one kept up to date. */
  recorded: MessageRef;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whether `blocks` (a clicked message's) hold `reviewId`'s sign-off buttons, as a verdict does. */
function carriesSignOffsOf(blocks: unknown, reviewId: string): boolean {
  if (!Array.isArray(blocks)) return false;
  return blocks.some(
    (block) =>
      isRecord(block) &&
      block.type === 'actions' &&
      isVerdictActionsBlockId(block.block_id) &&
      Array.isArray(block.elements) &&
      block.elements.some((element) => isRecord(element) && element.value === reviewId),
  );
}

/**
 * The clicked message when it is a copy of `review`'s verdict other than the one on record: when
 * Slack's answer to a posting was lost though the verdict landed, Post again posts a second copy
 * and records that one, and both carry the review's id. The second may be elsewhere (the asker's
 * DM, when the channel refused it by then). No other message with the review's buttons can be: a
 * verdict is posted only by its delivery, whose message is recorded (a thread broadcast is that
 * message, ts and all); edits update it in place; a re-run's revision is another review, with its
 * own message; shared reviews carry no buttons. Null for a click on the recorded message, off a
 * message (App Home), on a message without the review's sign-off buttons, or on a review without a
 * ts on record (delivered through a response_url, whose message is the one clicked).
 */
export function staleCopyOf(body: BlockAction, review: Review): StaleCopy | null {
  const recordedChannel = review.postedChannelId;
  const recordedTs = review.messageTs;
  if (!recordedChannel || !recordedTs) return null;
  const container: Record<string, unknown> | undefined = body.container;
  // An ephemeral message can't be updated, and ftrag never posts a verdict ephemerally.
  if (container?.type !== 'message' || container.is_ephemeral === true) return null;
  // What is rewritten is a message the payload shows to be a copy of this verdict (the bot's other
  // messages, which chat.update could change too, don't carry its buttons), and the one it names
  // everywhere: a payload whose container, channel and message disagree was never sent by Slack.
  const message = body.message;
  if (!message || !carriesSignOffsOf(message.blocks, review.id)) return null;
  const channelId = text(container.channel_id) ?? body.channel?.id ?? null;
  const messageTs = text(container.message_ts) ?? message.ts;
  if (!channelId || messageTs !== message.ts) return null;
  if (body.channel?.id && body.channel.id !== channelId) return null;
  if (channelId === recordedChannel && messageTs === recordedTs) return null;
  return {
    clicked: { channelId, messageTs },
    recorded: { channelId: recordedChannel, messageTs: recordedTs },
  };
}

/**
 * The client a click's calls after its ack go through: the workspace's delivery client, as a
 * verdict's, so that one Slack rate-limits holds up only the workspace's postings, not its modals.
 */
type AfterAck = Pick<ButtonArgs, 'logger'> & { slack: WebClient };

async function currentVerdict(
  { slack, logger }: AfterAck,
  review: Review,
  { clicked, recorded }: StaleCopy,
): Promise<CurrentVerdict> {
  const { channelId, messageTs } = recorded;
  const inAskersDm = review.status === 'sent-as-dm' && clicked.channelId !== channelId;
  const permalink =
    review.permalink ??
    (await permalinkOf(
      slack,
      { channel: channelId, ts: messageTs },
      logger,
      `review ${review.id}`,
    ));
  return { channelId, permalink, inAskersDm };
}

/**
 * Replaces the copy `clicked` with `message`; whether Slack took it (a refusal is logged, `what`
 * naming the change).
 */
async function replaceCopy(
  { slack, logger }: AfterAck,
  clicked: MessageRef,
  message: SlackMessage,
  what: string,
): Promise<boolean> {
  try {
    await slack.chat.update({
      channel: clicked.channelId,
      ts: clicked.messageTs,
      text: message.text,
      blocks: message.blocks,
    });
    return true;
  } catch (error) {
    logger.warn(`${what} failed: ${slackErrorName(error)}`);
    return false;
  }
}

/**
 * When the click came from an out-of-date copy of `review`'s verdict ({@link staleCopyOf}), after
 * the click has done its work on the review: the copy becomes a pointer to the current verdict,
 * without buttons, and the clicker is told, only them, where that is and what `action` did there
 * (nothing said when left out), or, for a refusal, in the same notice, why it did nothing.
 *
 * But when the current verdict is in the asker's DM, which nobody else can open, and someone else
 * clicked, the copy is the only place where anyone but the asker can agree, challenge, export or
 * re-run: it keeps its buttons, and is brought up to date instead, to the verdict, its version
 * and its tally as on record now. Left as it was, an edit since would have its Agree refused for
 * good (its buttons carry the version it showed).
 *
 * Nothing failing here (reading the review, changing the copy, telling the clicker) undoes the
 * click or reaches app.error, whose "nothing was posted" would be wrong by then: each is logged.
 */
export async function answerStaleCopyClick(
  args: Pick<ButtonArgs, 'body' | 'client' | 'context' | 'respond' | 'logger'>,
  deps: Pick<ListenerDeps, 'reviews' | 'votes' | 'deliveryClients'>,
  review: Review,
  action?: StaleCopyAction | StaleCopyRefusal,
): Promise<void> {
  const { body, logger } = args;
  const stale = staleCopyOf(body, review);
  if (!stale) return;
  const { clicked, recorded } = stale;
  const afterAck: AfterAck = { slack: deps.deliveryClients.of(args), logger };
  const current = await currentVerdict(afterAck, review, stale);
  const byAsker = body.user.id === review.userId;
  const keptForOthers = current.inAskersDm && !byAsker;
  logger.info(
    `review ${review.id}: a click came from an out-of-date copy of its verdict (${clicked.channelId} ${clicked.messageTs}, on record ${recorded.channelId} ${recorded.messageTs}); ${keptForOthers ? "bringing it up to date: the current one is in the asker's DM" : 'pointing it to the current one'}`,
  );
  const copyOf = `the out-of-date copy ${clicked.messageTs} of review ${review.id}`;
  let copy: StaleCopyOutcome = 'unchanged';
  if (keptForOthers) {
    let message: SlackMessage | null = null;
    try {
      // What the current one shows, without the notice the asker's DM starts with (why it is not in
      // the channel), which is for the asker.
      message = (await verdictOnRecord(deps, review.teamId, review.id))?.message ?? null;
    } catch (error) {
      logger.warn(
        `reading review ${review.id} to bring ${copyOf} up to date failed: ${String(error)}`,
      );
    }
    if (
      message &&
      (await replaceCopy(afterAck, clicked, message, `bringing ${copyOf} up to date`))
    ) {
      copy = 'refreshed';
    }
  } else {
    const pointer = buildStaleCopyMessage(review.answers.title, current);
    const what = `pointing ${copyOf} to the current verdict`;
    if (await replaceCopy(afterAck, clicked, pointer, what)) copy = 'pointed';
  }
  await answerClicker(
    args,
    staleCopyNoticeText(current, { action, copy, byAsker }),
    `a click on an out-of-date copy of review ${review.id}`,
  );
}

/**
 * The notice for a click whose work Slack refused (`failure`); when it came from an out-of-date
 * copy of `review`'s verdict ({@link staleCopyOf}), it also says where the current one is. That
 * copy is not retired: a retry from it does the same, and the current verdict may be in the
 * asker's DM, where the person clicking can't try again.
 */
export async function failureNotice(
  args: Pick<ButtonArgs, 'body' | 'client' | 'context' | 'logger'>,
  deps: Pick<ListenerDeps, 'deliveryClients'>,
  review: Review,
  failure: string,
): Promise<string> {
  const stale = staleCopyOf(args.body, review);
  if (!stale) return failure;
  const afterAck: AfterAck = { slack: deps.deliveryClients.of(args), logger: args.logger };
  const current = await currentVerdict(afterAck, review, stale);
  return staleCopyFailureText(failure, current, args.body.user.id === review.userId);
}
