import { unansweredCall } from '../observability/slackFetch.js';
import { ResponseUrlUnconfirmedError } from './responseUrl.js';
import { MAY_HAVE_ACTED, slackErrorName, type UnconfirmedCause } from './slackErrors.js';

export interface UnconfirmedPost {
  /** What happened and to which call, for logs and a review's last error. */
  why: string;
  cause: UnconfirmedCause;
}

/**
 * Whether a post that failed (`method`'s, or a response_url's) may have been carried out all the
 * same, and why: no answer came, a 5xx came, or Slack answered that it may have done part of it.
 * Null when Slack surely posted nothing, so that posting it again or elsewhere makes no second copy.
 */
export function unconfirmedPost(
  error: unknown,
  method = 'chat.postMessage',
): UnconfirmedPost | null {
  if (error instanceof ResponseUrlUnconfirmedError) {
    return { why: error.message, cause: unanswered(error.status) };
  }
  const call = unansweredCall(error);
  if (call) return { why: `${call.message} (${call.method})`, cause: unanswered(call.status) };
  const name = slackErrorName(error);
  return MAY_HAVE_ACTED.has(name)
    ? {
        why: `Slack answered ${name} (${method})`,
        cause: { kind: 'may-have-acted', error: name },
      }
    : null;
}

/** A post sent without an answer (`status` null), or answered with the 5xx `status`. */
function unanswered(status: number | null): UnconfirmedCause {
  return status === null ? { kind: 'no-answer' } : { kind: 'server-error', status };
}
