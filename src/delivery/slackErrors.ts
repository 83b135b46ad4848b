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

/** Errors that mean the bot can't post in that conversation, so another route must carry the verdict. */
export const CANNOT_POST_HERE = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_reply_to_message',
  'thread_not_found',
  'message_not_found',
]);
