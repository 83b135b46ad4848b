import type { WebClient } from '@slack/web-api';
import { unansweredCall } from '../observability/slackFetch.js';
import type { ConversationVisibility } from '../storage/repository.js';
import { isDirectMessage } from '../views/text.js';

type ConversationInfo = NonNullable<
  Awaited<ReturnType<WebClient['conversations']['info']>>['channel']
>;

/**
 * Whether everyone in the workspace may read a conversation, by Slack's answer: only a channel
 * that is neither private nor a DM or group DM (whose answers may say is_channel too) counts as
 * public. A channel shared with another organization (Slack Connect, or pending) does not either:
 * each organization sets its own side's privacy, and ftrag lists nothing it isn't sure of.
 */
export function isPublicChannel(channel: ConversationInfo): boolean {
  return (
    channel.is_channel === true &&
    channel.is_private === false &&
    channel.is_group !== true &&
    channel.is_im !== true &&
    channel.is_mpim !== true &&
    channel.is_ext_shared !== true &&
    channel.is_pending_ext_shared !== true
  );
}

export type VisibilityAnswer =
  /** `asked`: false for a DM, which is private without asking. */
  | { visibility: ConversationVisibility; asked: boolean }
  /**
   * Slack would not say. `slackError`: the error Slack answered with (null when it gave no answer,
   * or no Slack error); `why`: what to log or show.
   */
  | { visibility: null; asked: true; slackError: string | null; why: string };

/** Read scopes that Slack asks for only about conversations that are not public channels. */
const NOT_PUBLIC_READ_SCOPES: ReadonlySet<string> = new Set([
  'groups:read',
  'im:read',
  'mpim:read',
]);

/** What Slack answered a call with ok:false (error name and the fields beside it), else null. */
function refusalOf(error: unknown): { error: string; needed: string | null } | null {
  if (typeof error !== 'object' || error === null || !('data' in error)) return null;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null) return null;
  const { error: name, needed } = data as { error?: unknown; needed?: unknown };
  if (typeof name !== 'string') return null;
  return { error: name, needed: typeof needed === 'string' ? needed : null };
}

/**
 * Slack's refusals of conversations.info that say the conversation is not a public channel of
 * the token's workspace: `channel_not_found` (a public channel is there for any bot of its
 * workspace with channels:read; a private one the bot is not in, or a deleted one, is not), and
 * `missing_scope` when the scope Slack says it needs is the read scope of a private channel, DM or
 * group DM. Lacking channels:read itself says nothing (the channel may be public).
 */
function saysNotPublic(refusal: { error: string; needed: string | null }): boolean {
  if (refusal.error === 'channel_not_found') return true;
  if (refusal.error !== 'missing_scope' || refusal.needed === null) return false;
  return refusal.needed.split(',').every((scope) => NOT_PUBLIC_READ_SCOPES.has(scope.trim()));
}

/**
 * Asks Slack (conversations.info, with `client`'s token, which must be of the workspace the
 * conversation belongs to) whether `conversation` is a public channel; a DM (D…) is private
 * without asking. A refusal that says it is not a public channel counts as its answer; any other
 * failure (an install without channels:read, a refused token, no answer, …) leaves it unknown.
 */
export async function askVisibility(
  client: WebClient,
  conversation: string,
): Promise<VisibilityAnswer> {
  if (isDirectMessage(conversation)) return { visibility: 'private', asked: false };
  try {
    const { channel } = await client.conversations.info({ channel: conversation });
    return { visibility: channel && isPublicChannel(channel) ? 'public' : 'private', asked: true };
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal && saysNotPublic(refusal)) return { visibility: 'private', asked: true };
    const unanswered = unansweredCall(error);
    let why: string;
    if (unanswered) why = `${unanswered.message} (${unanswered.method})`;
    else if (refusal) {
      why = refusal.needed ? `${refusal.error} (needed: ${refusal.needed})` : refusal.error;
    } else why = error instanceof Error ? error.message : String(error);
    return { visibility: null, asked: true, slackError: refusal?.error ?? null, why };
  }
}
