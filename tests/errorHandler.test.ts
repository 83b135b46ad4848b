import { AuthorizationError, UnknownError } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErrorHandler, UnauthorizedSubmissionError } from '../src/errorHandler.js';
import { BoltLogger } from '../src/observability/logger.js';
import { capturedLog } from './support/capturedLog.js';
import { type FakeSlack, startFakeSlack } from './support/fakeSlack.js';

let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack();
});

afterAll(async () => {
  await fake?.close();
});

/** Bolt's error for a request whose installation could not be fetched, because of `cause`. */
function unauthorized(cause: Error): ExtendedErrorHandlerArgs['error'] {
  return new AuthorizationError(
    `Authorization of incoming event did not succeed. ${cause.message}`,
    cause,
  );
}

/** Runs the handler on `body`, a payload shaped as Slack sends it (only the fields read). */
function handle(error: ExtendedErrorHandlerArgs['error'], body: object) {
  const { log, lines } = capturedLog();
  const handler = createErrorHandler(
    new WebClient(undefined, { slackApiUrl: fake.apiUrl }),
    () => true,
    {
      installPage: 'the install page',
    },
  );
  const done = handler({
    error,
    logger: new BoltLogger(log),
    body: body as ExtendedErrorHandlerArgs['body'],
    context: { isEnterpriseInstall: false },
  });
  return { done, lines };
}

const HOME_OPENED = {
  type: 'event_callback',
  team_id: 'T0DOWN0001',
  event: { type: 'app_home_opened', user: 'U0DOWNUSER', channel: 'D0DOWNUSER' },
};

describe('a request Bolt could not authorize because the database did not answer', () => {
  it('is reported as a failure to retry, and nothing is posted without a token', async () => {
    const before = fake.calls.length;
    const { done, lines } = handle(unauthorized(new Error('connect ECONNREFUSED')), HOME_OPENED);
    await done;
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls.slice(before)).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      msg: expect.stringContaining('event_callback app_home_opened team=T0DOWN0001'),
    });
  });

  it('keeps a submitted modal open, asking to try again', async () => {
    const { done } = handle(unauthorized(new Error('connect ECONNREFUSED')), {
      type: 'view_submission',
      team: { id: 'T0DOWN0001' },
      user: { id: 'U0DOWNUSER' },
      view: {
        callback_id: 'checklist',
        blocks: [
          { type: 'section', block_id: 'intro' },
          { type: 'input', block_id: 'title' },
        ],
      },
    });
    const error = await done.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(UnauthorizedSubmissionError);
    expect((error as UnauthorizedSubmissionError).answer).toEqual({
      response_action: 'errors',
      errors: {
        title: expect.stringMatching(/^Sorry, ftrag hit a problem .*try again in a moment\.$/),
      },
    });
  });
});

describe('telling the person of a failure through the response_url', () => {
  const CHANNEL = 'C0NOTICE01';
  const USER = 'U0NOTICE01';
  /** A slash command that failed in a listener, with its response_url on the fake. */
  const command = (responseUrl: string) => ({
    command: '/ftrag',
    team_id: 'T0NOTICE01',
    user_id: USER,
    channel_id: CHANNEL,
    response_url: responseUrl,
  });
  const noticesElsewhere = (before: number) =>
    fake.calls
      .slice(before)
      .filter((call) => call.method === 'chat.postEphemeral' || call.method === 'chat.postMessage');

  it('posts the notice again after a 5xx, and then nowhere else', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL, userId: USER });
    fake.failResponseUrl(url, 503, { times: 1 });
    const before = fake.calls.length;
    await handle(new UnknownError(new Error('boom')), command(url)).done;
    expect(fake.responseUrlPostsTo(url).map((post) => post.status)).toEqual([503, 200]);
    expect(noticesElsewhere(before)).toEqual([]);
  });

  it('stops when the response_url may have posted it: the notice is not posted twice', async () => {
    const url = fake.newResponseUrl({ channel: CHANNEL, userId: USER });
    fake.failResponseUrl(url, 500);
    const before = fake.calls.length;
    const { done, lines } = handle(new UnknownError(new Error('boom')), command(url));
    await done;
    fake.clearResponseUrlFailures();
    expect(fake.responseUrlPostsTo(url).length).toBeGreaterThan(0);
    expect(noticesElsewhere(before)).toEqual([]);
    expect(lines.map((line) => line.msg)).toContainEqual(
      expect.stringContaining('may have told the person (response_url)'),
    );
  });
});
