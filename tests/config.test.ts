import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../src/config.js';
import { type RunResult, runTs } from './support/runTs.js';

type Env = Record<string, string | undefined>;

const BOT = 'xoxb-1111-2222-abcdef';
const APP = 'xapp-1-A111-2222-abcdef';
const SIGNING = '8f742231b10e8888abcd99yyyzzz85a5';
const OAUTH = {
  SLACK_CLIENT_ID: '1111.2222',
  SLACK_CLIENT_SECRET: 'client-secret-value',
  SLACK_STATE_SECRET: 'a-long-random-state-secret',
};

const socketEnv: Env = { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP };
const httpEnv: Env = { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING };
const oauthEnv: Env = { SLACK_SIGNING_SECRET: SIGNING, ...OAUTH };

const BOT_MISSING =
  'SLACK_BOT_TOKEN is missing: OAuth & Permissions → Bot User OAuth Token, starts with xoxb-';
const BOT_WRONG =
  'SLACK_BOT_TOKEN looks wrong: it should start with xoxb- (OAuth & Permissions → Bot User OAuth Token)';
const SIGNING_MISSING =
  'SLACK_SIGNING_SECRET is missing: Basic Information → App Credentials → Signing Secret ' +
  '(needed in HTTP mode; set SLACK_APP_TOKEN for Socket Mode instead)';
const APP_WRONG =
  'SLACK_APP_TOKEN looks wrong: it should start with xapp- ' +
  '(Basic Information → App-Level Tokens, with the connections:write scope)';

function problemsOf(env: Env): string[] {
  const result = parseConfig(env);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

function configOf(env: Env): Config {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(`expected a config, got:\n${result.problems.join('\n')}`);
  return result.config;
}

describe('parseConfig: one problem, one message', () => {
  const cases: { name: string; env: Env; problems: (string | RegExp)[] }[] = [
    {
      name: 'HTTP mode without a bot token',
      env: { SLACK_SIGNING_SECRET: SIGNING },
      problems: [BOT_MISSING],
    },
    {
      name: 'Socket Mode without a bot token',
      env: { SLACK_APP_TOKEN: APP },
      problems: [BOT_MISSING],
    },
    {
      name: 'a bot token without the xoxb- prefix',
      env: { ...socketEnv, SLACK_BOT_TOKEN: 'abc-123' },
      problems: [BOT_WRONG],
    },
    {
      name: 'a user token given as the bot token',
      env: { ...socketEnv, SLACK_BOT_TOKEN: 'xoxp-123' },
      problems: [`${BOT_WRONG}; this one looks like a user token (xoxp-)`],
    },
    {
      name: 'HTTP mode without a signing secret',
      env: { SLACK_BOT_TOKEN: BOT },
      problems: [SIGNING_MISSING],
    },
    {
      name: 'a token given as the signing secret',
      env: { ...httpEnv, SLACK_SIGNING_SECRET: BOT },
      problems: [
        'SLACK_SIGNING_SECRET looks wrong: it looks like a token, not a signing secret ' +
          '(Basic Information → App Credentials → Signing Secret)',
      ],
    },
    {
      name: 'an app token without the xapp- prefix',
      env: { ...socketEnv, SLACK_APP_TOKEN: 'app-123' },
      problems: [APP_WRONG],
    },
    {
      name: 'a bot token given as the app token',
      env: { ...socketEnv, SLACK_APP_TOKEN: BOT },
      problems: [`${APP_WRONG}; this one looks like a bot token (xoxb-)`],
    },
    {
      name: 'a PORT that is not a number',
      env: { ...socketEnv, PORT: 'abc' },
      problems: ['PORT must be a whole number from 0 to 65535, got "abc"'],
    },
    ...['65536', '-1', '3000.5', '80a', '1e3', '0x50'].map((port) => ({
      name: `PORT=${port}`,
      env: { ...socketEnv, PORT: port },
      problems: [`PORT must be a whole number from 0 to 65535, got "${port}"`],
    })),
    ...['mysql://db/ftrag', 'sqlite:', 'postgres://', 'ftrag.db', 'file:./ftrag.db'].map((url) => ({
      name: `DATABASE_URL=${url}`,
      env: { ...socketEnv, DATABASE_URL: url },
      problems: [/^DATABASE_URL must be sqlite:<path> .*sqlite::memory: .*postgres:\/\//],
    })),
    ...['999', '120001', '10s'].map((timeout) => ({
      name: `SLACK_CALL_TIMEOUT_MS=${timeout}`,
      env: { ...socketEnv, SLACK_CALL_TIMEOUT_MS: timeout },
      problems: [
        `SLACK_CALL_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 120000, got "${timeout}"`,
      ],
    })),
    ...['-1', '1.5', '120001', '5s'].map((delay) => ({
      name: `SHUTDOWN_DELAY_MS=${delay}`,
      env: { ...socketEnv, SHUTDOWN_DELAY_MS: delay },
      problems: [
        `SHUTDOWN_DELAY_MS must be a whole number of milliseconds from 0 to 120000, got "${delay}"`,
      ],
    })),
    ...['DELIVERY_SWEEP_INTERVAL_MS', 'DELIVERY_SWEEP_GRACE_MS'].flatMap((name) =>
      ['-1', '1.5', '86400001', '60s'].map((value) => ({
        name: `${name}=${value}`,
        env: { ...socketEnv, [name]: value },
        problems: [
          `${name} must be a whole number of milliseconds from 0 to 86400000, got "${value}"`,
        ],
      })),
    ),
    {
      name: 'an unknown LOG_LEVEL',
      env: { ...socketEnv, LOG_LEVEL: 'verbose' },
      problems: ['LOG_LEVEL must be one of debug, info, warn, error, got "verbose"'],
    },
    ...[
      'ftp://slack.example/api',
      'slack.com/api',
      'https://slack.example/api?x=1',
      'https://x/#a',
    ].map((url) => ({
      name: `SLACK_API_URL=${url}`,
      env: { ...socketEnv, SLACK_API_URL: url },
      problems: [/^SLACK_API_URL must be an http\(s\) base URL/],
    })),
    {
      name: 'only SLACK_CLIENT_ID of the OAuth trio',
      env: { ...httpEnv, SLACK_BOT_TOKEN: undefined, SLACK_CLIENT_ID: OAUTH.SLACK_CLIENT_ID },
      problems: [
        /^SLACK_CLIENT_SECRET is missing: Basic Information → App Credentials → Client Secret \(multi-workspace OAuth needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together/,
        /^SLACK_STATE_SECRET is missing: set it to any long random string you choose/,
      ],
    },
    {
      name: 'the OAuth trio without SLACK_CLIENT_ID',
      env: { ...oauthEnv, SLACK_CLIENT_ID: undefined },
      problems: [/^SLACK_CLIENT_ID is missing: Basic Information → App Credentials → Client ID \(/],
    },
    {
      name: 'OAuth together with an app token',
      env: { ...oauthEnv, SLACK_APP_TOKEN: APP },
      problems: [
        /^SLACK_APP_TOKEN cannot be combined with multi-workspace OAuth, which runs in HTTP mode only/,
      ],
    },
    {
      name: 'OAuth together with a fixed bot token',
      env: { ...oauthEnv, SLACK_BOT_TOKEN: BOT },
      problems: [/^SLACK_BOT_TOKEN must not be set in multi-workspace OAuth mode/],
    },
    {
      name: 'OAuth without a signing secret',
      env: { ...OAUTH },
      problems: [
        'SLACK_SIGNING_SECRET is missing: Basic Information → App Credentials → Signing Secret ' +
          '(needed in HTTP mode, which multi-workspace OAuth uses)',
      ],
    },
  ];

  it.each(cases)('$name', ({ env, problems }) => {
    const got = problemsOf(env);
    expect(got).toHaveLength(problems.length);
    problems.forEach((expected, i) => {
      expect(got[i]).toMatch(expected);
    });
  });
});

describe('parseConfig: reporting', () => {
  it('reports every problem together, one line each', () => {
    const got = problemsOf({
      SLACK_BOT_TOKEN: 'nope',
      PORT: 'abc',
      DATABASE_URL: 'mysql://db',
      LOG_LEVEL: 'loud',
      SLACK_API_URL: 'ftp://x',
    });
    expect(got).toHaveLength(6);
    for (const start of [
      'SLACK_BOT_TOKEN looks wrong',
      'PORT must be',
      'DATABASE_URL must be',
      'LOG_LEVEL must be',
      'SLACK_API_URL must be',
      'SLACK_SIGNING_SECRET is missing',
    ]) {
      expect(got.filter((line) => line.startsWith(start))).toHaveLength(1);
    }
    for (const line of got) expect(line).not.toContain('\n');
  });

  it('reports nothing-set as both credentials missing', () => {
    expect(problemsOf({})).toEqual([BOT_MISSING, SIGNING_MISSING]);
  });

  it('never echoes a secret value', () => {
    const secret = 'hunter2';
    const envs: Env[] = [
      {
        SLACK_BOT_TOKEN: `${secret}-bot`,
        SLACK_APP_TOKEN: `${secret}-app`,
        SLACK_SIGNING_SECRET: `xoxb-${secret}-signing`,
        DATABASE_URL: `mysql://user:${secret}@db/ftrag`,
        SLACK_API_URL: `ftp://user:${secret}@api.example/`,
      },
      { ...httpEnv, SLACK_BOT_TOKEN: `xoxp-${secret}`, SLACK_CLIENT_SECRET: `${secret}-client` },
      { ...oauthEnv, SLACK_BOT_TOKEN: `xoxb-${secret}`, SLACK_STATE_SECRET: `${secret}-state` },
      { ...oauthEnv, SLACK_APP_TOKEN: `xapp-${secret}`, SLACK_CLIENT_ID: undefined },
      { ...socketEnv, SLACK_API_URL: `https://user:${secret}@api.example/api?token=${secret}` },
    ];
    for (const env of envs) {
      const problems = problemsOf(env);
      expect(problems.length).toBeGreaterThan(0);
      for (const line of problems) expect(line).not.toContain(secret);
    }
  });
});

describe('parseConfig: token encryption keys', () => {
  const base64Key = Buffer.alloc(32, 7).toString('base64');
  const hexKey = Buffer.alloc(32, 9).toString('hex');

  it('takes a current key as base64 or hex, and previous keys separated by commas', () => {
    expect(configOf({ ...oauthEnv, TOKEN_ENCRYPTION_KEY: base64Key }).tokenKeys).toEqual({
      current: Buffer.alloc(32, 7),
      previous: [],
    });
    expect(
      configOf({
        ...oauthEnv,
        TOKEN_ENCRYPTION_KEY: hexKey,
        TOKEN_ENCRYPTION_PREVIOUS_KEYS: `${base64Key}, ${Buffer.alloc(32, 1).toString('hex')}`,
      }).tokenKeys,
    ).toEqual({
      current: Buffer.alloc(32, 9),
      previous: [Buffer.alloc(32, 7), Buffer.alloc(32, 1)],
    });
    expect(configOf(oauthEnv).tokenKeys).toBeNull();
  });

  it('refuses a key of the wrong size or format, naming the variable but not the value', () => {
    const short = Buffer.alloc(16, 3).toString('base64');
    expect(problemsOf({ ...oauthEnv, TOKEN_ENCRYPTION_KEY: short })).toEqual([
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEY must be 32 random bytes/),
    ]);
    const problems = problemsOf({
      ...oauthEnv,
      TOKEN_ENCRYPTION_KEY: base64Key,
      TOKEN_ENCRYPTION_PREVIOUS_KEYS: `${base64Key},not-a-key`,
    });
    expect(problems).toEqual([expect.stringMatching(/PREVIOUS_KEYS: key 2 of 2 is not 32/)]);
    expect(problems.join('\n')).not.toContain('not-a-key');
    expect(problemsOf({ ...oauthEnv, TOKEN_ENCRYPTION_PREVIOUS_KEYS: base64Key })).toEqual([
      expect.stringMatching(/needs TOKEN_ENCRYPTION_KEY/),
    ]);
  });
});

describe('parseConfig: defaults and normalization', () => {
  it('fills in the defaults', () => {
    expect(configOf(socketEnv)).toEqual({
      mode: 'socket',
      port: 3000,
      databaseUrl: 'sqlite:./data/ftrag.db',
      logLevel: 'info',
      metricsEnabled: true,
      shutdownTimeoutMs: 10_000,
      shutdownDelayMs: 0,
      slackCallTimeoutMs: 10_000,
      deliverySweep: { intervalMs: 60_000, graceMs: 30_000 },
      slack: { botToken: BOT, signingSecret: null, appToken: APP, apiUrl: null, oauth: null },
      tokenKeys: null,
    } satisfies Config);
  });

  it('reads the delivery sweep settings, 0 turning the sweep off', () => {
    expect(
      configOf({ ...socketEnv, DELIVERY_SWEEP_INTERVAL_MS: '0', DELIVERY_SWEEP_GRACE_MS: '1500' })
        .deliverySweep,
    ).toEqual({ intervalMs: 0, graceMs: 1_500 });
  });

  it('treats empty and blank values as missing', () => {
    const config = configOf({
      ...socketEnv,
      SLACK_SIGNING_SECRET: '',
      PORT: '',
      DATABASE_URL: '  ',
      LOG_LEVEL: '',
      SLACK_API_URL: ' ',
      SLACK_CLIENT_ID: '',
      SLACK_CLIENT_SECRET: ' ',
      SLACK_STATE_SECRET: '\t',
    });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('sqlite:./data/ftrag.db');
    expect(config.logLevel).toBe('info');
    expect(config.slack.signingSecret).toBeNull();
    expect(config.slack.apiUrl).toBeNull();
    expect(config.slack.oauth).toBeNull();
    expect(problemsOf({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: '   ' })).toEqual([
      SIGNING_MISSING,
    ]);
    expect(problemsOf({ SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: APP })).toEqual([BOT_MISSING]);
  });

  it('trims whitespace', () => {
    const config = configOf({
      SLACK_BOT_TOKEN: ` ${BOT}\n`,
      SLACK_APP_TOKEN: `\t${APP} `,
      PORT: ' 8080 ',
      DATABASE_URL: ' sqlite::memory: ',
      LOG_LEVEL: ' warn ',
    });
    expect(config.slack.botToken).toBe(BOT);
    expect(config.slack.appToken).toBe(APP);
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('sqlite::memory:');
    expect(config.logLevel).toBe('warn');
  });

  it.each([
    ['0', 0],
    ['65535', 65535],
    ['080', 80],
  ])('accepts PORT=%s', (port, expected) => {
    expect(configOf({ ...socketEnv, PORT: port }).port).toBe(expected);
  });

  it.each([
    'sqlite:./data/ftrag.db',
    'sqlite:/var/lib/ftrag/ftrag.db',
    'sqlite::memory:',
    'postgres://ftrag:pw@127.0.0.1:5432/ftrag',
    'postgresql://localhost/ftrag?sslmode=require',
  ])('accepts DATABASE_URL=%s', (url) => {
    expect(configOf({ ...socketEnv, DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it.each(['debug', 'info', 'warn', 'error'] as const)('accepts LOG_LEVEL=%s', (level) => {
    expect(configOf({ ...socketEnv, LOG_LEVEL: level }).logLevel).toBe(level);
    expect(configOf({ ...socketEnv, LOG_LEVEL: level.toUpperCase() }).logLevel).toBe(level);
  });

  it.each([
    ['https://slack-gov.com/api', 'https://slack-gov.com/api/'],
    ['https://slack-gov.com/api/', 'https://slack-gov.com/api/'],
    ['http://127.0.0.1:9999', 'http://127.0.0.1:9999/'],
    ['http://localhost:9999/fake/api', 'http://localhost:9999/fake/api/'],
  ])('normalizes SLACK_API_URL=%s to end with a slash', (url, expected) => {
    expect(configOf({ ...socketEnv, SLACK_API_URL: url }).slack.apiUrl).toBe(expected);
  });

  it('ignores unrelated variables and leaves its input alone', () => {
    const env: Env = { ...socketEnv, HOME: '/root', PATH: '/usr/bin', PORT: ' 4000 ' };
    const before = { ...env };
    expect(configOf(env).port).toBe(4000);
    expect(env).toEqual(before);
  });
});

describe('parseConfig: mode selection', () => {
  it('chooses Socket Mode when an app token is set, with the signing secret optional', () => {
    const withoutSecret = configOf(socketEnv);
    expect(withoutSecret.mode).toBe('socket');
    expect(withoutSecret.slack.signingSecret).toBeNull();
    const withSecret = configOf({ ...socketEnv, SLACK_SIGNING_SECRET: SIGNING });
    expect(withSecret.mode).toBe('socket');
    expect(withSecret.slack.signingSecret).toBe(SIGNING);
  });

  it('chooses HTTP mode without an app token', () => {
    const config = configOf(httpEnv);
    expect(config.mode).toBe('http');
    expect(config.slack).toEqual({
      botToken: BOT,
      signingSecret: SIGNING,
      appToken: null,
      apiUrl: null,
      oauth: null,
    });
  });

  it('chooses multi-workspace OAuth over HTTP when the trio is set, without a bot token', () => {
    const config = configOf(oauthEnv);
    expect(config.mode).toBe('http');
    expect(config.slack).toEqual({
      botToken: null,
      signingSecret: SIGNING,
      appToken: null,
      apiUrl: null,
      oauth: {
        clientId: OAUTH.SLACK_CLIENT_ID,
        clientSecret: OAUTH.SLACK_CLIENT_SECRET,
        stateSecret: OAUTH.SLACK_STATE_SECRET,
      },
    });
  });
});

describe('loadConfig in a real process', () => {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const fixture = path.join(repoRoot, 'tests/fixtures/load-config.ts');
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  // A fresh directory as cwd, so no developer's .env can leak in.
  async function emptyDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'ftrag-config-'));
    dirs.push(dir);
    return dir;
  }

  function run(cwd: string, env: Env): Promise<RunResult> {
    return runTs(fixture, [], { cwd, env: { PATH: process.env.PATH, ...env }, loader: tsxLoader });
  }

  it('exits with code 1 and one line per problem on stderr, without a stack trace', async () => {
    const result = await run(await emptyDir(), {
      SLACK_BOT_TOKEN: 'hunter2-not-a-token',
      PORT: 'abc',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('    at ');
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      BOT_WRONG,
      'PORT must be a whole number from 0 to 65535, got "abc"',
      SIGNING_MISSING,
    ]);
  });

  it('reads .env from the working directory, with real environment variables winning', async () => {
    const dir = await emptyDir();
    await writeFile(
      path.join(dir, '.env'),
      [`SLACK_BOT_TOKEN=${BOT}`, `SLACK_APP_TOKEN=${APP}`, 'PORT=4000', 'LOG_LEVEL=debug', ''].join(
        '\n',
      ),
    );
    const result = await run(dir, { PORT: '5000' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      mode: 'socket',
      port: 5000,
      databaseUrl: 'sqlite:./data/ftrag.db',
      logLevel: 'debug',
      hasBotToken: true,
    });
  });
});
