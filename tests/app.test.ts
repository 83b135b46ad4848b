/**
 * Starting the app (src/app.ts): the bot token is checked with Slack before the app listens, so an
 * instance never comes up healthy with a token Bolt could not check (Bolt keeps auth.test's first
 * answer, a failure included, and would refuse every request after it). A start that fails names
 * the setting to change: SLACK_BOT_TOKEN, SLACK_APP_TOKEN, DATABASE_URL.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from './support/appProcess.js';
import { type FakeSlack, startFakeSlack } from './support/fakeSlack.js';
import { SlackClientForTests } from './support/slackRequests.js';

const SIGNING_SECRET = 'startup-signing-secret-0123456789abcdef';
const CHANNEL = 'C0STARTUP1';
const APP_TOKEN = 'xapp-1-A0FAKEAPP1-1234567890-startupapptoken';

let fake: FakeSlack | undefined;
let app: AppProcess | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await fake?.close();
  fake = undefined;
});

async function startAgainst(
  slack: FakeSlack,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ftrag-startup-'));
  return startApp(
    {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_URL: `sqlite:${path.join(dir, 'ftrag.db')}`,
      LOG_LEVEL: 'warn',
      ...env,
    },
    { readyTimeoutMs: 30_000 },
  );
}

async function startError(slack: FakeSlack, env: Record<string, string> = {}): Promise<string> {
  try {
    app = await startAgainst(slack, env);
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
    expect(output).toContain(
      `ftrag could not start: could not check SLACK_BOT_TOKEN with Slack at ${fake.apiUrl} (auth.test: HTTP 503)`,
    );
    // The first try and the client's 3 retries.
    expect(fake.callsTo('auth.test')).toHaveLength(4);
  });

  it('says why Slack could not be reached, and at which SLACK_API_URL, without credentials', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    // Port 1 on loopback: nothing listens there, so every try is refused at once.
    const output = await startError(fake, {
      SLACK_API_URL: 'http://proxy-user:s3cret@127.0.0.1:1/api/',
    });
    expect(output).toMatch(/exited before it was ready \(code 1/);
    expect(output).toContain(
      'ftrag could not start: could not check SLACK_BOT_TOKEN with Slack at http://127.0.0.1:1/api/ (auth.test: connect ECONNREFUSED 127.0.0.1:1)',
    );
    expect(output).not.toContain('s3cret');
    expect(output).not.toContain(fake.botToken);
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

/**
 * The output of a start that fails. In Socket Mode the app may answer /healthz while it is still
 * connecting, so the failure can come just after startApp saw it ready.
 */
async function failedStart(slack: FakeSlack, env: Record<string, string>): Promise<string> {
  try {
    app = await startAgainst(slack, env);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  await app.waitForLog(/ftrag could not start/, 30_000);
  for (let i = 0; i < 50 && app.exited() === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `exited (code ${app.exited()?.code})\n${app.logs()}`;
}

describe('starting in Socket Mode', () => {
  it('stops at once, naming SLACK_APP_TOKEN, when Slack refuses the app token', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    fake.enableSocketMode(APP_TOKEN);
    const output = await failedStart(fake, {
      SLACK_APP_TOKEN: 'xapp-1-A0FAKEAPP1-1-revoked-or-mistyped',
      SLACK_SIGNING_SECRET: '',
    });
    expect(output).toMatch(/exited (before it was ready )?\(code 1/);
    expect(output).toContain('ftrag could not start: Slack refused SLACK_APP_TOKEN (invalid_auth)');
    expect(fake.callsTo('apps.connections.open')).toHaveLength(1);
  });

  it('does not come up when Slack cannot be asked for a connection, naming SLACK_APP_TOKEN and the SLACK_API_URL, without credentials', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    fake.enableSocketMode(APP_TOKEN);
    fake.failNext('apps.connections.open', { status: 503 }, 10);
    const withCredentials = new URL(fake.apiUrl);
    withCredentials.username = 'api-user';
    withCredentials.password = 's3cret';
    const output = await failedStart(fake, {
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_SIGNING_SECRET: '',
      SLACK_API_URL: withCredentials.href,
    });
    expect(output).toMatch(/exited (before it was ready )?\(code 1/);
    expect(output).toContain(
      `ftrag could not start: could not open a Socket Mode connection with SLACK_APP_TOKEN at ${fake.apiUrl} (apps.connections.open: HTTP 503); is Slack's Web API reachable from here?`,
    );
    expect(output).not.toContain('s3cret');
    expect(output).not.toContain(APP_TOKEN);
  });
});

describe('starting with a SQLite DATABASE_URL that cannot be opened', () => {
  it('names DATABASE_URL when a directory on the path is a file', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    const dir = mkdtempSync(path.join(tmpdir(), 'ftrag-startup-'));
    const file = path.join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const database = path.join(file, 'ftrag.db');
    const output = await startError(fake, { DATABASE_URL: `sqlite:${database}` });
    expect(output).toMatch(/exited before it was ready \(code 1/);
    expect(output).toContain(
      `ftrag could not start: DATABASE_URL (sqlite:${database}): cannot create its directory ${file}`,
    );
  });

  it('names DATABASE_URL when SQLite cannot open the file', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    const dir = mkdtempSync(path.join(tmpdir(), 'ftrag-startup-'));
    const database = path.join(dir, 'a-directory.db');
    mkdirSync(database);
    const output = await startError(fake, { DATABASE_URL: `sqlite:${database}` });
    expect(output).toMatch(/exited before it was ready \(code 1/);
    expect(output).toContain(
      `ftrag could not start: DATABASE_URL (sqlite:${database}): SQLite cannot open it (unable to open database file)`,
    );
  });

  it('names DATABASE_URL when the file is not a SQLite database', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    const dir = mkdtempSync(path.join(tmpdir(), 'ftrag-startup-'));
    const database = path.join(dir, 'notes.txt');
    writeFileSync(database, 'these are not the tables you are looking for\n'.repeat(200));
    const output = await startError(fake, { DATABASE_URL: `sqlite:${database}` });
    expect(output).toMatch(/exited before it was ready \(code 1/);
    expect(output).toContain(
      `ftrag could not start: DATABASE_URL (sqlite:${database}): not a SQLite database (file is not a database)`,
    );
  });

  it('names DATABASE_URL when PostgreSQL cannot be reached, without its password', async () => {
    fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const output = await startError(fake, {
      DATABASE_URL: 'postgres://ftrag:s3cret@127.0.0.1:1/reviews',
    });
    expect(output).toMatch(/exited before it was ready \(code 1/);
    expect(output).toContain(
      'ftrag could not start: DATABASE_URL (postgres://127.0.0.1:1/reviews): could not open the database (connect ECONNREFUSED',
    );
    expect(output).not.toContain('s3cret');
  });
});
