/** The Slack error name (`not_in_channel`, `ratelimited`, …) carried by a WebClient error, if any. */
export function slackErrorName(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const data = (error as { data?: { error?: unknown } }).data;
    if (data && typeof data.error === 'string') return data.error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (error instanceof Error) return error.message;
  }
  return String(error);
}

/**
 * Slack's answers that say a call may have been carried out in part all the same: "It's possible
 * some aspect of the operation succeeded before the error was raised" (its docs). A post answered
 * so may be in the conversation.
 */
export const MAY_HAVE_ACTED: ReadonlySet<string> = new Set(['internal_error', 'fatal_error']);

/**
 * Why a post Slack may have carried out went unconfirmed, as far as its answer tells (see
 * unconfirmedPost.ts).
 */
export type UnconfirmedCause =
  /** No answer came: the call timed out, or the connection dropped before the whole answer. */
  | { kind: 'no-answer' }
  /** An HTTP 5xx, which a gateway or Slack itself may give after the message went out. */
  | { kind: 'server-error'; status: number }
  /** Slack's answer that it may have done part of the call ({@link MAY_HAVE_ACTED}). */
  | { kind: 'may-have-acted'; error: string };

/** Slack's answers for a token that will never work, however often it is asked again. */
export const REFUSED_TOKEN_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);

/**
 * Why the bot could not post in a conversation, as far as it changes what a person can do:
 * `other` when the error says nothing about the conversation itself.
 */
export const POST_REFUSALS = [
  'not-in-channel',
  'archived',
  'restricted',
  'thread-unavailable',
  'other',
] as const;
export type PostRefusal = (typeof POST_REFUSALS)[number];

const REFUSAL_BY_ERROR: ReadonlyMap<string, Exclude<PostRefusal, 'other'>> = new Map([
  // A private channel the bot is not in answers channel_not_found.
  ['not_in_channel', 'not-in-channel'],
  ['channel_not_found', 'not-in-channel'],
  ['is_archived', 'archived'],
  ['restricted_action', 'restricted'],
  ['restricted_action_read_only_channel', 'restricted'],
  ['restricted_action_thread_only_channel', 'restricted'],
  ['restricted_action_non_threadable_channel', 'restricted'],
  ['cannot_reply_to_message', 'thread-unavailable'],
  ['thread_not_found', 'thread-unavailable'],
  ['message_not_found', 'thread-unavailable'],
]);

/** Errors that mean the bot can't post in that conversation, so another route must carry the verdict. */
export const CANNOT_POST_HERE: ReadonlySet<string> = new Set(REFUSAL_BY_ERROR.keys());

/** Why a post failed with the Slack error `error` (null: none known). */
export function postRefusal(error: string | null): PostRefusal {
  return (error === null ? undefined : REFUSAL_BY_ERROR.get(error)) ?? 'other';
}
