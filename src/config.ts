import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { parseTokenKey } from './storage/tokenSealer.js';

// The only module that reads process.env: everything else receives a Config.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config {
  mode: 'socket' | 'http';
  port: number;
  databaseUrl: string;
  logLevel: LogLevel;
  /** Serve Prometheus metrics at GET /metrics. */
  metricsEnabled: boolean;
  /** How long a shutdown (SIGTERM/SIGINT) waits for requests and deliveries in flight. */
  shutdownTimeoutMs: number;
  /**
   * On SIGTERM, how long the instance keeps serving, with /healthz answering 503, before it stops
   * accepting connections: the time a load balancer needs to take it out of rotation.
   */
  shutdownDelayMs: number;
  /** A call to Slack's Web API with no answer for this long fails (see app.ts). */
  slackCallTimeoutMs: number;
  /**
   * Each instance posts, by itself, pending reviews whose posting never started or broke off after
   * the verdict went out (see ReviewRepository.listUnattended): once after it starts, then every
   * `intervalMs` (0: never), those saved at least `graceMs` ago.
   */
  deliverySweep: { intervalMs: number; graceMs: number };
  slack: {
    /** null only in multi-workspace OAuth mode, where each installation brings its own token. */
    botToken: string | null;
    /** null only in Socket Mode. */
    signingSecret: string | null;
    appToken: string | null;
    /** Base URL of Slack's Web API, always ending with '/'. */
    apiUrl: string | null;
    oauth: { clientId: string; clientSecret: string; stateSecret: string } | null;
  };
  /**
   * Keys that encrypt stored installations (their tokens) at rest: new writes use `current`;
   * `previous` still open what older keys sealed, until the next start reseals it. null: plain text.
   */
  tokenKeys: { current: Buffer; previous: Buffer[] } | null;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export const DEFAULT_PORT = 3000;
export const DEFAULT_DATABASE_URL = 'sqlite:./data/ftrag.db';
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const MAX_SHUTDOWN_TIMEOUT_MS = 600_000;
export const DEFAULT_SHUTDOWN_DELAY_MS = 0;
export const DEFAULT_SLACK_CALL_TIMEOUT_MS = 10_000;
const MIN_SLACK_CALL_TIMEOUT_MS = 1_000;
const MAX_SLACK_CALL_TIMEOUT_MS = 120_000;
const MAX_SHUTDOWN_DELAY_MS = 120_000;
export const DEFAULT_DELIVERY_SWEEP_INTERVAL_MS = 60_000;
export const DEFAULT_DELIVERY_SWEEP_GRACE_MS = 30_000;
const MAX_DELIVERY_SWEEP_MS = 86_400_000;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const WHERE = {
  botToken: 'OAuth & Permissions → Bot User OAuth Token',
  signingSecret: 'Basic Information → App Credentials → Signing Secret',
  appToken: 'Basic Information → App-Level Tokens, with the connections:write scope',
  clientId: 'Basic Information → App Credentials → Client ID',
  clientSecret: 'Basic Information → App Credentials → Client Secret',
  stateSecret: 'set it to any long random string you choose, it signs the OAuth state',
} as const;

const OAUTH_VARS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;
const OAUTH_VARS_TEXT = 'SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET';

/** Trimmed, with empty strings counting as missing. */
const text = z
  .string()
  .optional()
  .transform((value) => {
    const trimmed = value?.trim();
    return trimmed ? trimmed : undefined;
  });

type Problems = { addIssue(issue: { code: 'custom'; message: string }): void };

function problem(ctx: Problems, message: string): void {
  ctx.addIssue({ code: 'custom', message });
}

/** Names the kind of a misplaced credential by its prefix alone; a secret's value is never shown. */
function misplacedHint(value: string): string {
  if (value.startsWith('xoxb-')) return '; this one looks like a bot token (xoxb-)';
  if (value.startsWith('xoxp-')) return '; this one looks like a user token (xoxp-)';
  if (value.startsWith('xapp-')) return '; this one looks like an app-level token (xapp-)';
  return '';
}

function quoted(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown);
}

const botToken = text.superRefine((value, ctx) => {
  if (value !== undefined && !value.startsWith('xoxb-')) {
    problem(
      ctx,
      `SLACK_BOT_TOKEN looks wrong: it should start with xoxb- (${WHERE.botToken})${misplacedHint(value)}`,
    );
  }
});

const appToken = text.superRefine((value, ctx) => {
  if (value !== undefined && !value.startsWith('xapp-')) {
    problem(
      ctx,
      `SLACK_APP_TOKEN looks wrong: it should start with xapp- (${WHERE.appToken})${misplacedHint(value)}`,
    );
  }
});

const signingSecret = text.superRefine((value, ctx) => {
  if (value !== undefined && /^(xox[a-z]|xapp)-/.test(value)) {
    problem(
      ctx,
      `SLACK_SIGNING_SECRET looks wrong: it looks like a token, not a signing secret (${WHERE.signingSecret})`,
    );
  }
});

const port = text.superRefine((value, ctx) => {
  if (value !== undefined && !(/^\d+$/.test(value) && Number(value) <= 65535)) {
    problem(ctx, `PORT must be a whole number from 0 to 65535, got ${quoted(value)}`);
  }
});

function isDatabaseUrl(value: string): boolean {
  if (value.startsWith('sqlite:')) return value.length > 'sqlite:'.length;
  return /^postgres(ql)?:\/\/./.test(value);
}

const databaseUrl = text.superRefine((value, ctx) => {
  if (value !== undefined && !isDatabaseUrl(value)) {
    // The value is not echoed: a postgres URL usually carries a password.
    problem(
      ctx,
      'DATABASE_URL must be sqlite:<path> (e.g. sqlite:./data/ftrag.db), sqlite::memory: or ' +
        'postgres://user:password@host:5432/dbname (postgresql:// also works); leave it unset ' +
        `for the default ${DEFAULT_DATABASE_URL}`,
    );
  }
});

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

const logLevel = text.superRefine((value, ctx) => {
  if (value !== undefined && !isLogLevel(value.toLowerCase())) {
    problem(ctx, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${quoted(value)}`);
  }
});

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

const metricsEnabled = text.superRefine((value, ctx) => {
  const word = value?.toLowerCase();
  if (word !== undefined && !TRUE_WORDS.includes(word) && !FALSE_WORDS.includes(word)) {
    problem(ctx, `METRICS_ENABLED must be true or false, got ${quoted(value ?? '')}`);
  }
});

/** A whole number of milliseconds from `min` to `max`, named `name` in the problem it reports. */
function wholeMilliseconds(name: string, max: number, min = 0) {
  return text.superRefine((value, ctx) => {
    if (
      value !== undefined &&
      !(/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max)
    ) {
      problem(
        ctx,
        `${name} must be a whole number of milliseconds from ${min} to ${max}, got ${quoted(value)}`,
      );
    }
  });
}

/** A usable base URL for Bolt's WebClient, or null. */
/** A milliseconds setting the schema already checked, or its default when unset. */
function millisOr(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

function normalizeApiUrl(value: string): string | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  // WebClient appends the method name to the base, so a query or fragment would swallow it.
  if (url.search !== '' || url.hash !== '') return null;
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

const apiUrl = text.superRefine((value, ctx) => {
  if (value !== undefined && normalizeApiUrl(value) === null) {
    problem(
      ctx,
      "SLACK_API_URL must be an http(s) base URL of Slack's Web API without ?query or #fragment, " +
        'e.g. https://slack.com/api/ (leave it unset to use slack.com)',
    );
  }
});

const KEY_FORMAT = '32 random bytes as base64 or hex, e.g. from `openssl rand -base64 32`';

const tokenKey = text.superRefine((value, ctx) => {
  if (value !== undefined && parseTokenKey(value) === null) {
    problem(ctx, `TOKEN_ENCRYPTION_KEY must be ${KEY_FORMAT}`);
  }
});

const previousTokenKeys = text.superRefine((value, ctx) => {
  const keys = value?.split(',') ?? [];
  keys.forEach((key, index) => {
    if (parseTokenKey(key) === null) {
      problem(
        ctx,
        `TOKEN_ENCRYPTION_PREVIOUS_KEYS: key ${index + 1} of ${keys.length} is not ${KEY_FORMAT} (separate keys with commas)`,
      );
    }
  });
});

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_APP_TOKEN: appToken,
    PORT: port,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: logLevel,
    SLACK_API_URL: apiUrl,
    METRICS_ENABLED: metricsEnabled,
    SHUTDOWN_TIMEOUT_MS: wholeMilliseconds('SHUTDOWN_TIMEOUT_MS', MAX_SHUTDOWN_TIMEOUT_MS),
    SHUTDOWN_DELAY_MS: wholeMilliseconds('SHUTDOWN_DELAY_MS', MAX_SHUTDOWN_DELAY_MS),
    SLACK_CALL_TIMEOUT_MS: wholeMilliseconds(
      'SLACK_CALL_TIMEOUT_MS',
      MAX_SLACK_CALL_TIMEOUT_MS,
      MIN_SLACK_CALL_TIMEOUT_MS,
    ),
    DELIVERY_SWEEP_INTERVAL_MS: wholeMilliseconds(
      'DELIVERY_SWEEP_INTERVAL_MS',
      MAX_DELIVERY_SWEEP_MS,
    ),
    DELIVERY_SWEEP_GRACE_MS: wholeMilliseconds('DELIVERY_SWEEP_GRACE_MS', MAX_DELIVERY_SWEEP_MS),
    SLACK_CLIENT_ID: text,
    SLACK_CLIENT_SECRET: text,
    SLACK_STATE_SECRET: text,
    TOKEN_ENCRYPTION_KEY: tokenKey,
    TOKEN_ENCRYPTION_PREVIOUS_KEYS: previousTokenKeys,
  })
  .superRefine((env, ctx) => {
    if (
      env.TOKEN_ENCRYPTION_PREVIOUS_KEYS !== undefined &&
      env.TOKEN_ENCRYPTION_KEY === undefined
    ) {
      problem(
        ctx,
        'TOKEN_ENCRYPTION_PREVIOUS_KEYS needs TOKEN_ENCRYPTION_KEY: the previous keys only open what they sealed, the current key seals',
      );
    }
    const oauthSet = OAUTH_VARS.filter((name) => env[name] !== undefined);
    const oauth = oauthSet.length === OAUTH_VARS.length;
    const socket = env.SLACK_APP_TOKEN !== undefined;

    if (oauthSet.length > 0 && !oauth) {
      const where = {
        SLACK_CLIENT_ID: WHERE.clientId,
        SLACK_CLIENT_SECRET: WHERE.clientSecret,
        SLACK_STATE_SECRET: WHERE.stateSecret,
      };
      for (const name of OAUTH_VARS) {
        if (env[name] === undefined) {
          problem(
            ctx,
            `${name} is missing: ${where[name]} (multi-workspace OAuth needs ${OAUTH_VARS_TEXT} ` +
              'together; unset all three for single-workspace mode)',
          );
        }
      }
    }

    if (oauth && socket) {
      problem(
        ctx,
        'SLACK_APP_TOKEN cannot be combined with multi-workspace OAuth, which runs in HTTP mode ' +
          `only: unset SLACK_APP_TOKEN, or unset ${OAUTH_VARS_TEXT} for single-workspace Socket Mode`,
      );
    }

    if (oauth && env.SLACK_BOT_TOKEN !== undefined) {
      // Bolt refuses a fixed token next to OAuth settings; say so before it throws.
      problem(
        ctx,
        `SLACK_BOT_TOKEN must not be set in multi-workspace OAuth mode (${OAUTH_VARS_TEXT} are ` +
          "set): each workspace's token comes from its installation; unset SLACK_BOT_TOKEN, or " +
          `unset ${OAUTH_VARS_TEXT} for single-workspace mode`,
      );
    }

    // A partial OAuth set already got its own lines; asking for a bot token too would mislead.
    if (oauthSet.length === 0 && env.SLACK_BOT_TOKEN === undefined) {
      problem(ctx, `SLACK_BOT_TOKEN is missing: ${WHERE.botToken}, starts with xoxb-`);
    }

    if ((oauth || !socket) && env.SLACK_SIGNING_SECRET === undefined) {
      const why = oauth
        ? 'needed in HTTP mode, which multi-workspace OAuth uses'
        : 'needed in HTTP mode; set SLACK_APP_TOKEN for Socket Mode instead';
      problem(ctx, `SLACK_SIGNING_SECRET is missing: ${WHERE.signingSecret} (${why})`);
    }
  })
  .transform((env): Config => {
    const oauth =
      env.SLACK_CLIENT_ID !== undefined &&
      env.SLACK_CLIENT_SECRET !== undefined &&
      env.SLACK_STATE_SECRET !== undefined
        ? {
            clientId: env.SLACK_CLIENT_ID,
            clientSecret: env.SLACK_CLIENT_SECRET,
            stateSecret: env.SLACK_STATE_SECRET,
          }
        : null;
    const mode = oauth === null && env.SLACK_APP_TOKEN !== undefined ? 'socket' : 'http';
    const level = env.LOG_LEVEL?.toLowerCase();
    return {
      mode,
      port: env.PORT === undefined ? DEFAULT_PORT : Number(env.PORT),
      databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      logLevel: level !== undefined && isLogLevel(level) ? level : DEFAULT_LOG_LEVEL,
      metricsEnabled: !FALSE_WORDS.includes(env.METRICS_ENABLED?.toLowerCase() ?? 'true'),
      shutdownTimeoutMs: millisOr(env.SHUTDOWN_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS),
      shutdownDelayMs: millisOr(env.SHUTDOWN_DELAY_MS, DEFAULT_SHUTDOWN_DELAY_MS),
      slackCallTimeoutMs: millisOr(env.SLACK_CALL_TIMEOUT_MS, DEFAULT_SLACK_CALL_TIMEOUT_MS),
      deliverySweep: {
        intervalMs: millisOr(env.DELIVERY_SWEEP_INTERVAL_MS, DEFAULT_DELIVERY_SWEEP_INTERVAL_MS),
        graceMs: millisOr(env.DELIVERY_SWEEP_GRACE_MS, DEFAULT_DELIVERY_SWEEP_GRACE_MS),
      },
      slack: {
        // The checks above leave a bot token only outside OAuth mode, an app token only in Socket
        // Mode; a signing secret set for Socket Mode is kept, as Bolt ignores it there.
        botToken: env.SLACK_BOT_TOKEN ?? null,
        signingSecret: env.SLACK_SIGNING_SECRET ?? null,
        appToken: env.SLACK_APP_TOKEN ?? null,
        apiUrl: env.SLACK_API_URL === undefined ? null : normalizeApiUrl(env.SLACK_API_URL),
        oauth,
      },
      tokenKeys: tokenKeysOf(env.TOKEN_ENCRYPTION_KEY, env.TOKEN_ENCRYPTION_PREVIOUS_KEYS),
    };
  });

function tokenKeysOf(
  current: string | undefined,
  previous: string | undefined,
): Config['tokenKeys'] {
  const currentKey = current === undefined ? null : parseTokenKey(current);
  if (currentKey === null) return null;
  const previousKeys = (previous?.split(',') ?? [])
    .map(parseTokenKey)
    .filter((key): key is Buffer => key !== null);
  return { current: currentKey, previous: previousKeys };
}

/** Validates an environment (pure: reads nothing but its argument). */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const result = envSchema.safeParse(env);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => issue.message) };
}

function readEnvironment(): Record<string, string | undefined> {
  loadDotenv({ quiet: true, override: false });
  return process.env;
}

function orExit<T>(result: { ok: true; value: T } | { ok: false; problems: string[] }): T {
  if (!result.ok) {
    process.stderr.write(`${result.problems.join('\n')}\n`);
    process.exit(1);
  }
  return result.value;
}

/**
 * Reads `.env` (real environment variables win), then the environment. On problems, prints one
 * line per problem to stderr and exits with code 1: a setup mistake deserves no stack trace.
 */
export function loadConfig(): Config {
  const result = parseConfig(readEnvironment());
  return orExit(result.ok ? { ok: true, value: result.config } : result);
}

const databaseEnvSchema = z
  .object({ DATABASE_URL: databaseUrl })
  .transform((env) => env.DATABASE_URL ?? DEFAULT_DATABASE_URL);

/** Only the database setting, for maintenance commands that never talk to Slack. */
export function parseDatabaseConfig(
  env: Record<string, string | undefined>,
): { ok: true; value: string } | { ok: false; problems: string[] } {
  const result = databaseEnvSchema.safeParse(env);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => issue.message) };
}

export function loadDatabaseUrl(): string {
  return orExit(parseDatabaseConfig(readEnvironment()));
}
