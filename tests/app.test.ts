/**
 * Starting the app (src/app.ts): the bot token is checked with Slack before the app listens, so an
 * instance never comes up healthy with a token Bolt could not check (Bolt keeps auth.test's first
 * answer, a failure included, and would refuse every request after it).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from './support/appProcess.js';
import { type FakeSlack, startFakeSlack } from './support/fakeSlack.js';
import { SlackClientForTests } from './support/slackRequests.js';

const SIGNING_SECRET = 'startup-signing-secret-0123456789abcdef';
const CHANNEL = 'C0STARTUP1';

let fake: FakeSlack | undefined;
let app: AppProcess | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await fake?.close();
  fake = undefined;
});

async function startAgainst(slack: FakeSlack): Promise<AppProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ftrag-startup-'));
  return startApp(
    {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_URL: `sqlite:${path.join(dir, 'ftrag.db')}`,
      LOG_LEVEL: 'warn',
    },
    { readyTimeoutMs: 30_000 },
  );
}

async function startError(slack: FakeSlack): Promise<string> {
  try {
    app = await startAgainst(slack);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('the app started');
}

describe('starting with a bot token', () => {
  it('stops at once, saying why, when Slack refuses the token', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    fake.failNext('auth.test', { error: 'invalid_auth' }, 10);
    const output = await startError(fake);
    expect(output).toMatch(/exited before it was ready \(code 1/);
    expect(output).toContain('ftrag could not start: Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('does not come up when Slack cannot be asked, after the bounded retries', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    fake.failNext('auth.test', { status: 503 }, 10);
    const output = await startError(fake);
    expect(output).toContain('ftrag could not start: could not check SLACK_BOT_TOKEN with Slack');
    // The first try and the client's 3 retries.
    expect(fake.callsTo('auth.test')).toHaveLength(4);
  });

  it('rides out a short outage while starting, then answers requests', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    fake.failNext('auth.test', { status: 503 }, 2);
    app = await startAgainst(fake);
    const slack = new SlackClientForTests({ baseUrl: app.baseUrl, signingSecret: SIGNING_SECRET });
    const response = await slack.slashCommand({
      command: '/ftrag',
      text: 'Support bot',
      channelId: CHANNEL,
      user: 'U0STARTUP1',
      triggerId: fake.issueTriggerId({ userId: 'U0STARTUP1' }),
      responseUrl: fake.newResponseUrl({ channel: CHANNEL, userId: 'U0STARTUP1' }),
    });
    expect(response.status).toBe(200);
    await fake.waitFor('views.open', () => true);
    // Checked once while starting; requests reuse the answer.
    expect(fake.callsTo('auth.test')).toHaveLength(3);
  });
});
