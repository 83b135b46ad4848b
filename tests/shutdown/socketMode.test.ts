/**
 * Stopping in Socket Mode (the quickstart's mode): SIGTERM waits for envelopes still in their
 * listeners, as it waits for HTTP requests, keeping the WebSocket open until each has its ack (an
 * ack travels over that socket), and a signal while the socket is still connecting ends the
 * process at once instead of being put off until a connection that may never come.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../src/constants.js';
import { logLines, sample } from '../observability/support.js';
import {
  createPostgresSchema,
  type PostgresSchema,
  postgresProbe,
  postgresSuiteTitle,
} from '../storage/support.js';
import { type AppProcess, type StartAppOptions, startApp } from '../support/appProcess.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';
import type { FakeSocketMode } from '../support/fakeSocketMode.js';
import { buildSlashCommand } from '../support/slackRequests.js';

const APP_TOKEN = 'xapp-1-A0FAKEAPP1-1234567890-socketmodetoken';
const CHANNEL = 'C0SOCKET02';
const USER = 'U0SOCKET02';

interface SocketRunning {
  fake: FakeSlack;
  socket: FakeSocketMode;
  app: AppProcess | undefined;
  dir: string;
}

let running: SocketRunning | undefined;

afterEach(async () => {
  if (!running) return;
  await running.app?.kill();
  await running.fake.close();
  rmSync(running.dir, { recursive: true, force: true });
  running = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fake Slack with Socket Mode on, and the app's settings for it; the app is started by `start`. */
async function socketSlack(): Promise<SocketRunning> {
  const fake = await startFakeSlack();
  const socket = fake.enableSocketMode(APP_TOKEN);
  fake.addChannel(CHANNEL, { member: true });
  running = {
    fake,
    socket,
    app: undefined,
    dir: mkdtempSync(path.join(tmpdir(), 'ftrag-socket-stop-')),
  };
  return running;
}

function start(
  slack: SocketRunning,
  env: Record<string, string> = {},
  options: StartAppOptions = {},
): Promise<AppProcess> {
  return startApp(
    {
      SLACK_BOT_TOKEN: slack.fake.botToken,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: slack.fake.apiUrl,
      DATABASE_URL: `sqlite:${path.join(slack.dir, 'ftrag.db')}`,
      LOG_LEVEL: 'info',
      ...env,
    },
    // Before the fix a first signal during start did nothing; don't wait the default 10 s for it.
    { stopTimeoutMs: 5_000, ...options },
  ).then((app) => {
    slack.app = app;
    return app;
  });
}

/** `/ftrag` over the socket; resolves with the ack. */
function slashCommand(slack: SocketRunning, text: string) {
  return slack.socket.send(
    'slash_commands',
    buildSlashCommand({
      command: '/ftrag',
      text,
      channelId: CHANNEL,
      user: USER,
      triggerId: slack.fake.issueTriggerId({ userId: USER }),
    }),
  );
}

async function requestsInFlight(app: AppProcess): Promise<number> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  return sample(text, 'ftrag_in_flight', { what: 'requests' });
}

describe('graceful shutdown in Socket Mode', () => {
  it('waits for an envelope still in its listener (views.open after the ack), then exits 0', async () => {
    const slack = await socketSlack();
    const app = await start(slack);
    await slack.socket.connected();
    const held = slack.fake.holdNext('views.open');
    const acked = slashCommand(slack, 'Opened while stopping');
    await held.arrived;
    expect((await acked).payload ?? {}).toEqual({});
    expect(await requestsInFlight(app)).toBe(1);

    const exit = app.stop('SIGTERM');
    await app.waitForLog('shutting down');
    await sleep(300);
    // Still running: the listener's views.open has no answer yet, and the database stays open.
    expect(app.exited()).toBeUndefined();

    held.release();
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(slack.fake.callsTo('views.open').at(-1)?.response?.ok).toBe(true);
    const lines = logLines(app);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(lines.map((line) => line.msg)).toContain('stopped');
    expect(lines.find((line) => line.msg === 'slack request')).toMatchObject({
      kind: 'slash_command',
    });
  });

  it('gives up on an envelope after SHUTDOWN_TIMEOUT_MS and says so', async () => {
    const slack = await socketSlack();
    const app = await start(slack, { SHUTDOWN_TIMEOUT_MS: '500' });
    await slack.socket.connected();
    const held = slack.fake.holdNext('views.open');
    void slashCommand(slack, 'Never opened').catch(() => undefined);
    await held.arrived;

    const started = performance.now();
    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(4_000);
    held.release();
    expect(
      logLines(app).find((line) => String(line.msg).startsWith('shutdown timeout reached')),
    ).toMatchObject({ requests: 1, deliveries: 0 });
  });
});

describe('a signal while Socket Mode is still connecting', () => {
  it('stops at once (closing the database and the socket client) and exits 0', async () => {
    const slack = await socketSlack();
    // WebSocket traffic blocked: the app's connection attempt is never answered.
    const hold = slack.socket.holdConnections();
    // /metrics answers while the app waits for its socket; /healthz would not say 200.
    const app = await start(slack, {}, { healthPath: '/metrics' });
    await hold.arrived;
    await sleep(200);

    const started = performance.now();
    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(3_000);
    const lines = logLines(app);
    const messages = lines.map((line) => line.msg);
    expect(messages).toContain('stopping before the start finished');
    expect(messages).toContain('stopped');
    expect(messages).not.toContain('ftrag is running in Socket Mode');
    // Cutting the connection attempt short is this stop's doing, not an error.
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(app.stderr()).not.toContain('could not start');
  });

  it('also on Ctrl-C (SIGINT)', async () => {
    const slack = await socketSlack();
    const hold = slack.socket.holdConnections();
    const app = await start(slack, {}, { healthPath: '/metrics' });
    await hold.arrived;
    const started = performance.now();
    expect(await app.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

/** The Share modal submitted for `reviewId`, to the channel the test has. */
function shareSubmission(slack: SocketRunning, reviewId: string) {
  const team = slack.fake.teamId;
  return {
    type: 'view_submission',
    team: { id: team, domain: 'fake' },
    user: { id: USER, username: 'socket-user', name: 'socket-user', team_id: team },
    api_app_id: slack.fake.appId,
    token: 'verification-token',
    trigger_id: slack.fake.issueTriggerId({ userId: USER }),
    view: {
      id: 'V0SHARE0001',
      hash: '1700000000.share',
      type: 'modal',
      team_id: team,
      callback_id: CallbackId.shareReview,
      private_metadata: JSON.stringify({ reviewId }),
      state: {
        values: {
          [BlockId.shareChannel]: {
            [ActionId.shareChannel]: {
              type: 'conversations_select',
              selected_conversation: CHANNEL,
            },
          },
        },
      },
    },
    response_urls: [],
  };
}

/** Resolves once a query on the `reviews` table is waiting for `locker`'s lock. */
async function someoneWaitsFor(locker: pg.Client): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { rows } = await locker.query<{ waiting: string }>(
      "select count(*) as waiting from pg_locks where relation = 'reviews'::regclass and not granted",
    );
    if (Number(rows[0]?.waiting) > 0) return;
    if (Date.now() > deadline) throw new Error('no query waited for the lock on reviews');
    await sleep(20);
  }
}

describe.skipIf(!postgresProbe.available)(
  postgresSuiteTitle(
    'graceful shutdown in Socket Mode, a listener reading the database before ack',
  ),
  () => {
    let schema: PostgresSchema | undefined;
    let locker: pg.Client | undefined;

    afterEach(async () => {
      await locker?.end().catch(() => undefined);
      locker = undefined;
      await schema?.drop();
      schema = undefined;
    });

    it('keeps the socket open until the envelope has its ack, then closes it and exits 0', async () => {
      schema = await createPostgresSchema();
      const slack = await socketSlack();
      const app = await start(slack, { DATABASE_URL: schema.url });
      await slack.socket.connected();

      // A real lock, as a slow transaction or a migration elsewhere would hold: Share's read of the
      // review (answered inside ack(), since a refusal goes in the ack) waits for it.
      locker = new pg.Client({ connectionString: schema.url });
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table reviews in access exclusive mode');
      const answered = slack.socket.send('interactive', shareSubmission(slack, 'R0GONE0001')).then(
        (ack) => ({ ack }),
        (error: unknown) => ({ failed: String(error) }),
      );
      await someoneWaitsFor(locker);

      const exit = app.stop('SIGTERM');
      await app.waitForLog('shutting down');
      await sleep(300);
      // Still connected: the envelope's ack can only go over this socket.
      expect(slack.socket.isConnected).toBe(true);
      expect(app.exited()).toBeUndefined();
      // Slack keeps sending on an open connection; what arrives meanwhile is answered too.
      const help = await slashCommand(slack, 'help');
      expect(JSON.stringify(help.payload)).toContain('ephemeral');

      await locker.query('commit');
      const outcome = await answered;
      expect(outcome).toMatchObject({ ack: { payload: { response_action: 'update' } } });
      expect(JSON.stringify(outcome)).toContain('That review no longer exists');
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(slack.socket.isConnected).toBe(false);
      const lines = logLines(app);
      expect(lines.filter((line) => line.level === 'error')).toEqual([]);
      const requests = lines.filter((line) => line.msg === 'slack request');
      expect(requests.map((line) => line.kind).sort()).toEqual([
        'slash_command',
        'view_submission',
      ]);
    });
  },
);
