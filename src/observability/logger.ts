import { inspect } from 'node:util';
import { type Logger, LogLevel } from '@slack/bolt';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { LogLevel as ConfigLogLevel } from '../config.js';

/**
 * Structured logs: one JSON object per line on stdout (pino). Bolt, its WebClient and ftrag's own
 * code all log through {@link BoltLogger}, so every line has the same shape.
 *
 * What may appear above debug level: ids (team, user, channel, review, callback/action ids),
 * Slack error names, timings. Never tokens, secrets or what people typed; Bolt and the WebClient
 * only print request bodies at debug.
 */

export type AppLogger = Pino;

export interface LoggerOptions {
  level: ConfigLogLevel;
  /** Defaults to stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): AppLogger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { pid: process.pid },
    // pino's default `time`, epoch milliseconds: formatting an ISO string on every line measured
    // about 6 % of a checklist step's CPU time (docs/benchmarks.md).
    timestamp: pino.stdTimeFunctions.epochTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: serializeError },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

const TOKEN_PATTERN = /\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+/g;
const BEARER_PATTERN = /\b(Bearer)\s+[^\s"',;]+/gi;
// The app's client secret and a one-time OAuth code, as the WebClient's debug line shows
// oauth.v2.access's arguments (JSON), or in a form body or query string.
const JSON_SECRET_PATTERN = /("(?:client_secret|code)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const FORM_SECRET_PATTERN = /(^|[?&\s])(client_secret|code)=[^&\s"',;]*/g;

/**
 * Removes anything shaped like a Slack token (and Bearer credentials) from a log text, and the
 * values of `client_secret` and `code` fields. (An error code in such a field is masked too;
 * errors' codes are logged as their own field.)
 */
export function scrubSecrets(text: string): string {
  let scrubbed = text;
  if (text.includes('xox') || text.includes('xapp') || /bearer/i.test(text)) {
    scrubbed = scrubbed.replace(TOKEN_PATTERN, '[token]').replace(BEARER_PATTERN, '$1 [token]');
  }
  if (text.includes('client_secret') || text.includes('code')) {
    scrubbed = scrubbed
      .replace(JSON_SECRET_PATTERN, '$1"[secret]"')
      .replace(FORM_SECRET_PATTERN, '$1$2=[secret]');
  }
  return scrubbed;
}

interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  slackError?: string;
  cause?: SerializedError;
}

/**
 * Only the fields that help and can't leak: WebClient errors carry request and response details
 * (headers, bodies) as enumerable properties, which pino's default serializer would print.
 */
export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!(value instanceof Error)) {
    // A rejection with a plain object (some libraries reject with one) would print "[object Object]".
    const text = typeof value === 'object' && value !== null ? describe(value) : String(value);
    return { type: typeof value, message: scrubSecrets(text) };
  }
  const out: SerializedError = {
    type: value.constructor.name,
    message: scrubSecrets(value.message),
  };
  if (value.stack) out.stack = scrubSecrets(value.stack);
  const { code, data, original } = value as { code?: unknown; data?: unknown; original?: unknown };
  if (typeof code === 'string') out.code = code;
  const slackError =
    typeof data === 'object' && data !== null ? (data as { error?: unknown }).error : undefined;
  if (typeof slackError === 'string') out.slackError = slackError;
  const cause = original ?? value.cause;
  if (cause !== undefined && depth < 3) out.cause = serializeError(cause, depth + 1);
  return out;
}

/**
 * The process's `unhandledRejection` listener: logs the reason as an error (its `err` serialized
 * once, by the logger's serializer) and counts it. ftrag keeps running.
 */
export function reportUnhandledRejection(
  logger: AppLogger,
  count: () => void,
): (reason: unknown) => void {
  return (reason) => {
    count();
    logger.error({ err: reason }, 'unhandled promise rejection (kept running)');
  };
}

/** Bolt's lines for a request no route took: `… (GET) made to <url>[ was ignored]`. */
const UNROUTED_REQUEST =
  /^((?:An u|U)nhandled HTTP request \([A-Z]+\) made to )(.*?)( was ignored)?$/s;
const LOGGED_PATH_MAX_CHARS = 100;

/**
 * Anyone can send such a request: its path is cut short and its query string left out, so the
 * sender can't choose what (or how much) lands in the log.
 */
function shortenUnroutedRequest(text: string): string {
  const match = UNROUTED_REQUEST.exec(text);
  if (!match) return text;
  const [, head = '', url = '', tail = ''] = match;
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const shown =
    path.length > LOGGED_PATH_MAX_CHARS ? `${path.slice(0, LOGGED_PATH_MAX_CHARS)}…` : path;
  return `${head}${shown}${queryAt === -1 ? '' : ' (query left out)'}${tail}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) {
    return String(value);
  }
  return inspect(value, { depth: 3, breakLength: Number.POSITIVE_INFINITY });
}

const FROM_PINO: Record<string, LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Bolt's Logger interface (from @slack/logger) on top of pino, for Bolt's `logger` option (which
 * it shares with its WebClients and receivers). Strings become the line's `msg`; an Error argument
 * becomes its `err` field.
 */
export class BoltLogger implements Logger {
  private name: string | undefined;
  private readonly demoted: {
    level: 'warn' | 'error';
    matches: (text: string, error: Error | undefined) => boolean;
  }[] = [];

  constructor(private readonly base: AppLogger) {}

  debug(...msg: unknown[]): void {
    this.write('debug', msg);
  }

  info(...msg: unknown[]): void {
    this.write('info', msg);
  }

  warn(...msg: unknown[]): void {
    this.write('warn', msg);
  }

  error(...msg: unknown[]): void {
    this.write('error', msg);
  }

  setLevel(level: LogLevel): void {
    this.base.level = level;
  }

  getLevel(): LogLevel {
    return FROM_PINO[this.base.level] ?? LogLevel.INFO;
  }

  setName(name: string): void {
    this.name = name;
  }

  /**
   * From now on, Bolt's error lines that match `pattern` are logged at debug: for lines ftrag
   * says better itself, such as the Socket Mode client's bare "WebSocket error" lines.
   */
  demoteErrors(pattern: RegExp): void {
    this.demoted.push({ level: 'error', matches: (text) => pattern.test(text) });
  }

  /** The same for Bolt's warn lines: for a warning ftrag words better, with the ids it lacks. */
  demoteWarnings(pattern: RegExp): void {
    this.demoted.push({ level: 'warn', matches: (text) => pattern.test(text) });
  }

  /**
   * From now on, an error line that is an Error alone, without text, is logged at debug: the OAuth
   * installer logs each failed install so, with its stack, just before ftrag's failure page,
   * which logs it itself at the level it deserves. For a logger that only the receiver uses.
   */
  demoteBareErrors(): void {
    this.demoted.push({ level: 'error', matches: (text, error) => text === '' && !!error });
  }

  private write(level: Level, args: unknown[]): void {
    // Formatting costs more than the write: skip it for levels that are off.
    if (!this.base.isLevelEnabled(level)) return;
    const error = args.find((arg): arg is Error => arg instanceof Error);
    const text = shortenUnroutedRequest(
      scrubSecrets(
        args
          .filter((arg) => arg !== error)
          .map(describe)
          .join(' '),
      ),
    );
    const fields: { err?: Error; logger?: string } = {};
    if (error) fields.err = error;
    if (this.name) fields.logger = this.name;
    const demote = this.demoted.some((rule) => rule.level === level && rule.matches(text, error));
    if (demote && !this.base.isLevelEnabled('debug')) return;
    this.base[demote ? 'debug' : level](fields, text || (error ? error.message : ''));
  }
}
