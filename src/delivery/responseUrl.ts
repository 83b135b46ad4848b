import type { KnownBlock } from '@slack/types';

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
  thread_ts?: string;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts to a response_url, retrying 429 and 5xx with bounded back-off. */
export async function postToResponseUrl(url: string, message: ResponseUrlMessage): Promise<void> {
  let lastError: ResponseUrlError = new ResponseUrlError('response_url was not tried', null);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      lastError = new ResponseUrlError(
        `response_url unreachable: ${(error as Error).message}`,
        null,
      );
      await sleep(200 * attempt);
      continue;
    }
    const body = await response.text();
    if (response.ok) return;
    lastError = new ResponseUrlError(
      `response_url answered ${response.status}: ${body.slice(0, 200)}`,
      response.status,
    );
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable) break;
    const retryAfter = Number(response.headers.get('retry-after'));
    await sleep(
      Number.isFinite(retryAfter) && retryAfter > 0
        ? Math.min(retryAfter, 5) * 1000
        : 250 * attempt,
    );
  }
  throw lastError;
}
