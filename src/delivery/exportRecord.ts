import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { type DecisionRecordContext, renderDecisionRecord } from '../decision/index.js';
import type { Review, ReviewRepository } from '../storage/repository.js';
import type { Vote, VoteRepository } from '../storage/votes.js';
import { exportComment } from '../views/signOff.js';
import { conversationName, isDirectMessage } from '../views/text.js';
import { permalinkOf } from './permalink.js';
import { slackErrorName, type UnconfirmedCause } from './slackErrors.js';
import { type UnconfirmedPost, unconfirmedPost } from './unconfirmedPost.js';

export interface ExportRequest {
  /** Who pressed Export, from the payload. */
  userId: string;
  /**
   * Where the pressed button's message is: its channel, and its thread (its parent's ts, or its
   * own). A verdict that went out through a response_url has no ts on record; this is its thread.
   * When the verdict is in the asker's DM and someone else clicked elsewhere, the record goes here.
   */
  clicked?: { channelId: string; threadTs: string };
}

export interface ExportDeps {
  reviews: ReviewRepository;
  votes: VoteRepository;
  clock: () => Date;
  logger: Logger;
}

/**
 * MADR status of a review: `superseded by revision N` once re-run, `accepted` when someone agreed
 * and nobody challenged, else `proposed`.
 */
export function recordStatus(review: Review, votes: readonly Vote[], latest: Review): string {
  if (latest.id !== review.id) return `superseded by revision ${latest.revision ?? 1}`;
  const agreed = votes.some((vote) => vote.vote === 'agree');
  const challenged = votes.some((vote) => vote.vote === 'challenge');
  return agreed && !challenged ? 'accepted' : 'proposed';
}

/**
 * Sign-offs name people by their Slack user id (`U0123ABC`): ftrag has no users:read scope to
 * resolve display names, and `<@U…>` is Slack markup, not Markdown.
 */
export function recordSignOffs(
  votes: readonly Vote[],
): NonNullable<DecisionRecordContext['signOffs']> {
  return {
    agreed: votes.filter((vote) => vote.vote === 'agree').map((vote) => vote.userId),
    challenged: votes
      .filter((vote) => vote.vote === 'challenge')
      .map((vote) => ({ name: vote.userId, reason: vote.reason ?? '' })),
  };
}

/** The date part (YYYY-MM-DD, UTC) of the export time. */
export function recordDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** A file name from the title: lower-case ASCII words joined by hyphens. */
export function recordFilename(review: Review): string {
  const slug = review.answers.title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  const revision = (review.revision ?? 1) > 1 ? `-revision-${review.revision}` : '';
  return `decision-record-${slug || 'review'}${revision}.md`;
}

async function threadLink(
  client: WebClient,
  review: Review,
  logger: Logger,
): Promise<string | undefined> {
  if (review.permalink) return review.permalink;
  const ts = review.threadTs ?? review.messageTs;
  if (!review.postedChannelId || !ts) return undefined;
  const link = await permalinkOf(
    client,
    { channel: review.postedChannelId, ts },
    logger,
    `review ${review.id}`,
  );
  return link ?? undefined;
}

/** The Markdown decision record of a review, as `ftrag decide --markdown` renders it, with context. */
export async function buildDecisionRecord(
  client: WebClient,
  review: Review,
  deps: ExportDeps,
  /** The thread the record links to, when not the review's own (see {@link firstTarget}). */
  thread?: { channelId: string; threadTs: string },
): Promise<string> {
  const [votes, latest] = await Promise.all([
    deps.votes.listVotes(review.teamId, review.id),
    deps.reviews.latestRevision(review.teamId, review.id),
  ]);
  const threadUrl = thread
    ? ((await permalinkOf(
        client,
        { channel: thread.channelId, ts: thread.threadTs },
        deps.logger,
        `review ${review.id}`,
      )) ?? undefined)
    : await threadLink(client, review, deps.logger);
  const context: DecisionRecordContext = {
    status: recordStatus(review, votes, latest ?? review),
    date: recordDate(deps.clock()),
    signOffs: recordSignOffs(votes),
    ...(threadUrl ? { threadUrl } : {}),
  };
  return renderDecisionRecord(review.answers, review.decision, context);
}

/** Why an upload failed: the Slack error, and whether Slack may have shared the file all the same. */
interface UploadFailure {
  error: string;
  unconfirmed: UnconfirmedPost | null;
}

/**
 * Uploads the record into `channelId` (in the thread `threadTs`); null when Slack took it. Of the
 * calls filesUploadV2 makes, only files.completeUploadExternal shares the file in the conversation
 * (files.getUploadURLExternal and the upload of its bytes post nothing, answered or not): only its
 * failure may leave the record there ({@link unconfirmedPost}). filesUploadV2 makes it as
 * `this.files.completeUploadExternal`, which a client made from `client` with `files` of its own
 * lets this see.
 */
async function upload(
  client: WebClient,
  channelId: string,
  threadTs: string | undefined,
  review: Review,
  content: string,
  comment: string,
): Promise<UploadFailure | null> {
  let sharing = false;
  const files: WebClient['files'] = {
    ...client.files,
    completeUploadExternal: (args) => {
      sharing = true;
      return client.files.completeUploadExternal(args);
    },
  };
  const watched = Object.create(client, { files: { value: files } }) as WebClient;
  const file = {
    channel_id: channelId,
    filename: recordFilename(review),
    title: `Decision record: ${Array.from(review.answers.title).slice(0, 200).join('')}`,
    content,
    initial_comment: comment,
    snippet_type: 'markdown',
  };
  try {
    await (threadTs
      ? watched.filesUploadV2({ ...file, thread_ts: threadTs })
      : watched.filesUploadV2(file));
    return null;
  } catch (error) {
    return {
      error: slackErrorName(error),
      unconfirmed: sharing ? unconfirmedPost(error, 'files.completeUploadExternal') : null,
    };
  }
}

/**
 * Where the record went (the review's channel or thread; the thread of the message clicked, when
 * the review's is someone else's DM; or, when the bot couldn't attach it there, the person's DM),
 * or that Slack refused it every way, or that Slack may have shared it without confirming it.
 */
export type ExportOutcome =
  | 'exported'
  | 'exported-where-clicked'
  | 'exported-to-dm'
  | 'refused'
  | 'failed'
  | 'unconfirmed';

/**
 * What the export did; when it failed, the Slack errors, for the person who clicked. 'refused': it
 * would have gone only to the DM of someone who neither asked for the review nor clicked a message
 * (see {@link exportDecisionRecord}); nothing was sent.
 */
export type ExportResult =
  | { outcome: Exclude<ExportOutcome, 'failed' | 'unconfirmed'> }
  | {
      /**
       * Slack didn't confirm an upload it may have shared (`cause`): in the conversation tried
       * first, or, after that refused it (`channelError`), in the person's DM. It is tried nowhere
       * else: a second copy could be the result.
       */
      outcome: 'unconfirmed';
      cause: UnconfirmedCause;
      upload:
        | { to: 'conversation'; channelId: string; inThread: boolean }
        | { to: 'dm'; channelId: string | null; channelError: string | null };
    }
  | {
      outcome: 'failed';
      /** The conversation tried first and its error; null when none was tried. */
      channelId: string | null;
      channelError: string | null;
      /** The error sending it to the person's DM gave. */
      dmError: string;
    };

/**
 * Where the record goes first: the review's thread, unless that is in the asker's DM and someone
 * else pressed Export on a message elsewhere (an out-of-date copy in the channel, say). Nothing
 * they do is posted into another person's DM: it goes where they clicked, which they can see.
 */
function firstTarget(
  review: Review,
  request: ExportRequest,
): { channelId: string; threadTs: string | undefined; whereClicked: boolean } | null {
  const channelId = review.postedChannelId;
  if (!channelId) return null;
  const { clicked } = request;
  // Only its two members can read a DM, and a click in it came from one of them.
  const notTheirDm =
    isDirectMessage(channelId) &&
    request.userId !== review.userId &&
    clicked?.channelId !== channelId;
  if (notTheirDm) return clicked ? { ...clicked, whereClicked: true } : null;
  // Without a ts on record (delivered through a response_url), the clicked message is the
  // verdict or a revision in its thread: when it is in the review's channel, that thread.
  const clickedThread = clicked?.channelId === channelId ? clicked.threadTs : undefined;
  return {
    channelId,
    threadTs: review.threadTs ?? review.messageTs ?? clickedThread,
    whereClicked: false,
  };
}

/**
 * "Export decision record": `review` as a MADR-style Markdown file in its thread (see
 * {@link firstTarget}). When the bot can't attach files there, it goes to the person's DM with a
 * note; failures are logged, and returned when both failed. An upload Slack may have shared
 * without confirming it is not sent another way, and is returned as such.
 */
export async function exportDecisionRecord(
  client: WebClient,
  review: Review,
  request: ExportRequest,
  deps: ExportDeps,
): Promise<ExportResult> {
  const target = firstTarget(review, request);
  // The full record goes to the clicker's own DM only when they asked for the review or clicked a
  // message in a conversation (theirs to read): Slack's client always sends an Export click with
  // both, so one without names nothing but the review's id. Refused before the record is built.
  const toTheirDm = request.userId === review.userId || request.clicked !== undefined;
  const refused = (): ExportResult => {
    deps.logger.warn(
      `export of review ${review.id} by ${request.userId} refused: only its DM was left, and they neither asked for it nor clicked a message`,
    );
    return { outcome: 'refused' };
  };
  if (!target && !toTheirDm) return refused();
  // Attached where someone else clicked, it links to that thread: the review's is the asker's DM.
  const content = await buildDecisionRecord(
    client,
    review,
    deps,
    target?.whereClicked && target.threadTs
      ? { channelId: target.channelId, threadTs: target.threadTs }
      : undefined,
  );
  const comment = exportComment(review, request.userId);
  const channelId = target?.channelId ?? null;
  let channelError: string | null = null;
  const failed = (dmError: string): ExportResult => {
    deps.logger.error(`exporting review ${review.id} failed: ${dmError}`);
    return { outcome: 'failed', channelId, channelError, dmError };
  };
  if (target) {
    const failure = await upload(
      client,
      target.channelId,
      target.threadTs,
      review,
      content,
      comment,
    );
    if (!failure) return { outcome: target.whereClicked ? 'exported-where-clicked' : 'exported' };
    if (failure.unconfirmed) {
      deps.logger.warn(
        `exporting review ${review.id} to ${target.channelId}: it may or may not be there: ${failure.unconfirmed.why}`,
      );
      return {
        outcome: 'unconfirmed',
        cause: failure.unconfirmed.cause,
        upload: {
          to: 'conversation',
          channelId: target.channelId,
          inThread: target.threadTs !== undefined,
        },
      };
    }
    channelError = failure.error;
    deps.logger.warn(
      `exporting review ${review.id} to ${target.channelId} failed: ${channelError}`,
    );
  }
  if (!toTheirDm) return refused();
  let dm: string | undefined;
  try {
    const opened = await client.conversations.open({ users: request.userId });
    dm = opened.channel?.id;
  } catch (error) {
    return failed(slackErrorName(error));
  }
  if (!dm) return failed('conversations.open answered without a channel');
  const note = channelId
    ? `${comment}\nI couldn't attach it in ${conversationName(channelId)}, so here it is for you.`
    : comment;
  const failure = await upload(client, dm, undefined, review, content, note);
  if (!failure) return { outcome: 'exported-to-dm' };
  if (failure.unconfirmed) {
    deps.logger.warn(
      `exporting review ${review.id} to ${request.userId}'s DM: it may or may not be there: ${failure.unconfirmed.why}`,
    );
    return {
      outcome: 'unconfirmed',
      cause: failure.unconfirmed.cause,
      upload: { to: 'dm', channelId, channelError },
    };
  }
  return failed(failure.error);
}
