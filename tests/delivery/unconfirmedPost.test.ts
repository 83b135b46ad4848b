import { describe, expect, it } from 'vitest';
import { ResponseUrlError, ResponseUrlUnconfirmedError } from '../../src/delivery/responseUrl.js';
import { unconfirmedPost } from '../../src/delivery/unconfirmedPost.js';
import { SlackNoAnswerError } from '../../src/observability/slackFetch.js';

const POST_URL = 'https://slack.test/api/chat.postMessage';

/** A WebClient's error as it wraps what its transport threw (`original`). */
const wrapped = (original: Error) =>
  Object.assign(new Error('A request error occurred'), {
    code: 'slack_webapi_request_error',
    original,
  });
/** A WebClient's error for Slack's ok:false answer `error`. */
const platform = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });

describe('unconfirmedPost: whether Slack may have made a post that failed, and why', () => {
  it('a Web API post sent without an answer, or answered with a 5xx', () => {
    const noAnswer = new SlackNoAnswerError(POST_URL, 'no answer from Slack within 10000 ms');
    expect(unconfirmedPost(wrapped(noAnswer))).toEqual({
      why: 'no answer from Slack within 10000 ms (chat.postMessage)',
      cause: { kind: 'no-answer' },
    });
    const status = new SlackNoAnswerError(POST_URL, 'Slack answered HTTP 502', undefined, 502);
    expect(unconfirmedPost(status)).toEqual({
      why: 'Slack answered HTTP 502 (chat.postMessage)',
      cause: { kind: 'server-error', status: 502 },
    });
  });

  it('Slack answering internal_error or fatal_error', () => {
    for (const error of ['internal_error', 'fatal_error']) {
      expect(unconfirmedPost(platform(error))).toEqual({
        why: `Slack answered ${error} (chat.postMessage)`,
        cause: { kind: 'may-have-acted', error },
      });
    }
    expect(unconfirmedPost(platform('internal_error'), 'files.completeUploadExternal')?.why).toBe(
      'Slack answered internal_error (files.completeUploadExternal)',
    );
  });

  it('a response_url post sent without an answer, or answered with a 5xx', () => {
    expect(
      unconfirmedPost(new ResponseUrlUnconfirmedError('no answer (response_url)', null)),
    ).toEqual({ why: 'no answer (response_url)', cause: { kind: 'no-answer' } });
    expect(
      unconfirmedPost(
        new ResponseUrlUnconfirmedError('Slack answered HTTP 503 (response_url)', 503),
      ),
    ).toEqual({
      why: 'Slack answered HTTP 503 (response_url)',
      cause: { kind: 'server-error', status: 503 },
    });
  });

  it('null for a refusal, which posted nothing', () => {
    expect(unconfirmedPost(platform('not_in_channel'))).toBeNull();
    expect(unconfirmedPost(platform('ratelimited'))).toBeNull();
    expect(
      unconfirmedPost(new ResponseUrlError('response_url answered 404: expired_url', 404)),
    ).toBeNull();
    expect(unconfirmedPost(new Error('socket hang up'))).toBeNull();
  });
});
