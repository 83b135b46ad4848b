import type { KnownBlock } from '@slack/types';
import type { FetchFunction } from '@slack/web-api';
import { keepAliveFetch, SlackNoAnswerError } from '../observability/slackFetch.js';

const SLACK_RESPONSE_URL_HOSTS = new Set(['hooks.slack.com', 'hooks.slack-gov.com']);
const ATTEMPTS = 3;
const TIMEOUT_MS = 5000;

/**
 * response_url values come from Slack payloads, and later from stored reviews; only Slack's hooks
 * hosts (GovSlack's included) are ever called, or SLACK_API_URL's own origin, where a test double
 * that stands in for Slack hands them out.
 */
export function responseUrlTrust(apiUrl: string | null): (url: string) => boolean {
  const extraOrigin = apiUrl ? new URL(apiUrl).origin : null;
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol === 'https:' && SLACK_RESPONSE_URL_HOSTS.has(parsed.hostname)) return true;
    return extraOrigin !== null && parsed.origin === extraOrigin;
  };
}

export interface ResponseUrlMessage {
  response_type: 'in_channel' | 'ephemeral';
  text: string;
  blocks?: KnownBlock[];
  replace_original?: boolean;
  delete_original?: boolean;
  thread_ts?: string;
  /** False unless given: ftrag's messages carry what people typed, links included. */
  unfurl_links?: boolean;
  /** False unless given, as {@link unfurl_links}. */
  unfurl_media?: boolean;
}

export class ResponseUrlError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ResponseUrlError';
  }
}

/**
 * A post Slack may have carried out: it was sent and got no answer (timed out, or the connection
 * dropped), or a 5xx, which says nothing of whether the message went out. Posting it again could
 * make two copies.
 */
export class ResponseUrlUnconfirmedError extends ResponseUrlError {
  constructor(message: string, status: number | null) {
    super(message, status);
    this.name = 'ResponseUrlUnconfirmedError';
  }
}

export interface ResponseUrlOptions {
  /**
   * Whether the post may be carried out twice with no harm: then it is tried again after a 5xx or
   * no answer too (a few times). By default only one that replaces or deletes the original message
   * is: one that adds a message could add it twice.
   */
  repeatable?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let transport: FetchFunction | undefined;

/**
 * Posts to a response_url. A post that adds a message is tried again only when Slack surely did
 * nothing with it: a 429, or a post that never reached it (refused or failed before the whole
 * request was sent); one sent without an answer, or answered with a 5xx, fails with a
 * {@link ResponseUrlUnconfirmedError}. A repeatable post ({@link ResponseUrlOptions}) is tried
 * again after those too, and fails with a {@link ResponseUrlUnconfirmedError} when an attempt may
 * have been carried out. Any other refusal fails with a {@link ResponseUrlError}.
 */
export async function postToResponseUrl(
  url: string,
  message: ResponseUrlMessage,
  options: ResponseUrlOptions = {},
): Promise<void> {
  const repeatable =
    options.repeatable ?? (message.replace_original === true || message.delete_original === true);
  // The WebClient's transport, for the same notion of a call that was sent (see keepAliveFetch).
  transport ??= keepAliveFetch(TIMEOUT_MS);
  const body = JSON.stringify({ unfurl_links: false, unfurl_media: false, ...message });
  let lastError: ResponseUrlError = new ResponseUrlError('response_url was not tried', null);
  /** The last attempt Slack may have carried out: what the post failed with, whatever came after. */
  let unconfirmed: ResponseUrlUnconfirmedError | null = null;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let response: Awaited<ReturnType<FetchFunction>>;
    try {
      response = await transport(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
      });
    } catch (error) {
      if (error instanceof SlackNoAnswerError) {
        unconfirmed = new ResponseUrlUnconfirmedError(`${error.message} (response_url)`, null);
        if (!repeatable) throw unconfirmed;
      } else {
        lastError = new ResponseUrlError(
          `response_url unreachable: ${(error as Error).message}`,
          null,
        );
      }
      if (attempt < ATTEMPTS) await sleep(200 * attempt);
      continue;
    }
    const text = await response.text();
    if (response.ok) return;
    if (response.status >= 500) {
      unconfirmed = new ResponseUrlUnconfirmedError(
        `Slack answered HTTP ${response.status} (response_url)`,
        response.status,
      );
      if (!repeatable) throw unconfirmed;
      if (attempt < ATTEMPTS) await sleep(250 * attempt);
      continue;
    }
    lastError = new ResponseUrlError(
      `response_url answered ${response.status}: ${text.slice(0, 200)}`,
      response.status,
    );
    if (response.status !== 429 || attempt === ATTEMPTS) break;
    const retryAfter = Number(response.headers.get('retry-after'));
    await sleep(
      Number.isFinite(retryAfter) && retryAfter > 0
        ? Math.min(retryAfter, 5) * 1000
        : 250 * attempt,
    );
  }
  throw unconfirmed ?? lastError;
}
