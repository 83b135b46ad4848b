import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Installation } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_SCOPES } from '../../src/constants.js';
import { answersSchema, normalizeAnswers } from '../../src/decision/answers.js';
import { decide } from '../../src/decision/index.js';
import { NOT_INSTALLED } from '../../src/listeners/deliverySweep.js';
import { createStorage, openDatabase, TokenSealer } from '../../src/storage/index.js';
import { startApp } from '../support/appProcess.js';
import type { JsonObject } from '../support/json.js';
import { repoRoot } from '../support/paths.js';
import { unixSeconds } from '../support/signing.js';
import {
  appHomeOpenedEvent,
  appMentionEvent,
  appUninstalledEvent,
  buildEventCallback,
  fillAndSubmit,
  tokensRevokedEvent,
} from '../support/slackRequests.js';
import { E2e, EXAMPLES, LOG_MARK_TEAM, valuesForStep } from './harness.js';

const CLIENT_ID = '1234567890.0987654321';
const CLIENT_SECRET = 'e2e-client-secret';
const TEAM = { teamId: 'T0INSTALL1', teamDomain: 'installed' };
const INSTALLER = 'U0INSTALLR';
// Tokens are stored encrypted, as in production.
const TOKEN_KEY = Buffer.alloc(32, 42);
const openStorage = () =>
  createStorage(e2e.databaseUrl, undefined, { tokenSealer: new TokenSealer(TOKEN_KEY) });

let e2e: E2e;

beforeAll(async () => {
  e2e = await E2e.start({
    instances: 0,
    env: {
      SLACK_BOT_TOKEN: '',
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: 'e2e-state-secret-that-is-long-enough',
      TOKEN_ENCRYPTION_KEY: TOKEN_KEY.toString('base64'),
      // Warnings are part of what some tests check.
      LOG_LEVEL: 'warn',
    },
  });
  e2e.fake.setOAuthClient(CLIENT_ID, CLIENT_SECRET);
  await e2e.startInstance();
});

afterAll(async () => {
  await e2e?.close();
});

/** Slack's install page, up to the redirect back to ftrag: what the browser is sent to next. */
async function redirectBack(
  base = e2e.apps[0]?.baseUrl ?? '',
): Promise<{ url: string; cookie: string; code: string }> {
  const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
  const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const code = e2e.fake.issueOAuthCode({
    teamId: TEAM.teamId,
    userId: INSTALLER,
    scopes: BOT_SCOPES.join(','),
  });
  return {
    url: `${base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
    cookie,
    code,
  };
}

async function install(): Promise<string> {
  const base = e2e.apps[0]?.baseUrl ?? '';
  const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location') ?? '');
  // The consent page is on the host of the configured Web API (GovSlack's is not slack.com).
  expect(authorize.origin).toBe(new URL(e2e.fake.apiUrl).origin);
  expect(authorize.pathname).toBe('/oauth/v2/authorize');
  expect(authorize.searchParams.get('scope')?.split(',')).toEqual([...BOT_SCOPES]);
  const state = authorize.searchParams.get('state') ?? '';
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  const code = e2e.fake.issueOAuthCode({
    teamId: TEAM.teamId,
    userId: INSTALLER,
    scopes: BOT_SCOPES.join(','),
  });
  const before = e2e.fake.calls.length;
  const done = await fetch(
    `${base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
    {
      headers: { cookie },
      redirect: 'manual',
    },
  );
  expect(done.status).toBeLessThan(400);
  const exchange = e2e.fake.calls.slice(before).find((call) => call.method === 'oauth.v2.access');
  const token =
    exchange &&
    typeof exchange.response === 'object' &&
    exchange.response &&
    'access_token' in exchange.response
      ? String(exchange.response.access_token)
      : '';
  expect(token).toMatch(/^xoxb-/);
  return token;
}

describe('many workspaces through Slack’s OAuth install flow', () => {
  it('installs, serves the workspace with its own token, and forgets the token on uninstall and revoke', async () => {
    const token = await install();

    const channel = 'C0INSTALL1';
    e2e.fake.addChannel(channel, { member: true });
    const before = e2e.fake.calls.length;
    const trigger = e2e.fake.issueTriggerId({ userId: INSTALLER });
    const command = await e2e.slack().slashCommand({
      command: '/ftrag',
      text: 'Installed review',
      channelId: channel,
      user: INSTALLER,
      workspace: TEAM,
      triggerId: trigger,
      responseUrl: e2e.fake.newResponseUrl({ channel }),
    });
    expect(command.status).toBe(200);
    const opened = await e2e.fake.waitFor('views.open', (call) => call.index >= before);
    expect(opened.token).toBe(token);
    // What the database holds does not show the token.
    const raw = await openDatabase(e2e.databaseUrl);
    try {
      const rows = await raw.db.selectFrom('installations').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);
    } finally {
      await raw.close();
    }

    // Both events, in either order, any number of times.
    for (const event of [
      tokensRevokedEvent({ bot: ['U0FAKEBOT1'] }),
      appUninstalledEvent(),
      appUninstalledEvent(),
    ]) {
      const response = await e2e.slack().event(buildEventCallback(event, { workspace: TEAM }));
      expect(response.status).toBe(200);
    }
    const storage = await openStorage();
    try {
      await expect
        .poll(() =>
          storage.installations
            .fetchInstallation({
              teamId: TEAM.teamId,
              enterpriseId: undefined,
              isEnterpriseInstall: false,
            })
            .then(
              () => 'found',
              () => 'gone',
            ),
        )
        .toBe('gone');
    } finally {
      await storage.close();
    }

    const afterUninstall = e2e.fake.calls.length;
    await e2e.slack().slashCommand({
      command: '/ftrag',
      text: 'After uninstall',
      channelId: channel,
      user: INSTALLER,
      workspace: TEAM,
      triggerId: e2e.fake.issueTriggerId({ userId: INSTALLER }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      e2e.fake.calls.slice(afterUninstall).filter((call) => call.method === 'views.open'),
    ).toEqual([]);
  });
});

describe('late, retried and user-token revocations', () => {
  const channel = 'C0REVOKED1';

  /** Whether the workspace's installation is stored. */
  async function installed(): Promise<boolean> {
    const storage = await openStorage();
    try {
      return await storage.installations
        .fetchInstallation({
          teamId: TEAM.teamId,
          enterpriseId: undefined,
          isEnterpriseInstall: false,
        })
        .then(
          () => true,
          () => false,
        );
    } finally {
      await storage.close();
    }
  }

  /** Sends the workspace's events, one at a time, each answered 200. */
  async function send(events: JsonObject[], eventTime?: number): Promise<void> {
    for (const event of events) {
      const envelope = buildEventCallback(event, { workspace: TEAM, eventTime });
      const response = await e2e.slack().event(envelope);
      expect(response.status).toBe(200);
    }
  }

  /** A command in the workspace opens the modal with `token`. */
  async function commandWorks(token: string): Promise<void> {
    const before = e2e.fake.calls.length;
    const command = await e2e.slack().slashCommand({
      command: '/ftrag',
      text: 'Still installed',
      channelId: channel,
      user: INSTALLER,
      workspace: TEAM,
      triggerId: e2e.fake.issueTriggerId({ userId: INSTALLER }),
      responseUrl: e2e.fake.newResponseUrl({ channel }),
    });
    expect(command.status).toBe(200);
    const opened = await e2e.fake.waitFor('views.open', (call) => call.index >= before);
    expect(opened.token).toBe(token);
  }

  beforeAll(() => {
    e2e.fake.addChannel(channel, { member: true });
  });

  it('keeps the installation when tokens_revoked names only user tokens', async () => {
    const token = await install();
    await send([tokensRevokedEvent({ bot: [], oauth: [INSTALLER] })]);
    // Let the app handle the event before the command needs the installation.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await installed()).toBe(true);
    await commandWorks(token);

    // The bot's token revoked, later: the installation goes.
    await send([tokensRevokedEvent({ bot: ['U0FAKEBOT1'] })]);
    await expect.poll(installed).toBe(false);
  });

  it('keeps a reinstall when the uninstall’s events arrive after it, late or retried', async () => {
    await install();
    const uninstalledAt = unixSeconds();
    await send([appUninstalledEvent()], uninstalledAt);
    await expect.poll(installed).toBe(false);
    // Slack's event times are whole seconds: reinstall in a later one.
    await new Promise((resolve) => setTimeout(resolve, 1_010 - (Date.now() % 1_000)));

    const token = await install();
    // Slack's tokens_revoked for that uninstall, then the uninstall again (a retry), both late.
    await send([tokensRevokedEvent({ bot: ['U0FAKEBOT1'] }), appUninstalledEvent()], uninstalledAt);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await installed()).toBe(true);
    await commandWorks(token);

    // An uninstall after the reinstall removes it.
    await send([appUninstalledEvent()]);
    await expect.poll(installed).toBe(false);
  });
});

describe('an install while Slack is down', () => {
  it('shows the person an error within seconds rather than retrying for half an hour', async () => {
    // As many failures as one exchange tries (with the installer's default of ten retries over
    // half an hour, the fifth try would get through, and much later).
    e2e.fake.failNext('oauth.v2.access', { status: 503 }, 4);
    const before = e2e.fake.calls.length;
    const { url, cookie } = await redirectBack();
    const done = await fetch(url, {
      headers: { cookie },
      redirect: 'manual',
      signal: AbortSignal.timeout(20_000),
    });
    expect(done.status).toBeGreaterThanOrEqual(400);
    // The first try and the client's 3 retries, as for every other Web API call.
    const exchanges = e2e.fake.calls.slice(before).filter((c) => c.method === 'oauth.v2.access');
    expect(exchanges).toHaveLength(4);
  });
});

describe('a workspace without a usable installation', () => {
  const GONE = { teamId: 'T0GONE0001', teamDomain: 'gone' };
  const USER = 'U0GONEUSER';
  const NOT_INSTALLED =
    ":warning: ftrag isn't installed in this workspace any more, or its installation can't be " +
    "read: a workspace admin can install it again from the app's install page (/slack/install " +
    "on the app's host).";
  /** The app's log lines since `from` (a length of e2e.logs()) that name `teamId`. */
  const linesAbout = (teamId: string, from: number) =>
    e2e
      .logs()
      .slice(from)
      .split('\n')
      .filter((line) => line.includes(teamId) && !line.includes('"msg":"slack request"'));

  it('answers a command through its response_url, with one warning and no token calls', async () => {
    const channel = 'C0GONE0001';
    const responseUrl = e2e.fake.newResponseUrl({ channel });
    const logsBefore = e2e.logs().length;
    const before = e2e.fake.calls.length;
    const response = await e2e.slack().slashCommand({
      command: '/ftrag',
      text: 'A review',
      channelId: channel,
      user: USER,
      workspace: GONE,
      triggerId: e2e.fake.issueTriggerId({ userId: USER }),
      responseUrl,
    });
    expect(response.status).toBe(200);
    expect(response.bodyText).toBe('');
    await expect.poll(() => e2e.fake.responseUrlPostsTo(responseUrl).length).toBe(1);
    expect(e2e.fake.responseUrlPostsTo(responseUrl)[0]?.body).toEqual({
      response_type: 'ephemeral',
      text: NOT_INSTALLED,
      replace_original: false,
      unfurl_links: false,
      unfurl_media: false,
    });

    // App Home and a mention have no response_url: nothing can reach the person, and nothing is
    // tried without a token.
    for (const event of [
      appHomeOpenedEvent({ user: USER }),
      appMentionEvent({ user: USER, channel, text: '<@U0FAKEBOT1> review', teamId: GONE.teamId }),
    ]) {
      const answer = await e2e.slack().event(buildEventCallback(event, { workspace: GONE }));
      expect(answer.status).toBe(200);
    }
    await expect.poll(() => linesAbout(GONE.teamId, logsBefore).length).toBe(3);
    expect(e2e.fake.calls.slice(before).map((call) => call.method)).toEqual([]);
    const lines = linesAbout(GONE.teamId, logsBefore);
    for (const line of lines) {
      expect(line).toContain('"level":"warn"');
      expect(line).toContain(`team=${GONE.teamId}`);
      expect(line).toContain('No installation found');
      expect(line).not.toMatch(/\\n\s+at /);
    }
    // Bolt's own warning, which names no workspace, is not logged at this level.
    expect(e2e.logs().slice(logsBefore)).not.toContain('Authorization of incoming event');
  });

  it('keeps a submitted modal open with the explanation, not acked as if it had succeeded', async () => {
    await install();
    const channel = 'C0INSTALL1';
    e2e.fake.addChannel(channel, { member: true });
    const before = e2e.fake.calls.length;
    await e2e.slack().slashCommand({
      command: '/ftrag',
      text: 'Before the uninstall',
      channelId: channel,
      user: INSTALLER,
      workspace: TEAM,
      triggerId: e2e.fake.issueTriggerId({ userId: INSTALLER }),
      responseUrl: e2e.fake.newResponseUrl({ channel }),
    });
    const modal = await e2e.openedModal(before);
    const storage = await openStorage();
    try {
      await storage.installations.deleteWorkspaceTokens(TEAM.teamId, null);
    } finally {
      await storage.close();
    }

    const payload = fillAndSubmit(modal, valuesForStep(modal, EXAMPLES.knowledge, {}), {
      workspace: TEAM,
      user: INSTALLER,
    });
    const response = await e2e.slack().interactive(payload);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ response_action: 'errors' });
    const applied = e2e.fake.applyViewResponse(modal.id, response.json ?? null);
    expect(applied).toMatchObject({ ok: true, action: 'errors' });
    expect(e2e.fake.view(modal.id)?.open).toBe(true);
    const errors = Object.values((response.json as { errors: Record<string, string> }).errors);
    expect(errors).toEqual([
      "ftrag isn't installed in this workspace any more, or its installation can't be read: a " +
        "workspace admin can install it again from the app's install page (/slack/install on " +
        "the app's host).",
    ]);
  });
});

describe('an install that does not finish', () => {
  /** The length of e2e.logs() once all the app logged so far is in it. */
  async function settledLogs(): Promise<number> {
    await e2e.settleLogs();
    return e2e.logs().length;
  }
  /** What the app logged between two lengths of e2e.logs(), request lines and marks aside. */
  const logsBetween = (from: number, to: number) =>
    e2e
      .logs()
      .slice(from, to)
      .split('\n')
      .filter(
        (line) =>
          line !== '' && !line.includes('"msg":"slack request"') && !line.includes(LOG_MARK_TEAM),
      );
  const base = () => e2e.apps[0]?.baseUrl ?? '';

  it('says a cancel on Slack’s consent page installed nothing, and logs nothing', async () => {
    const { url, cookie } = await redirectBack();
    const state = new URL(url).searchParams.get('state') ?? '';
    const from = await settledLogs();
    const done = await fetch(
      `${base()}/slack/oauth_redirect?error=access_denied&state=${encodeURIComponent(state)}`,
      { headers: { cookie }, redirect: 'manual' },
    );
    expect(done.status).toBe(200);
    expect(done.headers.get('content-type')).toContain('text/html');
    expect(await done.text()).toContain('Installation cancelled — nothing was installed.');
    expect(logsBetween(from, await settledLogs())).toEqual([]);
  });

  it('sends a link opened in another browser (or expired) back to the install page', async () => {
    const { url } = await redirectBack();
    const from = await settledLogs();
    // Without the browser's state cookie.
    const done = await fetch(url, { redirect: 'manual' });
    expect(done.status).toBe(400);
    expect(await done.text()).toContain(
      'This install link expired or was opened in another browser: start again from ' +
        '<a href="/slack/install">/slack/install</a> within 10 minutes.',
    );
    const lines = logsBetween(from, await settledLogs());
    expect(lines.filter((line) => /"level":"(warn|error)"/.test(line))).toEqual([]);
  });

  it('names any other failure’s code, escapes what the request said, and logs one warning', async () => {
    const from = await settledLogs();
    const done = await fetch(
      `${base()}/slack/oauth_redirect?error=${encodeURIComponent('<b>"odd"</b>')}`,
      { redirect: 'manual' },
    );
    expect(done.status).toBe(400);
    const html = await done.text();
    expect(html).toContain(
      'The installation did not finish (slack_oauth_missing_code; Slack answered ' +
        '&lt;b&gt;&quot;odd&quot;&lt;/b&gt;).',
    );
    expect(html).not.toContain('<b>');
    const lines = logsBetween(from, await settledLogs());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"level":"warn"');
    expect(lines[0]).toContain('install did not finish (slack_oauth_missing_code');
  });
});

describe('tokens at rest', () => {
  it('warns at start when workspace tokens would be stored unencrypted', async () => {
    const { TOKEN_ENCRYPTION_KEY: _key, ...withoutKey } = e2e.env;
    const plain = await startApp({ ...withoutKey, LOG_LEVEL: 'warn' });
    try {
      await plain.waitForLog(/workspace tokens are stored unencrypted: set TOKEN_ENCRYPTION_KEY/);
    } finally {
      await plain.stop();
    }
  });

  it('does not start without the key once installations are stored encrypted', async () => {
    await install();
    try {
      const { TOKEN_ENCRYPTION_KEY: _key, ...withoutKey } = e2e.env;
      const failure = await startApp({ ...withoutKey, LOG_LEVEL: 'warn' }).then(
        async (started) => {
          await started.stop();
          return 'started';
        },
        (error: unknown) => String(error),
      );
      expect(failure).toMatch(/exited before it was ready \(code 1/);
      expect(failure).toContain(
        'ftrag could not start: 1 workspace installation(s) are stored encrypted, but TOKEN_ENCRYPTION_KEY is not set',
      );
    } finally {
      // The sealed installation would stop the other tests' keyless starts too.
      const storage = await openStorage();
      try {
        await storage.installations.deleteWorkspaceTokens(TEAM.teamId, null);
      } finally {
        await storage.close();
      }
    }
  });
});

describe('debug logs of an install', () => {
  it('show neither the client secret nor the OAuth code', async () => {
    const debug = await startApp({ ...e2e.env, LOG_LEVEL: 'debug' });
    try {
      const { url, cookie, code } = await redirectBack(debug.baseUrl);
      const done = await fetch(url, { headers: { cookie }, redirect: 'manual' });
      expect(done.status).toBe(200);
      // Once stopped, all it logged is in: lines come through stdout, maybe after the answer.
      await debug.stop();
      const logs = debug.logs();
      // The WebClient's line with oauth.v2.access's arguments is there, masked.
      expect(logs).toContain('\\"client_secret\\":\\"[secret]\\"');
      expect(logs).not.toContain(CLIENT_SECRET);
      expect(logs).not.toContain(code);
    } finally {
      await debug.stop();
      // A stored installation would change what the key tests below find at start.
      const storage = await openStorage();
      try {
        await storage.installations.deleteWorkspaceTokens(TEAM.teamId, null);
      } finally {
        await storage.close();
      }
    }
  });
});

describe('token keys that open no installation', () => {
  const OTHER_KEY = Buffer.alloc(32, 43);
  // As the README defines a key's id: the first 8 hex digits of its bytes' SHA-256.
  const idOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);
  const installation = (teamId: string): Installation<'v2', false> => ({
    team: { id: teamId, name: teamId },
    enterprise: undefined,
    user: { id: INSTALLER, token: undefined, scopes: undefined },
    bot: {
      token: `xoxb-${teamId}`,
      scopes: [...BOT_SCOPES],
      id: 'B0KEYS0001',
      userId: 'U0KEYSBOT1',
    },
    appId: 'A0FAKEAPP1',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  });
  /** Stores each team's installation sealed with its key, runs `body`, then deletes them. */
  async function withInstallations(sealedWith: [string, Buffer][], body: () => Promise<void>) {
    for (const [teamId, key] of sealedWith) {
      const storage = await createStorage(e2e.databaseUrl, undefined, {
        tokenSealer: new TokenSealer(key),
      });
      try {
        await storage.installations.storeInstallation(installation(teamId));
      } finally {
        await storage.close();
      }
    }
    try {
      await body();
    } finally {
      const storage = await openStorage();
      try {
        for (const [teamId] of sealedWith) {
          await storage.installations.deleteWorkspaceTokens(teamId, null);
        }
      } finally {
        await storage.close();
      }
    }
  }

  it('does not start when none opens, naming both settings and the key ids found and configured', async () => {
    await withInstallations([['T0SEALED01', OTHER_KEY]], async () => {
      const failure = await startApp({ ...e2e.env, LOG_LEVEL: 'warn' }).then(
        async (started) => {
          await started.stop();
          return 'started';
        },
        (error: unknown) => String(error),
      );
      expect(failure).toMatch(/exited before it was ready \(code 1/);
      const line = failure.split('\n').find((text) => text.startsWith('ftrag could not start:'));
      expect(line).toContain('TOKEN_ENCRYPTION_KEY');
      expect(line).toContain('TOKEN_ENCRYPTION_PREVIOUS_KEYS');
      expect(line).toContain(`sealed with key id ${idOf(OTHER_KEY)}`);
      expect(line).toContain(`TOKEN_ENCRYPTION_KEY has id ${idOf(TOKEN_KEY)}`);
      for (const key of [OTHER_KEY, TOKEN_KEY]) {
        expect(failure).not.toContain(key.toString('base64'));
        expect(failure).not.toContain(key.toString('hex'));
      }
    });
  });

  it('tells a person of a workspace whose installation does not open how to install again', async () => {
    await withInstallations([['T0SEALED03', OTHER_KEY]], async () => {
      const workspace = { teamId: 'T0SEALED03', teamDomain: 'sealed' };
      const responseUrl = e2e.fake.newResponseUrl({ channel: 'C0SEALED03' });
      const logsBefore = e2e.logs().length;
      const response = await e2e.slack().slashCommand({
        command: '/ftrag',
        text: 'A review',
        channelId: 'C0SEALED03',
        user: 'U0SEALED03',
        workspace,
        triggerId: e2e.fake.issueTriggerId({ userId: 'U0SEALED03' }),
        responseUrl,
      });
      expect(response.status).toBe(200);
      await expect.poll(() => e2e.fake.responseUrlPostsTo(responseUrl).length).toBe(1);
      expect(e2e.fake.responseUrlPostsTo(responseUrl)[0]?.body).toMatchObject({
        text: expect.stringContaining("its installation can't be read: a workspace admin"),
      });
      // The line reaches the test through the app's stdout, maybe after the notice.
      const warningLine = () =>
        e2e
          .logs()
          .slice(logsBefore)
          .split('\n')
          .find((line) => line.includes('team=T0SEALED03'));
      await expect.poll(warningLine).toBeDefined();
      const warning = warningLine();
      expect(warning).toContain('"level":"warn"');
      expect(warning).toContain(`sealed with key ${idOf(OTHER_KEY)}`);
    });
  });

  it('starts when some open, with a warning naming the workspaces that do not', async () => {
    await withInstallations(
      [
        ['T0READABLE', TOKEN_KEY],
        ['T0SEALED02', OTHER_KEY],
      ],
      async () => {
        const started = await startApp({ ...e2e.env, LOG_LEVEL: 'warn' });
        try {
          const warning = await started.waitForLog(/"level":"warn"[^\n]*T0SEALED02[^\n]*/);
          expect(warning).toContain(idOf(OTHER_KEY));
          expect(warning).not.toContain('T0READABLE');
        } finally {
          await started.stop();
        }
      },
    );
  });
});

describe('the delivery sweep in many workspaces', () => {
  it('posts a pending review with its own workspace’s token, and marks one from a workspace without an installation failed', async () => {
    const token = await install();
    const channel = 'C0SWEEPOAU';
    e2e.fake.addChannel(channel, { member: true });
    // Saved ten minutes ago by an instance that stopped before posting them.
    const savedAt = new Date(Date.now() - 10 * 60_000);
    const storage = await createStorage(e2e.databaseUrl, () => savedAt, {
      tokenSealer: new TokenSealer(TOKEN_KEY),
    });
    const pending = (teamId: string, title: string, submissionKey: string) => {
      const answers = normalizeAnswers(answersSchema.parse({ ...EXAMPLES.knowledge, title }));
      return storage.reviews.createPending({
        submissionKey,
        teamId,
        enterpriseId: null,
        userId: INSTALLER,
        target: { channelId: channel, threadTs: null, broadcast: false, responseUrl: null },
        answers,
        decision: decide(answers),
      });
    };
    let installedId: string;
    let orphanId: string;
    try {
      installedId = (await pending(TEAM.teamId, 'Swept with its own token', 'V0SWEPTOWN')).review
        .id;
      orphanId = (await pending('T0NOTHERE1', 'Swept where not installed', 'V0SWEPTGONE')).review
        .id;
    } finally {
      await storage.close();
    }
    const statusOf = async (id: string, teamId: string) => {
      const reader = await openStorage();
      try {
        return await reader.reviews.get(teamId, id);
      } finally {
        await reader.close();
      }
    };

    const before = e2e.fake.calls.length;
    const index = await e2e.startInstance({
      DELIVERY_SWEEP_INTERVAL_MS: '500',
      DELIVERY_SWEEP_GRACE_MS: '0',
    });
    try {
      await expect
        .poll(async () => (await statusOf(installedId, TEAM.teamId))?.status, { timeout: 15_000 })
        .toBe('posted');
      await expect
        .poll(async () => (await statusOf(orphanId, 'T0NOTHERE1'))?.status, { timeout: 15_000 })
        .toBe('failed');
      expect((await statusOf(orphanId, 'T0NOTHERE1'))?.lastError).toBe(NOT_INSTALLED);

      const posts = e2e.fake.callsTo('chat.postMessage').filter((call) => call.index >= before);
      // The verdict and its thread reply, with the workspace's own token; nothing for the other.
      expect(posts.length).toBeGreaterThanOrEqual(2);
      expect(posts.map((call) => call.token)).toEqual(posts.map(() => token));
      const texts = e2e.fake.messages(channel).map((message) => message.text);
      expect(texts.some((text) => text.includes('Swept with its own token'))).toBe(true);
      expect(texts.some((text) => text.includes('Swept where not installed'))).toBe(false);
    } finally {
      await e2e.apps[index]?.stop();
    }
  }, 60_000);
});

describe('ftrag purge', () => {
  it('deletes one workspace’s reviews and leaves the others', async () => {
    const storage = await openStorage();
    try {
      const base = {
        enterpriseId: null,
        userId: 'U0PURGE001',
        target: { channelId: 'C0PURGE001', threadTs: null, broadcast: false, responseUrl: null },
        answers: EXAMPLES.knowledge,
      };
      const { decide } = await import('../../src/decision/index.js');
      const decision = decide(EXAMPLES.knowledge);
      for (const [teamId, key] of [
        ['T0PURGEME1', 'a'],
        ['T0PURGEME1', 'b'],
        ['T0KEEPME01', 'c'],
      ] as const) {
        await storage.reviews.createPending({ ...base, teamId, submissionKey: key, decision });
      }
    } finally {
      await storage.close();
    }
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'purge', ...args],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? '', DATABASE_URL: e2e.databaseUrl },
          encoding: 'utf8',
        },
      );
    const purged = run('--team', 'T0PURGEME1');
    expect(purged.stderr).toBe('');
    expect(purged.stdout).toBe('Deleted 2 reviews of workspace T0PURGEME1.\n');
    expect(purged.status).toBe(0);
    const again = run('--team', 'T0PURGEME1');
    expect(again.stdout).toBe(
      'No reviews of workspace T0PURGEME1 were found; nothing was deleted (is the team id right?).\n',
    );
    expect(again.status).toBe(0);
    const bad = run('--team', '<!channel>');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('is not a Slack team id');
    expect(run().status).toBe(2);
    // Two workspaces named: neither is purged (before, one form silently won).
    const twice = run('--team', 'T0KEEPME01', '--team=T0PURGEME1');
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('give one --team');
    expect(run('--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('usage') });
    // A mistyped SQLite path is not created (and reported as purged): it is refused.
    const nowhere = path.join(
      path.dirname(e2e.databaseUrl.slice('sqlite:'.length)),
      'typo',
      'x.db',
    );
    const missing = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'purge', '--team', 'T0KEEPME01'],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${nowhere}` },
        encoding: 'utf8',
      },
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`there is no database at ${nowhere}`);
    expect(existsSync(nowhere)).toBe(false);

    const after = await createStorage(e2e.databaseUrl);
    try {
      expect(
        (await after.reviews.list({ teamId: 'T0KEEPME01' }, { limit: 10, offset: 0 })).total,
      ).toBe(1);
    } finally {
      await after.close();
    }
  });
});
