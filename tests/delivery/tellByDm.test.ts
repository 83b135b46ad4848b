import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tellByDm } from '../../src/delivery/tellByDm.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { keepAliveFetch, SLACK_RETRY_CONFIG } from '../../src/observability/slackFetch.js';
import { capturedLog } from '../support/capturedLog.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});

async function tell(): Promise<string[]> {
  const { log, lines } = capturedLog();
  const client = new WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    logLevel: LogLevel.ERROR,
    retryConfig: { ...SLACK_RETRY_CONFIG, minTimeout: 1, maxTimeout: 1 },
    fetch: keepAliveFetch(300),
  });
  await tellByDm(client, new BoltLogger(log), 'U0TOLD0001', 'news', 'that review r-1 was shared');
  await new Promise((resolve) => setImmediate(resolve));
  return lines.map((line) => String(line.msg));
}

describe('tellByDm', () => {
  it('logs a refused DM as not told', async () => {
    fake.failNext('chat.postMessage', { error: 'cannot_dm_bot' });
    expect(await tell()).toEqual([
      'telling U0TOLD0001 that review r-1 was shared failed: cannot_dm_bot',
    ]);
  });

  it('logs a DM Slack may have sent without saying so as maybe told, not as failed', async () => {
    fake.loseAnswerNext('chat.postMessage');
    const logged = await tell();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /^may have told U0TOLD0001 that review r-1 was shared, Slack can't say: .*\(chat\.postMessage\)$/,
    );
  });
});
