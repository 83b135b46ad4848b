/**
 * Socket Mode end to end: the real app, started with an app-level token, asks the fake Web API
 * (SLACK_API_URL) for a connection, connects to the fake's Socket Mode server, and answers
 * envelopes there as it answers HTTP requests: acks first, the next step inside the ack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../src/constants.js';
import { type AppProcess, freePort, startApp } from '../support/appProcess.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';
import type { FakeSocketMode } from '../support/fakeSocketMode.js';
import { isRecord } from '../support/json.js';
import {
  appHomeOpenedEvent,
  buildEventCallback,
  buildSlashCommand,
  fillAndSubmit,
} from '../support/slackRequests.js';

const APP_TOKEN = 'xapp-1-A0FAKEAPP1-1234567890-socketmodetoken';
const CHANNEL = 'C0SOCKET01';
const USER = 'U0SOCKET01';

let fake: FakeSlack;
let socket: FakeSocketMode;
let app: AppProcess;
let dir = '';

beforeAll(async () => {
  fake = await startFakeSlack();
  socket = fake.enableSocketMode(APP_TOKEN);
  fake.addChannel(CHANNEL, { member: true });
  dir = mkdtempSync(path.join(tmpdir(), 'ftrag-socket-'));
  app = await startApp({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_API_URL: fake.apiUrl,
    DATABASE_URL: `sqlite:${path.join(dir, 'ftrag.db')}`,
    LOG_LEVEL: 'info',
  });
  await socket.connected();
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A metric without labels, read from the app's /metrics. */
async function metric(name: string): Promise<number | undefined> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('Socket Mode', () => {
  it('connects through SLACK_API_URL and serves /healthz on PORT', async () => {
    expect(socket.opened).toBe(1);
    expect(fake.callsTo('apps.connections.open')[0]?.token).toBe(APP_TOKEN);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/healthz`, { method: 'HEAD' })).status).toBe(200);
    await app.waitForLog(/"connections":1,"msg":"Socket Mode connected"/);
    expect(await metric('ftrag_socket_mode_connected')).toBe(1);
  });

  it('answers a path its HTTP server cannot parse with a 404, not a hang and a rejection', async () => {
    const { hostname, port } = new URL(app.baseUrl);
    // fetch() would resolve `//` first: sent as written.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ hostname, port, method: 'GET', path: '//' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.setTimeout(2000, () => req.destroy(new Error('no answer to GET //')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    expect(await metric('ftrag_unhandled_rejections_total')).toBe(0);
    expect(app.logs()).not.toContain('unhandled promise rejection');
  });

  it('answers a slash command and a checklist step over the socket', async () => {
    const before = fake.calls.length;
    const command = await socket.send(
      'slash_commands',
      buildSlashCommand({
        command: '/ftrag',
        text: 'Socket review',
        channelId: CHANNEL,
        user: USER,
        triggerId: fake.issueTriggerId({ userId: USER }),
      }),
    );
    expect(command.payload ?? {}).toEqual({});
    const opened = await fake.waitFor('views.open', (call) => call.index >= before);
    const viewId = isRecord(opened.response?.view) ? String(opened.response.view.id) : '';
    const modal = fake.view(viewId);
    if (!modal) throw new Error('no modal opened');
    expect(modal.view.callback_id).toBe(CallbackId.checklistStep);

    const step = await socket.send(
      'interactive',
      fillAndSubmit(
        modal,
        {
          [BlockId.title]: { [ActionId.title]: 'Socket review' },
          [BlockId.problem]: { [ActionId.problem]: 'It answers from last quarter' },
        },
        { user: USER },
      ),
    );
    expect(step.payload).toMatchObject({
      response_action: 'update',
      view: { callback_id: CallbackId.checklistStep },
    });
    expect(JSON.stringify(step.payload)).toContain(BlockId.promptTried);

    const line = await app.waitForLog(/"kind":"view_submission"[^\n]*"msg":"slack request"/);
    expect(line).toContain(`"user":"${USER}"`);
  });

  it('acknowledges an Events API envelope at once and publishes App Home', async () => {
    const before = fake.calls.length;
    const ack = await socket.send(
      'events_api',
      buildEventCallback(appHomeOpenedEvent({ user: USER })),
    );
    expect(ack.payload ?? {}).toEqual({});
    const published = await fake.waitFor(
      'views.publish',
      (call) => call.index >= before && call.args.user_id === USER,
    );
    expect(JSON.stringify(published.args.view)).toContain('Start a review');
  });
});

describe('Socket Mode connections that end', () => {
  // Bolt's Socket Mode client waits 5 s (its ping timeout) before it reconnects.
  const RECONNECT_TIMEOUT_MS = 20_000;

  /** A slash command over the current connection opens the checklist. */
  async function slashCommandOpensChecklist(text: string): Promise<void> {
    const before = fake.calls.length;
    await socket.send(
      'slash_commands',
      buildSlashCommand({
        command: '/ftrag',
        text,
        channelId: CHANNEL,
        user: USER,
        triggerId: fake.issueTriggerId({ userId: USER }),
      }),
    );
    const opened = await fake.waitFor('views.open', (call) => call.index >= before);
    expect(JSON.stringify(opened.args.view)).toContain(CallbackId.checklistStep);
  }

  it(
    'opens a new connection when Slack asks it to (refresh_requested) and answers on it',
    async () => {
      const connections = socket.connections;
      socket.askToReconnect('refresh_requested');
      await socket.connectedAtLeast(connections + 1);
      expect(fake.callsTo('apps.connections.open').at(-1)?.token).toBe(APP_TOKEN);
      await slashCommandOpensChecklist('After a refresh');
      expect(app.exited()).toBeUndefined();
      // Operators see what happened, in the log and in /metrics.
      await app.waitForLog(/"level":"warn"[^\n]*"msg":"Socket Mode connection closed/);
      await app.waitForLog(/"connections":2,"msg":"Socket Mode reconnected"/);
      expect(await metric('ftrag_socket_mode_connected')).toBe(1);
      expect(await metric('ftrag_socket_mode_reconnects_total')).toBe(1);
    },
    RECONNECT_TIMEOUT_MS,
  );

  it(
    'reconnects after the connection drops without a word, and answers events on the new one',
    async () => {
      const connections = socket.connections;
      socket.dropConnection();
      await socket.connectedAtLeast(connections + 1);
      const before = fake.calls.length;
      await socket.send('events_api', buildEventCallback(appHomeOpenedEvent({ user: USER })));
      await fake.waitFor('views.publish', (call) => call.index >= before);
      expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
      expect(app.exited()).toBeUndefined();
      expect(await metric('ftrag_socket_mode_reconnects_total')).toBe(2);
      // Said once, at warn; the client's own two lines say nothing and are kept at debug.
      await app.waitForLog(
        /"level":"warn"[^\n]*"msg":"Socket Mode connection lost: it closed without a close frame/,
      );
      expect(app.logs()).not.toMatch(/"level":"error"[^\n]*WebSocket error/);
    },
    RECONNECT_TIMEOUT_MS,
  );
});

describe('Socket Mode on a port that is taken', () => {
  it('does not start, and says which setting to change', async () => {
    // Something else answers there (not healthy), so the wait for ftrag's /healthz sees it exit.
    const taken = http.createServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const started = startApp(
        {
          SLACK_BOT_TOKEN: fake.botToken,
          SLACK_APP_TOKEN: APP_TOKEN,
          SLACK_API_URL: fake.apiUrl,
          DATABASE_URL: `sqlite:${path.join(dir, 'taken.db')}`,
          LOG_LEVEL: 'info',
        },
        { port, readyTimeoutMs: 15_000 },
      );
      const failure = await started.then(
        () => '',
        (error: unknown) => String(error),
      );
      expect(failure).toMatch(/exited before it was ready \(code 1/);
      expect(failure).toContain(`ftrag could not start: PORT ${port} is in use`);
      expect(failure).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('Socket Mode health', () => {
  const RECONNECT_TIMEOUT_MS = 20_000;
  let ownFake: FakeSlack | undefined;
  let ownApp: AppProcess | undefined;

  afterEach(async () => {
    await ownApp?.kill();
    await ownFake?.close();
    ownApp = undefined;
    ownFake = undefined;
  });

  async function healthz(baseUrl: string): Promise<number> {
    const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  }

  async function healthBecomes(baseUrl: string, status: number, withinMs = 5_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    while ((await healthz(baseUrl)) !== status) {
      if (Date.now() > deadline) throw new Error(`/healthz did not answer ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** An app on its own fake, whose first connection attempt waits for `release()`. */
  async function startHeld(name: string) {
    ownFake = await startFakeSlack();
    const ownSocket = ownFake.enableSocketMode(APP_TOKEN);
    const hold = ownSocket.holdConnections();
    // /metrics answers as soon as the app listens, before its socket is connected.
    ownApp = await startApp(
      {
        SLACK_BOT_TOKEN: ownFake.botToken,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: ownFake.apiUrl,
        DATABASE_URL: `sqlite:${path.join(dir, `${name}.db`)}`,
        LOG_LEVEL: 'info',
      },
      { healthPath: '/metrics' },
    );
    await hold.arrived;
    return { socket: ownSocket, app: ownApp, release: hold.release };
  }

  it('answers /healthz 503 until the socket is connected, then 200', async () => {
    const { socket: ownSocket, app: own, release } = await startHeld('health-start');
    const before = await fetch(`${own.baseUrl}/healthz`);
    expect(before.status).toBe(503);
    expect(await before.text()).toContain('not connected');

    release();
    await ownSocket.connected();
    await healthBecomes(own.baseUrl, 200);
  });

  it(
    'answers /healthz 503 while reconnecting, 200 once reconnected',
    async () => {
      const { socket: ownSocket, app: own, release } = await startHeld('health-reconnect');
      release();
      await ownSocket.connected();
      await healthBecomes(own.baseUrl, 200);

      const reconnect = ownSocket.holdConnections();
      ownSocket.dropConnection();
      // At once, not only once Bolt tries again (some 5 s later).
      await healthBecomes(own.baseUrl, 503, 2_000);
      await reconnect.arrived;
      expect(await healthz(own.baseUrl)).toBe(503);
      reconnect.release();
      await ownSocket.connectedAtLeast(2);
      await healthBecomes(own.baseUrl, 200);
    },
    RECONNECT_TIMEOUT_MS,
  );
});

describe('Socket Mode connection attempts that fail', () => {
  let ownFake: FakeSlack | undefined;
  let ownApp: AppProcess | undefined;

  afterEach(async () => {
    await ownApp?.kill();
    await ownFake?.close();
    ownApp = undefined;
    ownFake = undefined;
  });

  /** An app on its own fake, whose apps.connections.open hands out what `setUp` says. */
  async function startFailing(name: string, setUp: (socket: FakeSocketMode) => void) {
    ownFake = await startFakeSlack();
    const ownSocket = ownFake.enableSocketMode(APP_TOKEN);
    setUp(ownSocket);
    // /metrics answers as soon as the app listens; /healthz would say 503 until it connects.
    ownApp = await startApp(
      {
        SLACK_BOT_TOKEN: ownFake.botToken,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: ownFake.apiUrl,
        DATABASE_URL: `sqlite:${path.join(dir, `${name}.db`)}`,
        LOG_LEVEL: 'info',
      },
      { healthPath: '/metrics' },
    );
    return { socket: ownSocket, app: ownApp };
  }

  function logLinesOf(own: AppProcess): Record<string, unknown>[] {
    return own
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  function failures(own: AppProcess): Record<string, unknown>[] {
    return logLinesOf(own).filter((line) =>
      String(line.msg).startsWith('Socket Mode connection attempt failed'),
    );
  }

  async function failuresReach(own: AppProcess, count: number, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (failures(own).length < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} failed attempts logged`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('says why (code and message) once per attempt, at warn, without the app token or the URL', async () => {
    const closedPort = await freePort();
    const { socket: ownSocket, app: own } = await startFailing('refused', (socket) =>
      socket.handOutUrlsTo(`ws://127.0.0.1:${closedPort}`),
    );
    // The first attempt, and the client's next one some 5 s later.
    await failuresReach(own, 2, 15_000);
    expect(ownSocket.opened).toBe(2);
    const expected = {
      level: 'warn',
      code: 'ECONNREFUSED',
      msg: `Socket Mode connection attempt failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    };
    expect(failures(own)).toEqual([
      expect.objectContaining(expected),
      expect.objectContaining(expected),
    ]);
    expect(logLinesOf(own).filter((line) => line.level === 'error')).toEqual([]);
    expect(own.logs()).not.toContain(APP_TOKEN);
    expect(own.logs()).not.toContain('ticket');
  }, 30_000);

  it('says so when the handshake is refused (as Slack refuses a stale URL)', async () => {
    const { app: own } = await startFailing('handshake', (socket) => socket.refuseConnections());
    await failuresReach(own, 1, 10_000);
    expect(failures(own)[0]).toMatchObject({
      level: 'warn',
      status: 401,
      msg: 'Socket Mode connection attempt failed: the WebSocket handshake was answered HTTP 401',
    });
    expect(logLinesOf(own).filter((line) => line.level === 'error')).toEqual([]);
    expect(own.logs()).not.toContain('ticket');
  });
});
