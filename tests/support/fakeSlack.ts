/**
 * A loopback fake of Slack's Web API for end-to-end tests.
 *
 * Point the app's WebClient at `fake.apiUrl` (Bolt: `clientOptions.slackApiUrl`). Calls arrive as
 * `POST {apiUrl}{method}`, form-encoded (nested fields JSON-stringified), JSON or multipart, with
 * `Authorization: Bearer <token>` (a `token` body argument is accepted too, as Slack does).
 * Answers follow the example responses in Slack's OpenAPI spec (shared/slack/web-api).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  findMessageViolations,
  findViewViolations,
  type LimitViolation,
  type MessageLike,
} from './blockKitLimits.js';
import { FakeRateLimiter, type FakeRateLimitOptions } from './fakeRateLimits.js';
import { FakeSocketMode } from './fakeSocketMode.js';
import { argBoolean, argString, asArray, asRecord, isRecord, type JsonObject } from './json.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_BOT_ID,
  DEFAULT_BOT_TOKEN,
  DEFAULT_BOT_USER_ID,
  DEFAULT_TEAM_DOMAIN,
  DEFAULT_TEAM_ID,
  DEFAULT_TEAM_NAME,
  randomHex,
  randomShortId,
  randomSlackId,
  randomTriggerId,
} from './slackIds.js';

export type ApiArgs = Record<string, unknown>;

export type FaultSpec =
  | { status: 429; retryAfter?: number }
  | { status: 500 | 502 | 503 | 504; body?: string }
  | { error: string; responseMetadata?: JsonObject };

/** A scripted failure, for any call to its method or only those `when` accepts. */
interface ScriptedFault {
  fault: FaultSpec;
  when?: (args: ApiArgs) => boolean;
}

export interface RecordedCall {
  /** Position in `fake.calls`; use `c.index >= before` in a `waitFor` predicate to wait for new calls. */
  index: number;
  method: string;
  /** Parsed arguments (JSON-in-form fields such as `blocks`, `view` decoded), without `token`. */
  args: ApiArgs;
  token: string | undefined;
  /** Milliseconds, from the fake's clock. */
  time: number;
  contentType: string;
  httpStatus: number;
  /** The JSON answered; undefined when a 5xx fault was injected. */
  response: JsonObject | undefined;
  fault: FaultSpec | undefined;
}

export interface RecordedViolation extends Omit<LimitViolation, 'slackError'> {
  /** API method, `response_url` or `view_submission_response`. */
  source: string;
  /** `ratelimited`: a call to a rate limit before the Retry-After it was given had passed. */
  slackError: LimitViolation['slackError'] | 'ratelimited';
}

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  subtype?: string;
  thread_ts?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  edited?: { user: string; ts: string };
  files?: JsonObject[];
  metadata?: unknown;
  /** Arguments of the call that last wrote this message (minus token), e.g. to check `unfurl_links`. */
  args: ApiArgs;
}

export interface EphemeralMessage {
  channel: string;
  user: string | undefined;
  messageTs: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  via: 'chat.postEphemeral' | 'response_url';
  args: ApiArgs;
}

export interface StoredView {
  id: string;
  type: 'modal' | 'home';
  userId: string | undefined;
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
  externalId: string | undefined;
  /** The view as Slack returns it (ids filled in, `state`, `hash`, …). */
  view: JsonObject;
  /** Modal still on screen (false once closed or cleared). */
  open: boolean;
  /** Number of times the view's content was set (open/push/publish = 1, each update +1). */
  revision: number;
}

export interface FakeFile {
  id: string;
  filename: string;
  declaredLength: number | undefined;
  title: string | undefined;
  altText: string | undefined;
  snippetType: string | undefined;
  /** Bytes posted to the upload URL. */
  content: Buffer | undefined;
  completed: boolean;
  channelId: string | undefined;
  threadTs: string | undefined;
  initialComment: string | undefined;
}

export interface ResponseUrlPost {
  id: string;
  url: string;
  time: number;
  body: unknown;
  status: number;
  responseText: string;
}

export interface ResponseUrlOptions {
  /** Bind to a channel so `response_type: 'in_channel'` posts there. */
  channel?: string;
  /** Bind to a message so `replace_original` / `delete_original` act on it. */
  messageTs?: string;
  userId?: string;
}

export interface TriggerOptions {
  userId?: string;
  /** Backdate the trigger (ms since epoch, fake clock) to test expiry without sleeping. */
  issuedAt?: number;
}

export interface ViewResponseResult {
  action: 'close' | 'clear' | 'errors' | 'update' | 'push';
  /** Whether Slack would accept the response. */
  ok: boolean;
  problems: string[];
  view: StoredView | undefined;
}

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  tz: string;
  is_bot: boolean;
  deleted: boolean;
  email: string | undefined;
}

export interface FakeSlackOptions {
  /** Accepted bot token (default DEFAULT_BOT_TOKEN). */
  botToken?: string;
  /** More accepted tokens (e.g. several workspaces). */
  extraTokens?: string[];
  teamId?: string;
  teamDomain?: string;
  teamName?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** When given, any C…/G… channel not listed (or added later) answers `channel_not_found`. */
  knownChannels?: string[];
  /**
   * The scopes the bot token was granted (tokens from oauth.v2.access get those of their install).
   * Unset: every scope. Only the methods that say so check them (conversations.info).
   */
  botScopes?: readonly string[];
  /** Clock in ms (default Date.now); trigger and response_url expiry use it. */
  now?: () => number;
  /** Trigger id lifetime (Slack: 3 s). */
  triggerTtlMs?: number;
  /** response_url uses allowed (Slack: 5). */
  responseUrlMaxUses?: number;
  /** response_url lifetime (Slack: 30 min). */
  responseUrlTtlMs?: number;
  /** Receives one line per request, for debugging. */
  log?: (line: string) => void;
  /**
   * For benchmarks: chat.postMessage, chat.getPermalink and views.open/push/update get canned
   * answers (no trigger, channel or Block Kit checks, nothing stored) and calls are not kept in
   * `calls`, so the fake stays cheap and flat in memory under load. `waitFor` still sees new calls
   * and `callCount` counts them; tokens are still checked.
   */
  lightweight?: boolean;
  /**
   * Off unless given: Slack's rate limits (see fakeRateLimits.ts). A call over a limit is answered
   * 429 with Retry-After; a call to a limit before its Retry-After has passed is a violation.
   */
  rateLimits?: FakeRateLimitOptions;
}

type ApiResult = JsonObject;
type Handler = (args: ApiArgs, token: string) => ApiResult;

const JSON_FIELDS = new Set([
  'blocks',
  'attachments',
  'view',
  'files',
  'metadata',
  'unfurls',
  'user_auth_blocks',
]);

const MAX_PUSHED_VIEWS = 3;

function fail(error: string, messages?: string[]): ApiResult {
  return messages && messages.length > 0
    ? { ok: false, error, response_metadata: { messages } }
    : { ok: false, error };
}

function slackMessages(violations: LimitViolation[], prefix: string): string[] {
  return violations.map((v) => `[ERROR] ${v.message} [json-pointer:${prefix}${v.path}]`);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tsToMicros(ts: string): number | undefined {
  const m = /^(\d+)\.(\d{6})$/.exec(ts);
  if (!m?.[1] || !m[2]) return undefined;
  return Number(m[1]) * 1_000_000 + Number(m[2]);
}

/** Fills in block_id / action_id where the app left them out, as Slack does in what it returns. */
function withGeneratedIds(blocks: unknown[]): unknown[] {
  const fixElement = (el: unknown): unknown => {
    if (!isRecord(el) || typeof el.type !== 'string') return el;
    if (['image', 'plain_text', 'mrkdwn'].includes(el.type)) return el;
    return typeof el.action_id === 'string' ? el : { ...el, action_id: randomShortId(5) };
  };
  return blocks.map((b) => {
    if (!isRecord(b)) return b;
    const block: JsonObject = { ...b };
    if (typeof block.block_id !== 'string') block.block_id = randomShortId(5);
    if (block.type === 'actions' && Array.isArray(block.elements)) {
      block.elements = block.elements.map(fixElement);
    }
    if (block.type === 'section' && block.accessory !== undefined) {
      block.accessory = fixElement(block.accessory);
    }
    if (block.type === 'input' && block.element !== undefined) {
      block.element = fixElement(block.element);
    }
    return block;
  });
}

interface TriggerRecord {
  issuedAt: number;
  userId: string | undefined;
  exchanged: boolean;
}

interface ResponseUrlRecord {
  id: string;
  url: string;
  createdAt: number;
  uses: number;
  options: ResponseUrlOptions;
}

interface ResponseUrlFailure {
  status: number;
  body: string;
  remaining: number;
}

interface Waiter {
  method: string;
  predicate: (call: RecordedCall) => boolean;
  resolve: (call: RecordedCall) => void;
}

export class FakeSlack {
  readonly botToken: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly teamName: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;

  private readonly server: http.Server;
  private readonly tokens: Set<string>;
  private readonly now: () => number;
  private readonly triggerTtlMs: number;
  private readonly responseUrlMaxUses: number;
  private readonly responseUrlTtlMs: number;
  private readonly log: ((line: string) => void) | undefined;
  private readonly lightweight: boolean;
  private readonly rateLimiter: FakeRateLimiter | null;
  private readonly callCounts = new Map<string, number>();
  private readonly handlers: Record<string, Handler>;
  private port = 0;

  private readonly recorded: RecordedCall[] = [];
  private readonly recordedViolations: RecordedViolation[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly faults = new Map<string, ScriptedFault[]>();

  private readonly triggers = new Map<string, TriggerRecord>();
  private readonly viewsById = new Map<string, StoredView>();
  private readonly viewIdByExternalId = new Map<string, string>();
  /** Root view id → ids of the views stacked on it (root first). */
  private readonly modalStacks = new Map<string, string[]>();
  private readonly homeViewByUser = new Map<string, string>();

  private readonly channelMessages = new Map<string, StoredMessage[]>();
  private readonly ephemeralMessages: EphemeralMessage[] = [];
  private lastTsMicros = 0;
  private readonly dmByUser = new Map<string, string>();
  private readonly userByDm = new Map<string, string>();
  private readonly onlyKnownChannels: boolean;
  private readonly knownChannels = new Map<string, string | undefined>();
  private readonly notInChannel = new Set<string>();
  private readonly missingChannels = new Set<string>();
  private readonly privateChannels = new Set<string>();
  private readonly mpims = new Set<string>();
  /** Tokens that stopped working, with the error Slack answers for them. */
  private readonly revokedTokens = new Map<string, string>();
  /** Scopes by token; a token not in here has every scope. */
  private readonly tokenScopes = new Map<string, ReadonlySet<string>>();
  private readonly users = new Map<string, FakeUser>();
  private readonly missingUsers = new Set<string>();

  private readonly filesById = new Map<string, FakeFile>();

  private readonly responseUrls = new Map<string, ResponseUrlRecord>();
  private readonly responseUrlFailures = new Map<string, ResponseUrlFailure>();
  private allResponseUrlsFailure: ResponseUrlFailure | undefined;
  private readonly responsePosts: ResponseUrlPost[] = [];

  constructor(options: FakeSlackOptions = {}) {
    this.botToken = options.botToken ?? DEFAULT_BOT_TOKEN;
    this.tokens = new Set([this.botToken, ...(options.extraTokens ?? [])]);
    this.teamId = options.teamId ?? DEFAULT_TEAM_ID;
    this.teamDomain = options.teamDomain ?? DEFAULT_TEAM_DOMAIN;
    this.teamName = options.teamName ?? DEFAULT_TEAM_NAME;
    this.botUserId = options.botUserId ?? DEFAULT_BOT_USER_ID;
    this.botId = options.botId ?? DEFAULT_BOT_ID;
    this.appId = options.appId ?? DEFAULT_APP_ID;
    this.now = options.now ?? Date.now;
    this.triggerTtlMs = options.triggerTtlMs ?? 3000;
    this.responseUrlMaxUses = options.responseUrlMaxUses ?? 5;
    this.responseUrlTtlMs = options.responseUrlTtlMs ?? 30 * 60 * 1000;
    this.log = options.log;
    this.lightweight = options.lightweight ?? false;
    this.rateLimiter = options.rateLimits
      ? new FakeRateLimiter(options.rateLimits, this.now)
      : null;
    this.onlyKnownChannels = options.knownChannels !== undefined;
    for (const id of options.knownChannels ?? []) this.knownChannels.set(id, undefined);
    if (options.botScopes) this.setScopes(this.botToken, options.botScopes);
    this.handlers = this.buildHandlers();
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        this.log?.(`fake slack internal error: ${String(err)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('fake slack internal error');
      });
    });
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:PORT` */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The Web API base, with trailing slash: `http://127.0.0.1:PORT/api/` */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /**
   * Turns on Socket Mode for `appToken` (an app-level `xapp-` token): apps.connections.open answers
   * with a WebSocket URL on this fake, where the returned {@link FakeSocketMode} talks to the app.
   */
  enableSocketMode(appToken: string): FakeSocketMode {
    if (this.socketMode) return this.socketMode;
    const socketMode = new FakeSocketMode(() => this.baseUrl, this.appId);
    this.tokens.add(appToken);
    this.handlers['apps.connections.open'] = () => socketMode.connectionsOpen();
    this.server.on('upgrade', (req, socket, head) => {
      if (!socketMode.upgrade(req, socket, head)) socket.destroy();
    });
    this.socketMode = socketMode;
    return socketMode;
  }

  private socketMode: FakeSocketMode | null = null;

  async close(): Promise<void> {
    this.socketMode?.close();
    this.waiters.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
    });
  }

  // ---- recording -------------------------------------------------------------------------------

  /** Calls to `method` so far (also in lightweight mode, where `calls` stays empty). */
  callCount(method: string): number {
    return this.callCounts.get(method) ?? 0;
  }

  get calls(): readonly RecordedCall[] {
    return this.recorded;
  }

  callsTo(method: string): RecordedCall[] {
    return this.recorded.filter((c) => c.method === method);
  }

  /** Every limit violation seen (including those of rejected calls); assert it stays empty. */
  get violations(): readonly RecordedViolation[] {
    return this.recordedViolations;
  }

  /** Forget recorded calls, violations and response_url posts (state such as messages stays). */
  clearRecords(): void {
    this.recorded.length = 0;
    this.recordedViolations.length = 0;
    this.responsePosts.length = 0;
  }

  /**
   * Resolves with the first recorded call to `method` matching `predicate`, including calls that
   * arrived before this was called. To wait only for new calls, snapshot `fake.calls.length` and
   * filter on `call.index`.
   */
  waitFor(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<RecordedCall> {
    const existing = this.recorded.find((c) => c.method === method && predicate(c));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        resolve: (call) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.recorded.map((c) => c.method).join(', ') || 'none';
        reject(
          new Error(
            `fake Slack: no matching ${method} call within ${timeoutMs} ms (calls: ${seen})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Holds the next call to `method` unanswered until `release()`, so a test can act while the
   * app waits on Slack (kill it, send SIGTERM, let another instance serve the next step).
   */
  holdNext(method: string): { arrived: Promise<void>; release: () => void } {
    let release = () => {};
    let arrive = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const queue = this.holds.get(method) ?? [];
    queue.push({ released, arrive });
    this.holds.set(method, queue);
    return { arrived, release };
  }

  private readonly holds = new Map<string, { released: Promise<void>; arrive: () => void }[]>();

  /**
   * Carries out the next call to `method` and then drops its connection without a byte of the
   * answer, as when the network loses Slack's response: the caller can't tell whether it happened.
   */
  loseAnswerNext(method: string): void {
    this.lostAnswers.set(method, (this.lostAnswers.get(method) ?? 0) + 1);
  }

  private readonly lostAnswers = new Map<string, number>();

  /**
   * Script failures for the next `times` calls to `method` (`'upload'` targets the upload URL);
   * with `when`, only for calls whose arguments it accepts (others are answered as usual).
   */
  failNext(method: string, fault: FaultSpec, times = 1, when?: (args: ApiArgs) => boolean): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(when ? { fault, when } : { fault });
    this.faults.set(method, queue);
  }

  // ---- triggers --------------------------------------------------------------------------------

  /** A fresh trigger id (valid 3 s, single use) to put in a payload sent to the app. */
  issueTriggerId(options: TriggerOptions = {}): string {
    const id = randomTriggerId();
    this.triggers.set(id, {
      issuedAt: options.issuedAt ?? this.now(),
      userId: options.userId,
      exchanged: false,
    });
    return id;
  }

  // ---- channels, users -------------------------------------------------------------------------

  /**
   * A channel of the workspace: public unless `private` (then, as in Slack, conversations.info
   * needs groups:read). With `member: false`, posting in a public one answers not_in_channel
   * (ftrag has no chat:write.public); a private one, a group DM (G…) or a DM (D…) is not there
   * for the bot: every method answers channel_not_found.
   */
  addChannel(
    channelId: string,
    options: { name?: string; member?: boolean; private?: boolean } = {},
  ): void {
    this.knownChannels.set(channelId, options.name);
    this.missingChannels.delete(channelId);
    if (options.member === false) this.notInChannel.add(channelId);
    else this.notInChannel.delete(channelId);
    if (options.private) this.privateChannels.add(channelId);
    else this.privateChannels.delete(channelId);
  }

  /**
   * What `token` was granted, as an install would (a reinstall replaces it), for the methods that
   * check scopes; `undefined`: every scope.
   */
  setScopes(token: string, scopes: readonly string[] | undefined): void {
    if (scopes === undefined) this.tokenScopes.delete(token);
    else this.tokenScopes.set(token, new Set(scopes));
  }

  /**
   * Every later call with `token` is refused as Slack refuses a token that no longer works:
   * `token_revoked` once the workspace uninstalled the app or revoked its token,
   * `account_inactive` once the bot user or the workspace is deactivated.
   */
  revokeToken(token: string, error: 'token_revoked' | 'account_inactive' = 'token_revoked'): void {
    this.revokedTokens.set(token, error);
  }

  /** As `addChannel(channelId, { member: false })`, keeping whether the channel is private. */
  setBotNotInChannel(channelId: string): void {
    this.notInChannel.add(channelId);
  }

  setBotInChannel(channelId: string): void {
    this.notInChannel.delete(channelId);
  }

  setChannelNotFound(channelId: string): void {
    this.missingChannels.add(channelId);
  }

  /** The DM channel (D…) between the bot and a user, created on first use. */
  dmChannelFor(userId: string): string {
    let dm = this.dmByUser.get(userId);
    if (!dm) {
      dm = `D${userId.slice(1)}`.slice(0, 11);
      while (this.userByDm.has(dm)) dm = randomSlackId('D', 11);
      this.dmByUser.set(userId, dm);
      this.userByDm.set(dm, userId);
    }
    return dm;
  }

  setUser(userId: string, info: Partial<Omit<FakeUser, 'id'>> = {}): void {
    this.users.set(userId, { ...this.defaultUser(userId), ...info, id: userId });
    this.missingUsers.delete(userId);
  }

  setUserNotFound(userId: string): void {
    this.missingUsers.add(userId);
  }

  // ---- messages --------------------------------------------------------------------------------

  /** Top-level channel history, oldest first (thread replies only when broadcast). */
  messages(channelOrUserId: string): StoredMessage[] {
    const channel = this.channelKey(channelOrUserId);
    return (this.channelMessages.get(channel) ?? []).filter(
      (m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast',
    );
  }

  /** A thread like conversations.replies: the parent first, then replies oldest first. */
  thread(channelOrUserId: string, threadTs: string): StoredMessage[] {
    const channel = this.channelKey(channelOrUserId);
    const all = this.channelMessages.get(channel) ?? [];
    const parent = all.find((m) => m.ts === threadTs);
    const replies = all.filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
    return parent ? [parent, ...replies] : replies;
  }

  /** Every stored message in every channel, in posting order. */
  allMessages(): StoredMessage[] {
    return [...this.channelMessages.values()]
      .flat()
      .sort((a, b) => (tsToMicros(a.ts) ?? 0) - (tsToMicros(b.ts) ?? 0));
  }

  ephemerals(channelOrUserId?: string): EphemeralMessage[] {
    if (channelOrUserId === undefined) return [...this.ephemeralMessages];
    const channel = this.channelKey(channelOrUserId);
    return this.ephemeralMessages.filter((m) => m.channel === channel);
  }

  /** Seed a message written by someone else (e.g. the message a shortcut is invoked on). */
  addMessage(
    channelId: string,
    message: { text: string; user?: string; ts?: string; thread_ts?: string; blocks?: unknown[] },
  ): StoredMessage {
    const channel = this.channelKey(channelId);
    const ts = message.ts ?? this.nextTs();
    const micros = tsToMicros(ts);
    if (micros !== undefined && micros > this.lastTsMicros) this.lastTsMicros = micros;
    const stored: StoredMessage = {
      type: 'message',
      channel,
      ts,
      text: message.text,
      user: message.user ?? 'U0SOMEONE1',
      team: this.teamId,
      args: {},
    };
    if (message.blocks) stored.blocks = message.blocks;
    if (message.thread_ts) stored.thread_ts = message.thread_ts;
    this.storeMessage(stored);
    return stored;
  }

  // ---- views -----------------------------------------------------------------------------------

  view(viewId: string): StoredView | undefined {
    return this.viewsById.get(viewId);
  }

  views(): StoredView[] {
    return [...this.viewsById.values()];
  }

  homeView(userId: string): StoredView | undefined {
    const id = this.homeViewByUser.get(userId);
    return id ? this.viewsById.get(id) : undefined;
  }

  /** Views currently stacked in the user's open modal (root first); [] if none is open. */
  modalStack(userId?: string): StoredView[] {
    const root = this.openRootFor(userId);
    if (!root) return [];
    return (this.modalStacks.get(root) ?? []).flatMap((id) => {
      const v = this.viewsById.get(id);
      return v ? [v] : [];
    });
  }

  /** The top view of the user's open modal (the most recent open modal if no user is given). */
  currentModal(userId?: string): StoredView | undefined {
    return this.modalStack(userId).at(-1);
  }

  /** The user closes the given view (and with it any views pushed above it). */
  closeView(viewId: string): void {
    const v = this.viewsById.get(viewId);
    if (!v) return;
    const stack = this.modalStacks.get(v.rootViewId) ?? [];
    const at = stack.indexOf(viewId);
    if (at < 0) return;
    for (const id of stack.splice(at)) {
      const closed = this.viewsById.get(id);
      if (closed) closed.open = false;
    }
  }

  /**
   * Apply what the app answered to a view_submission (the HTTP response body of the signed request),
   * as Slack would: empty → close this view; `clear`; `errors` (block ids must be input blocks);
   * `update` / `push` (the view is limit-checked; push respects the 3-view stack).
   */
  applyViewResponse(viewId: string, responseBody: unknown): ViewResponseResult {
    const current = this.viewsById.get(viewId);
    if (!current) {
      return { action: 'close', ok: false, problems: [`unknown view ${viewId}`], view: undefined };
    }
    const body = asRecord(responseBody);
    const action = body ? argString(body.response_action) : undefined;
    if (!body || action === undefined) {
      this.closeView(viewId);
      return { action: 'close', ok: true, problems: [], view: current };
    }
    if (action === 'clear') {
      this.closeView(current.rootViewId);
      return { action: 'clear', ok: true, problems: [], view: current };
    }
    if (action === 'errors') {
      const errors = asRecord(body.errors);
      const inputIds = new Set(
        (asArray(current.view.blocks) ?? []).flatMap((b) =>
          isRecord(b) && b.type === 'input' && typeof b.block_id === 'string' ? [b.block_id] : [],
        ),
      );
      const problems = errors
        ? Object.keys(errors)
            .filter((k) => !inputIds.has(k))
            .map((k) => `errors key "${k}" is not the block_id of an input block in the view`)
        : ['response_action errors needs an errors object'];
      return { action: 'errors', ok: problems.length === 0, problems, view: current };
    }
    if (action === 'update' || action === 'push') {
      const newView = asRecord(body.view);
      const violations = newView
        ? findViewViolations(newView)
        : [{ path: '', message: 'view is required', slackError: 'invalid_arguments' as const }];
      this.recordViolations('view_submission_response', violations);
      const problems = violations.map((v) => `${v.path}: ${v.message}`);
      if (!newView || problems.length > 0) return { action, ok: false, problems, view: current };
      if (action === 'update') {
        return { action, ok: true, problems, view: this.replaceView(current, newView) };
      }
      const stack = this.modalStacks.get(current.rootViewId) ?? [];
      if (stack.length >= MAX_PUSHED_VIEWS) {
        return { action, ok: false, problems: ['push_limit_reached'], view: current };
      }
      return { action, ok: true, problems, view: this.pushView(current, newView) };
    }
    return {
      action: 'close',
      ok: false,
      problems: [`unknown response_action "${action}"`],
      view: current,
    };
  }

  // ---- files -----------------------------------------------------------------------------------

  files(): FakeFile[] {
    return [...this.filesById.values()];
  }

  file(fileId: string): FakeFile | undefined {
    return this.filesById.get(fileId);
  }

  // ---- response_url ----------------------------------------------------------------------------

  /** A response_url on this server (5 uses within 30 minutes, like Slack's). */
  newResponseUrl(options: ResponseUrlOptions = {}): string {
    const id = `${this.teamId}/${Date.now()}${randomHex(3)}/${randomHex(12)}`;
    const url = `${this.baseUrl}/response/${id}`;
    this.responseUrls.set(id, { id, url, createdAt: this.now(), uses: 0, options });
    return url;
  }

  /**
   * Make a response_url (or `'all'`) fail with `status` (404 answers `expired_url`), for `times`
   * posts (default: until `clearResponseUrlFailures()`).
   */
  failResponseUrl(
    target: string | 'all',
    status: number,
    options: { body?: string; times?: number } = {},
  ): void {
    const failure: ResponseUrlFailure = {
      status,
      body: options.body ?? (status === 404 ? 'expired_url' : 'internal_error'),
      remaining: options.times ?? Number.POSITIVE_INFINITY,
    };
    if (target === 'all') this.allResponseUrlsFailure = failure;
    else this.responseUrlFailures.set(this.responseUrlId(target), failure);
  }

  clearResponseUrlFailures(): void {
    this.allResponseUrlsFailure = undefined;
    this.responseUrlFailures.clear();
  }

  /**
   * Carries out the next post to a response_url (as {@link loseAnswerNext} does for a Web API
   * call), then drops its connection without a byte of the answer: the poster can't tell whether
   * it was posted. The post is recorded, with the status that was never sent.
   */
  loseResponseUrlAnswerNext(url: string): void {
    const id = this.responseUrlId(url);
    this.lostResponseUrlAnswers.set(id, (this.lostResponseUrlAnswers.get(id) ?? 0) + 1);
  }

  private readonly lostResponseUrlAnswers = new Map<string, number>();

  get responseUrlPosts(): readonly ResponseUrlPost[] {
    return this.responsePosts;
  }

  responseUrlPostsTo(url: string): ResponseUrlPost[] {
    const id = this.responseUrlId(url);
    return this.responsePosts.filter((p) => p.id === id);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    const path = url.pathname;
    this.log?.(`${req.method ?? '?'} ${path}`);
    if (path.startsWith('/api/')) {
      await this.handleApi(decodeURIComponent(path.slice(5)), req, url, raw, res);
    } else if (path.startsWith('/upload/') && req.method === 'POST') {
      await this.handleUpload(decodeURIComponent(path.slice(8)), req, raw, res);
    } else if (path.startsWith('/response/') && req.method === 'POST') {
      this.handleResponseUrl(path.slice(10), req, raw, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not_found');
    }
  }

  private async parseArgs(
    contentType: string,
    raw: Buffer,
    query: URLSearchParams,
  ): Promise<{ args: ApiArgs } | { parseError: string }> {
    const args: ApiArgs = {};
    const setFormField = (key: string, value: string): void => {
      if (JSON_FIELDS.has(key)) {
        try {
          args[key] = JSON.parse(value);
          return;
        } catch {
          // Left as a string; the method reports it the way Slack does (e.g. invalid_blocks_format).
        }
      }
      args[key] = value;
    };
    for (const [k, v] of query) setFormField(k, v);
    if (raw.length === 0) return { args };
    if (contentType.includes('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        return { parseError: 'invalid_json' };
      }
      if (!isRecord(parsed)) return { parseError: 'json_not_object' };
      return { args: { ...args, ...parsed } };
    }
    if (contentType.includes('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
      for (const [k, v] of form) {
        if (typeof v === 'string') setFormField(k, v);
        else args[k] = Buffer.from(await v.arrayBuffer());
      }
      return { args };
    }
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) setFormField(k, v);
    return { args };
  }

  private async handleApi(
    method: string,
    req: http.IncomingMessage,
    url: URL,
    raw: Buffer,
    res: http.ServerResponse,
  ): Promise<void> {
    const contentType = req.headers['content-type'] ?? '';
    const parsed = await this.parseArgs(contentType, raw, url.searchParams);
    const args: ApiArgs = 'args' in parsed ? parsed.args : {};
    const auth = req.headers.authorization;
    const bodyToken = argString(args.token);
    delete args.token;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : bodyToken;

    const hold = this.holds.get(method)?.shift();
    if (hold) {
      let callerGone = false;
      res.on('close', () => {
        callerGone = true;
      });
      hold.arrive();
      await hold.released;
      // The caller died while held (a test killed the app): the call never reached "Slack".
      if (callerGone || req.socket.destroyed) return;
    }
    const fault = this.takeFault(method, args);
    let httpStatus = 200;
    let response: ApiResult | undefined;
    const headers: Record<string, string> = {};
    const limited =
      !fault && token && this.rateLimiter ? this.rateLimiter.take(method, token, args) : null;
    if (limited?.violation) {
      this.recordedViolations.push({
        source: method,
        path: '',
        message: limited.violation,
        slackError: 'ratelimited',
      });
    }
    if (limited && limited.retryAfter !== null) {
      httpStatus = 429;
      headers['retry-after'] = String(limited.retryAfter);
      response = { ok: false, error: 'ratelimited' };
    } else if (fault && 'status' in fault) {
      httpStatus = fault.status;
      if (fault.status === 429) {
        headers['retry-after'] = String(fault.retryAfter ?? 1);
        response = { ok: false, error: 'ratelimited' };
      }
    } else if (fault) {
      response = { ok: false, error: fault.error };
      if (fault.responseMetadata) response.response_metadata = fault.responseMetadata;
    } else if ('parseError' in parsed) {
      response = fail(parsed.parseError);
    } else {
      const handler = this.handlers[method];
      if (!handler) response = { ok: false, error: 'unknown_method', req_method: method };
      else if (method === 'oauth.v2.access') response = this.oauthV2Access(args, auth);
      else if (!token) response = fail('not_authed');
      else if (this.revokedTokens.has(token)) {
        response = fail(this.revokedTokens.get(token) ?? 'token_revoked');
      } else if (!this.tokens.has(token)) response = fail('invalid_auth');
      else if (this.lightweight) {
        response = this.lightweightAnswer(method, args) ?? handler(args, token);
      } else response = handler(args, token);
    }

    const call: RecordedCall = {
      index: this.recorded.length,
      method,
      args,
      token,
      time: this.now(),
      contentType,
      httpStatus,
      response,
      fault,
    };
    if (!this.lightweight) this.recorded.push(call);
    this.callCounts.set(method, (this.callCounts.get(method) ?? 0) + 1);
    this.log?.(
      `  ${method} → ${httpStatus} ${response ? JSON.stringify(response).slice(0, 200) : ''}`,
    );
    const lost = this.lostAnswers.get(method) ?? 0;
    if (lost > 0) {
      if (lost === 1) this.lostAnswers.delete(method);
      else this.lostAnswers.set(method, lost - 1);
      this.log?.(`  ${method}: answer lost, connection dropped`);
      req.socket.destroy();
    } else if (response) {
      res.writeHead(httpStatus, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(response));
    } else {
      const body =
        fault && 'body' in fault && fault.body ? fault.body : http.STATUS_CODES[httpStatus];
      res.writeHead(httpStatus, { 'content-type': 'text/plain', ...headers });
      res.end(body ?? 'error');
    }
    for (const w of [...this.waiters]) {
      if (w.method === method && w.predicate(call)) w.resolve(call);
    }
  }

  /** Lightweight mode's canned answers; undefined sends the call to the full handler. */
  private lightweightAnswer(method: string, args: ApiArgs): ApiResult | undefined {
    const channel = argString(args.channel) ?? '';
    switch (method) {
      case 'chat.postMessage':
        return { ok: true, channel, ts: this.nextTs() };
      case 'chat.getPermalink': {
        const ts = (argString(args.message_ts) ?? '').replace('.', '');
        return {
          ok: true,
          channel,
          permalink: `https://fake.slack.test/archives/${channel}/p${ts}`,
        };
      }
      case 'views.open':
      case 'views.push':
      case 'views.update':
        return { ok: true, view: { id: randomSlackId('V', 11), hash: this.newHash() } };
      default:
        return undefined;
    }
  }

  private takeFault(method: string, args: ApiArgs = {}): FaultSpec | undefined {
    const queue = this.faults.get(method);
    const at = queue?.findIndex((scripted) => !scripted.when || scripted.when(args)) ?? -1;
    if (!queue || at < 0) return undefined;
    const [scripted] = queue.splice(at, 1);
    if (queue.length === 0) this.faults.delete(method);
    return scripted?.fault;
  }

  private async handleUpload(
    fileId: string,
    req: http.IncomingMessage,
    raw: Buffer,
    res: http.ServerResponse,
  ): Promise<void> {
    const fault = this.takeFault('upload');
    if (fault) {
      const status = 'status' in fault ? fault.status : 500;
      res.writeHead(status, {
        'content-type': 'text/plain',
        ...(fault && 'retryAfter' in fault ? { 'retry-after': String(fault.retryAfter ?? 1) } : {}),
      });
      res.end('error' in fault ? fault.error : (http.STATUS_CODES[status] ?? 'error'));
      return;
    }
    const file = this.filesById.get(fileId);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file_not_found');
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    let content = raw;
    if (contentType.includes('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': contentType },
      }).formData();
      for (const [, v] of form) {
        if (typeof v !== 'string') {
          content = Buffer.from(await v.arrayBuffer());
          break;
        }
      }
    }
    file.content = content;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${content.length}`);
  }

  private responseUrlId(url: string): string {
    const marker = '/response/';
    const at = url.indexOf(marker);
    return at >= 0 ? url.slice(at + marker.length) : url;
  }

  private handleResponseUrl(
    id: string,
    req: http.IncomingMessage,
    raw: Buffer,
    res: http.ServerResponse,
  ): void {
    const record = this.responseUrls.get(id);
    let body: unknown;
    const text = raw.toString('utf8');
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const answer = (status: number, responseText: string): void => {
      this.responsePosts.push({
        id,
        url: record?.url ?? `${this.baseUrl}/response/${id}`,
        time: this.now(),
        body,
        status,
        responseText,
      });
      const lost = this.lostResponseUrlAnswers.get(id) ?? 0;
      if (lost > 0) {
        if (lost === 1) this.lostResponseUrlAnswers.delete(id);
        else this.lostResponseUrlAnswers.set(id, lost - 1);
        this.log?.(`  response_url ${id}: answer lost, connection dropped`);
        req.socket.destroy();
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(responseText);
    };
    const failure = this.responseUrlFailures.get(id) ?? this.allResponseUrlsFailure;
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      answer(failure.status, failure.body);
      return;
    }
    if (!record) {
      answer(404, 'no_service');
      return;
    }
    if (this.now() - record.createdAt > this.responseUrlTtlMs) {
      answer(404, 'expired_url');
      return;
    }
    if (record.uses >= this.responseUrlMaxUses) {
      answer(404, 'used_url');
      return;
    }
    const message = asRecord(body);
    if (!message || !(req.headers['content-type'] ?? '').includes('application/json')) {
      answer(400, 'invalid_payload');
      return;
    }
    if (argBoolean(message.delete_original)) {
      record.uses++;
      const ts = record.options.messageTs;
      if (ts && record.options.channel) this.deleteMessage(record.options.channel, ts);
      answer(200, 'ok');
      return;
    }
    const violations = findMessageViolations(message as MessageLike);
    this.recordViolations('response_url', violations);
    const first = violations[0];
    if (first) {
      answer(400, first.slackError);
      return;
    }
    record.uses++;
    this.applyResponseUrlMessage(record, message);
    answer(200, 'ok');
  }

  private applyResponseUrlMessage(record: ResponseUrlRecord, message: JsonObject): void {
    const { channel, messageTs, userId } = record.options;
    const text = argString(message.text) ?? '';
    const blocks = asArray(message.blocks);
    if (argBoolean(message.replace_original) && channel && messageTs) {
      const existing = this.findMessage(channel, messageTs);
      if (existing) {
        existing.text = text;
        if (blocks) existing.blocks = withGeneratedIds(blocks);
        else delete existing.blocks;
        existing.args = { ...message };
        return;
      }
    }
    if (message.response_type === 'in_channel' && channel) {
      const stored = this.newBotMessage(channel, message);
      const threadTs = argString(message.thread_ts);
      if (threadTs) this.attachToThread(stored, threadTs, 'response_url');
      this.storeMessage(stored);
      return;
    }
    const ephemeral: EphemeralMessage = {
      channel: channel ?? '',
      user: userId,
      messageTs: this.nextTs(),
      text,
      via: 'response_url',
      args: { ...message },
    };
    if (blocks) ephemeral.blocks = blocks;
    const threadTs = argString(message.thread_ts);
    if (threadTs) ephemeral.threadTs = threadTs;
    this.ephemeralMessages.push(ephemeral);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private recordViolations(source: string, violations: LimitViolation[]): void {
    for (const v of violations) this.recordedViolations.push({ ...v, source });
  }

  private nextTs(): string {
    let micros = Math.floor(this.now()) * 1000;
    if (micros <= this.lastTsMicros) micros = this.lastTsMicros + 1;
    this.lastTsMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private channelKey(channelOrUserId: string): string {
    return /^[UW]/.test(channelOrUserId) ? this.dmChannelFor(channelOrUserId) : channelOrUserId;
  }

  private resolveChannel(
    raw: string | undefined,
    checkMembership = true,
  ): { channel: string } | { error: string } {
    if (!raw) return { error: 'channel_not_found' };
    if (/^[UW][A-Z0-9]+$/.test(raw)) {
      if (this.missingUsers.has(raw)) return { error: 'channel_not_found' };
      return { channel: this.dmChannelFor(raw) };
    }
    if (/^D[A-Z0-9]+$/.test(raw)) {
      // A DM between other people (declared with `member: false`) is not there for the bot.
      return this.notInChannel.has(raw) ? { error: 'channel_not_found' } : { channel: raw };
    }
    let id = raw;
    if (!/^[CG][A-Z0-9]+$/.test(raw)) {
      const name = raw.replace(/^#/, '');
      const found = [...this.knownChannels].find(([, n]) => n === name);
      if (!found) return { error: 'channel_not_found' };
      id = found[0];
    }
    if (this.missingChannels.has(id)) return { error: 'channel_not_found' };
    if (this.onlyKnownChannels && !this.knownChannels.has(id)) {
      return { error: 'channel_not_found' };
    }
    if (this.notInChannel.has(id)) {
      // A private channel or group DM the bot is not in is not there for it, whatever the method;
      // a public one is, but only members post (no chat:write.public).
      if (this.isPrivateConversation(id)) return { error: 'channel_not_found' };
      if (checkMembership) return { error: 'not_in_channel' };
    }
    return { channel: id };
  }

  /** A private channel or group DM (G… ids included); `id` is a C…/G… channel id. */
  private isPrivateConversation(id: string): boolean {
    return id.startsWith('G') || this.privateChannels.has(id) || this.mpims.has(id);
  }

  private findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.channelMessages.get(channel)?.find((m) => m.ts === ts);
  }

  private storeMessage(message: StoredMessage): void {
    const list = this.channelMessages.get(message.channel) ?? [];
    list.push(message);
    list.sort((a, b) => (tsToMicros(a.ts) ?? 0) - (tsToMicros(b.ts) ?? 0));
    this.channelMessages.set(message.channel, list);
  }

  private deleteMessage(channel: string, ts: string): boolean {
    const list = this.channelMessages.get(channel);
    const at = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || at < 0) return false;
    list.splice(at, 1);
    return true;
  }

  private newBotMessage(channel: string, args: ApiArgs): StoredMessage {
    const stored: StoredMessage = {
      type: 'message',
      channel,
      ts: this.nextTs(),
      text: argString(args.text) ?? '',
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      args: { ...args },
    };
    const blocks = asArray(args.blocks);
    if (blocks) stored.blocks = withGeneratedIds(blocks);
    const attachments = asArray(args.attachments);
    if (attachments) stored.attachments = attachments;
    if (args.metadata !== undefined) stored.metadata = args.metadata;
    return stored;
  }

  /**
   * Makes `message` a reply in the thread of `threadTs`. Slack threads only under a parent:
   * `thread_ts` must never be a reply's ts (the docs: use its parent's). Given one, the fake
   * records a violation (from `source`) and leaves the reply as it is, so the message lands in
   * no thread anyone can see.
   */
  private attachToThread(message: StoredMessage, threadTs: string, source: string): void {
    message.thread_ts = threadTs;
    const parent = this.findMessage(message.channel, threadTs);
    if (!parent) return;
    if (parent.thread_ts !== undefined && parent.thread_ts !== parent.ts) {
      this.recordViolations(source, [
        {
          path: '/thread_ts',
          message: `thread_ts ${threadTs} is a reply in the thread of ${parent.thread_ts}: threads are only under a parent message`,
          slackError: 'invalid_arguments',
        },
      ]);
      return;
    }
    parent.thread_ts = parent.ts;
    parent.reply_count = (parent.reply_count ?? 0) + 1;
    parent.latest_reply = message.ts;
    const who = message.user ?? message.bot_id ?? '';
    parent.reply_users = [...new Set([...(parent.reply_users ?? []), who])];
  }

  private toApiMessage(m: StoredMessage): JsonObject {
    const { channel: _channel, args: _args, ...rest } = m;
    return { ...rest };
  }

  /** Shared validation for message-writing methods; undefined when fine. */
  private messageProblem(
    method: string,
    args: ApiArgs,
    requireContent = true,
  ): ApiResult | undefined {
    if (
      typeof args.blocks === 'string' ||
      (args.blocks !== undefined && !Array.isArray(args.blocks))
    ) {
      return fail('invalid_blocks_format');
    }
    if (
      typeof args.attachments === 'string' ||
      (args.attachments !== undefined && !Array.isArray(args.attachments))
    ) {
      return fail('invalid_attachments');
    }
    const violations = findMessageViolations({
      text: args.text,
      blocks: args.blocks,
      attachments: args.attachments,
    }).filter((v) => requireContent || v.slackError !== 'no_text');
    this.recordViolations(method, violations);
    const first = violations[0];
    if (!first) return undefined;
    const sameKind = violations.filter((v) => v.slackError === first.slackError);
    return first.slackError === 'invalid_blocks'
      ? fail('invalid_blocks', slackMessages(sameKind, ''))
      : fail(first.slackError);
  }

  private viewProblem(
    method: string,
    view: unknown,
    expectType?: 'modal' | 'home',
  ): ApiResult | undefined {
    if (view === undefined) {
      return fail('invalid_arguments', ['[ERROR] missing required field: view']);
    }
    if (typeof view === 'string') {
      return fail('invalid_arguments', ['[ERROR] failed to parse view [json-pointer:/view]']);
    }
    const violations = findViewViolations(view);
    this.recordViolations(method, violations);
    if (violations.length > 0) return fail('invalid_arguments', slackMessages(violations, '/view'));
    if (expectType && asRecord(view)?.type !== expectType) {
      return fail('invalid_arguments', [
        `[ERROR] view type must be ${expectType} for ${method} [json-pointer:/view/type]`,
      ]);
    }
    return undefined;
  }

  private exchangeTrigger(args: ApiArgs): { trigger: TriggerRecord } | { error: ApiResult } {
    const id = argString(args.trigger_id) ?? argString(args.interactivity_pointer);
    if (!id) {
      return { error: fail('invalid_arguments', ['[ERROR] missing required field: trigger_id']) };
    }
    const trigger = this.triggers.get(id);
    if (!trigger) return { error: fail('invalid_trigger_id') };
    if (trigger.exchanged) return { error: fail('exchanged_trigger_id') };
    if (this.now() - trigger.issuedAt > this.triggerTtlMs) {
      return { error: fail('expired_trigger_id') };
    }
    return { trigger };
  }

  private renderView(
    id: string,
    source: JsonObject,
    extra: { hash: string; rootViewId: string; previousViewId: string | null },
  ): JsonObject {
    const type = source.type === 'home' ? 'home' : 'modal';
    const view: JsonObject = {
      id,
      team_id: this.teamId,
      type,
      blocks: withGeneratedIds(asArray(source.blocks) ?? []),
      private_metadata: argString(source.private_metadata) ?? '',
      callback_id: argString(source.callback_id) ?? '',
      state: { values: {} },
      hash: extra.hash,
      clear_on_close: source.clear_on_close === true,
      notify_on_close: source.notify_on_close === true,
      close: source.close ?? null,
      submit: source.submit ?? null,
      previous_view_id: extra.previousViewId,
      root_view_id: extra.rootViewId,
      app_id: this.appId,
      external_id: argString(source.external_id) ?? '',
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
    };
    if (source.title !== undefined) view.title = source.title;
    if (source.submit_disabled !== undefined) view.submit_disabled = source.submit_disabled;
    return view;
  }

  private newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomHex(4)}`;
  }

  private createView(
    source: JsonObject,
    userId: string | undefined,
    stackOn: StoredView | undefined,
  ): StoredView {
    const id = randomSlackId('V', 11);
    const hash = this.newHash();
    const rootViewId = stackOn ? stackOn.rootViewId : id;
    const previousViewId = stackOn ? stackOn.id : null;
    const stored: StoredView = {
      id,
      type: source.type === 'home' ? 'home' : 'modal',
      userId,
      hash,
      rootViewId,
      previousViewId,
      externalId: argString(source.external_id),
      view: this.renderView(id, source, { hash, rootViewId, previousViewId }),
      open: true,
      revision: 1,
    };
    this.viewsById.set(id, stored);
    if (stored.externalId) this.viewIdByExternalId.set(stored.externalId, id);
    if (stored.type === 'modal') {
      const stack = this.modalStacks.get(rootViewId) ?? [];
      stack.push(id);
      this.modalStacks.set(rootViewId, stack);
    }
    return stored;
  }

  private replaceView(current: StoredView, source: JsonObject): StoredView {
    current.hash = this.newHash();
    current.revision++;
    const externalId = argString(source.external_id);
    if (externalId) {
      current.externalId = externalId;
      this.viewIdByExternalId.set(externalId, current.id);
    }
    current.view = this.renderView(current.id, source, {
      hash: current.hash,
      rootViewId: current.rootViewId,
      previousViewId: current.previousViewId,
    });
    return current;
  }

  private pushView(top: StoredView, source: JsonObject): StoredView {
    return this.createView(source, top.userId, top);
  }

  private openRootFor(userId: string | undefined): string | undefined {
    const roots = [...this.modalStacks.entries()].filter(([root, stack]) => {
      if (stack.length === 0) return false;
      return userId === undefined || this.viewsById.get(root)?.userId === userId;
    });
    return roots.at(-1)?.[0];
  }

  private externalIdTaken(source: JsonObject, exceptViewId?: string): boolean {
    const externalId = argString(source.external_id);
    if (!externalId) return false;
    const owner = this.viewIdByExternalId.get(externalId);
    return owner !== undefined && owner !== exceptViewId;
  }

  private defaultUser(userId: string): FakeUser {
    const isBot = userId === this.botUserId;
    const name = isBot ? 'ftrag' : `user.${userId.slice(1, 7).toLowerCase()}`;
    return {
      id: userId,
      name,
      real_name: isBot ? 'ftrag' : `Test User ${userId}`,
      tz: 'Europe/London',
      is_bot: isBot,
      deleted: false,
      email: isBot ? undefined : `${name}@example.test`,
    };
  }

  private fileInfo(f: FakeFile): JsonObject {
    return {
      id: f.id,
      created: Math.floor(this.now() / 1000),
      name: f.filename,
      title: f.title ?? f.filename,
      mimetype: 'text/plain',
      filetype: f.snippetType ?? 'text',
      size: f.content?.length ?? f.declaredLength ?? 0,
      user: this.botUserId,
      permalink: `https://${this.teamDomain}.slack.test/files/${this.botUserId}/${f.id}/${encodeURIComponent(f.filename)}`,
    };
  }

  // ---- OAuth -----------------------------------------------------------------------------------

  private readonly oauthCodes = new Map<
    string,
    { teamId: string; teamName: string; userId: string; scopes: string }
  >();
  private oauthClient: { clientId: string; clientSecret: string } | null = null;

  /** Accepts oauth.v2.access from this client only (Slack checks the app's credentials). */
  setOAuthClient(clientId: string, clientSecret: string): void {
    this.oauthClient = { clientId, clientSecret };
  }

  /** The code Slack would hand the app's redirect URL after a person approves the install. */
  issueOAuthCode(install: {
    teamId: string;
    teamName?: string;
    userId: string;
    scopes: string;
  }): string {
    const code = `${randomHex(8)}.${randomHex(8)}`;
    this.oauthCodes.set(code, { teamName: `Team ${install.teamId}`, ...install });
    return code;
  }

  private oauthV2Access(args: ApiArgs, authorization: string | undefined): ApiResult {
    let clientId = argString(args.client_id);
    let clientSecret = argString(args.client_secret);
    if (authorization?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(authorization.slice(6), 'base64')
        .toString('utf8')
        .split(':');
      clientId = id;
      clientSecret = secret;
    }
    if (!this.oauthClient || clientId !== this.oauthClient.clientId)
      return fail('invalid_client_id');
    if (clientSecret !== this.oauthClient.clientSecret) return fail('bad_client_secret');
    const code = argString(args.code) ?? '';
    const install = this.oauthCodes.get(code);
    if (!install) return fail('invalid_code');
    this.oauthCodes.delete(code);
    const token = `xoxb-${randomHex(6)}-${randomHex(6)}-${randomHex(12)}`;
    this.tokens.add(token);
    this.setScopes(
      token,
      install.scopes.split(',').filter((scope) => scope.length > 0),
    );
    return {
      ok: true,
      app_id: this.appId,
      authed_user: { id: install.userId },
      scope: install.scopes,
      token_type: 'bot',
      access_token: token,
      bot_user_id: this.botUserId,
      team: { id: install.teamId, name: install.teamName },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  // ---- methods ---------------------------------------------------------------------------------

  private buildHandlers(): Record<string, Handler> {
    return {
      'api.test': (args) => ({ ok: true, args }),
      // Answered by oauthV2Access before the token check; listed so the method is known.
      'oauth.v2.access': () => fail('invalid_code'),
      'auth.test': () => ({
        ok: true,
        url: `https://${this.teamDomain}.slack.test/`,
        team: this.teamName,
        user: 'ftrag',
        team_id: this.teamId,
        user_id: this.botUserId,
        bot_id: this.botId,
        is_enterprise_install: false,
      }),
      'chat.postMessage': (args) => this.chatPostMessage(args),
      'chat.postEphemeral': (args) => this.chatPostEphemeral(args),
      'chat.update': (args) => this.chatUpdate(args),
      'chat.delete': (args) => {
        const resolved = this.resolveChannel(argString(args.channel), false);
        if ('error' in resolved) return fail(resolved.error);
        const ts = argString(args.ts) ?? '';
        const message = this.findMessage(resolved.channel, ts);
        if (!message) return fail('message_not_found');
        if (message.user !== this.botUserId) return fail('cant_delete_message');
        this.deleteMessage(resolved.channel, ts);
        return { ok: true, channel: resolved.channel, ts };
      },
      'chat.getPermalink': (args) => {
        const resolved = this.resolveChannel(argString(args.channel), false);
        if ('error' in resolved) return fail(resolved.error);
        const ts = argString(args.message_ts) ?? '';
        const message = this.findMessage(resolved.channel, ts);
        if (!message) return fail('message_not_found');
        const base = `https://fake.slack.test/archives/${resolved.channel}/p${ts.replace('.', '')}`;
        const permalink =
          message.thread_ts && message.thread_ts !== message.ts
            ? `${base}?thread_ts=${message.thread_ts}&cid=${resolved.channel}`
            : base;
        return { ok: true, channel: resolved.channel, permalink };
      },
      'conversations.open': (args) => {
        const users = (argString(args.users) ?? '').split(',').filter((u) => u.length > 0);
        const channelArg = argString(args.channel);
        if (channelArg) return { ok: true, channel: { id: channelArg } };
        if (users.length === 0) return fail('users_list_not_supplied');
        if (users.length > 8) return fail('too_many_users');
        const missing = users.find((u) => this.missingUsers.has(u) || !/^[UW][A-Z0-9]+$/.test(u));
        if (missing) return fail('user_not_found');
        const [only] = users;
        if (users.length === 1 && only) {
          const existed = this.dmByUser.has(only);
          const id = this.dmChannelFor(only);
          return existed
            ? { ok: true, no_op: true, already_open: true, channel: { id } }
            : { ok: true, channel: { id } };
        }
        const mpim = `G${randomHex(5).toUpperCase()}`;
        this.mpims.add(mpim);
        return { ok: true, channel: { id: mpim } };
      },
      'conversations.info': (args, token) => this.conversationsInfo(args, token),
      'conversations.history': (args) => {
        const resolved = this.resolveChannel(argString(args.channel));
        if ('error' in resolved) return fail(resolved.error);
        const messages = this.messages(resolved.channel)
          .reverse()
          .map((m) => this.toApiMessage(m));
        return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
      },
      'conversations.replies': (args) => {
        const resolved = this.resolveChannel(argString(args.channel));
        if ('error' in resolved) return fail(resolved.error);
        const thread = this.thread(resolved.channel, argString(args.ts) ?? '');
        if (thread.length === 0) return fail('thread_not_found');
        return {
          ok: true,
          messages: thread.map((m) => this.toApiMessage(m)),
          has_more: false,
          response_metadata: { next_cursor: '' },
        };
      },
      'users.info': (args) => {
        const id = argString(args.user) ?? '';
        if (this.missingUsers.has(id) || !/^[UWB][A-Z0-9]+$/.test(id)) {
          return fail('user_not_found');
        }
        const u = this.users.get(id) ?? this.defaultUser(id);
        return {
          ok: true,
          user: {
            id: u.id,
            team_id: this.teamId,
            name: u.name,
            deleted: u.deleted,
            real_name: u.real_name,
            tz: u.tz,
            tz_label: u.tz,
            tz_offset: 0,
            color: '9f69e7',
            has_2fa: false,
            is_admin: false,
            is_owner: false,
            is_primary_owner: false,
            is_restricted: false,
            is_ultra_restricted: false,
            is_bot: u.is_bot,
            is_app_user: false,
            updated: 1_700_000_000,
            profile: {
              real_name: u.real_name,
              real_name_normalized: u.real_name,
              display_name: u.name,
              display_name_normalized: u.name,
              email: u.email,
              status_text: '',
              status_emoji: '',
              team: this.teamId,
            },
          },
        };
      },
      'views.open': (args) => this.viewsOpen(args),
      'views.push': (args) => this.viewsPush(args),
      'views.update': (args) => this.viewsUpdate(args),
      'views.publish': (args) => this.viewsPublish(args),
      'files.getUploadURLExternal': (args) => {
        const filename = argString(args.filename);
        const lengthArg = argString(args.length);
        if (!filename || !lengthArg) {
          return fail('invalid_arguments', ['[ERROR] missing required field: filename or length']);
        }
        const length = Number(lengthArg);
        if (!Number.isInteger(length) || length < 0) return fail('invalid_arguments');
        const id = randomSlackId('F', 11);
        this.filesById.set(id, {
          id,
          filename,
          declaredLength: length,
          title: undefined,
          altText: argString(args.alt_txt) ?? argString(args.alt_text),
          snippetType: argString(args.snippet_type),
          content: undefined,
          completed: false,
          channelId: undefined,
          threadTs: undefined,
          initialComment: undefined,
        });
        return { ok: true, upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
      },
      'files.completeUploadExternal': (args) => this.filesComplete(args),
    };
  }

  /** `missing_scope`, as Slack answers it, when `token` was not granted `needed`. */
  private missingScope(token: string, needed: string): ApiResult | undefined {
    const granted = this.tokenScopes.get(token);
    if (!granted || granted.has(needed)) return undefined;
    return { ok: false, error: 'missing_scope', needed, provided: [...granted].join(',') };
  }

  /**
   * Each kind of conversation needs its own read scope (Slack's docs for conversations.info):
   * channels:read for a public channel, groups:read for a private one (which the bot can't see
   * unless it is a member), im:read for a DM and mpim:read for a group DM (G… from
   * conversations.open). G… ids are never public channels.
   */
  private conversationsInfo(args: ApiArgs, token: string): ApiResult {
    const resolved = this.resolveChannel(argString(args.channel), false);
    if ('error' in resolved) return fail(resolved.error);
    const id = resolved.channel;
    const isIm = id.startsWith('D');
    const isMpim = this.mpims.has(id);
    const isPrivate = !isIm && this.isPrivateConversation(id);
    // One the bot is not in is only there for it when it is a public channel.
    const isMember = !this.notInChannel.has(id);
    const needed = isIm
      ? 'im:read'
      : isMpim
        ? 'mpim:read'
        : isPrivate
          ? 'groups:read'
          : 'channels:read';
    const refused = this.missingScope(token, needed);
    if (refused) return refused;
    if (isIm) {
      return {
        ok: true,
        channel: {
          id,
          created: 1_700_000_000,
          is_archived: false,
          is_im: true,
          is_org_shared: false,
          user: this.userByDm.get(id),
          is_user_deleted: false,
        },
      };
    }
    const name = this.knownChannels.get(id) ?? id.toLowerCase();
    return {
      ok: true,
      channel: {
        id,
        name,
        name_normalized: name,
        created: 1_700_000_000,
        // Slack says is_channel of group DMs too (slackapi/python-slack-sdk#1534); is_mpim tells.
        is_channel: true,
        is_group: false,
        is_im: false,
        is_mpim: isMpim,
        is_private: isPrivate,
        is_archived: false,
        is_general: false,
        is_shared: false,
        is_ext_shared: false,
        is_org_shared: false,
        is_pending_ext_shared: false,
        is_member: isMember,
      },
    };
  }

  private chatPostMessage(args: ApiArgs): ApiResult {
    const resolved = this.resolveChannel(argString(args.channel));
    if ('error' in resolved) return fail(resolved.error);
    const problem = this.messageProblem('chat.postMessage', args);
    if (problem) return problem;
    const stored = this.newBotMessage(resolved.channel, args);
    const threadTs = argString(args.thread_ts);
    if (threadTs) {
      this.attachToThread(stored, threadTs, 'chat.postMessage');
      if (argBoolean(args.reply_broadcast)) stored.subtype = 'thread_broadcast';
    }
    this.storeMessage(stored);
    return {
      ok: true,
      channel: resolved.channel,
      ts: stored.ts,
      message: this.toApiMessage(stored),
    };
  }

  private chatPostEphemeral(args: ApiArgs): ApiResult {
    const resolved = this.resolveChannel(argString(args.channel));
    if ('error' in resolved) return fail(resolved.error);
    const user = argString(args.user);
    if (!user) return fail('user_not_in_channel');
    if (this.missingUsers.has(user)) return fail('user_not_found');
    const problem = this.messageProblem('chat.postEphemeral', args);
    if (problem) return problem;
    const messageTs = this.nextTs();
    const ephemeral: EphemeralMessage = {
      channel: resolved.channel,
      user,
      messageTs,
      text: argString(args.text) ?? '',
      via: 'chat.postEphemeral',
      args: { ...args },
    };
    const blocks = asArray(args.blocks);
    if (blocks) ephemeral.blocks = withGeneratedIds(blocks);
    const threadTs = argString(args.thread_ts);
    if (threadTs) ephemeral.threadTs = threadTs;
    this.ephemeralMessages.push(ephemeral);
    return { ok: true, message_ts: messageTs };
  }

  private chatUpdate(args: ApiArgs): ApiResult {
    const resolved = this.resolveChannel(argString(args.channel), false);
    if ('error' in resolved) return fail(resolved.error);
    const ts = argString(args.ts) ?? '';
    const message = this.findMessage(resolved.channel, ts);
    if (!message) return fail('message_not_found');
    if (message.user !== this.botUserId) return fail('cant_update_message');
    const hasText = args.text !== undefined;
    const hasBlocks = args.blocks !== undefined;
    if (!hasText && !hasBlocks && args.attachments === undefined && args.metadata === undefined) {
      return fail('no_text');
    }
    const merged: ApiArgs = {
      text: hasText ? args.text : message.text,
      blocks: hasBlocks ? args.blocks : message.blocks,
      attachments: args.attachments ?? message.attachments,
    };
    const problem = this.messageProblem('chat.update', merged);
    if (problem) return problem;
    if (hasText) message.text = argString(args.text) ?? '';
    const blocks = asArray(args.blocks);
    if (hasBlocks) {
      if (blocks && blocks.length > 0) message.blocks = withGeneratedIds(blocks);
      else delete message.blocks;
    }
    const attachments = asArray(args.attachments);
    if (attachments) message.attachments = attachments;
    if (args.metadata !== undefined) message.metadata = args.metadata;
    message.edited = { user: this.botUserId, ts: this.nextTs() };
    message.args = { ...args };
    return {
      ok: true,
      channel: resolved.channel,
      ts,
      text: message.text,
      message: this.toApiMessage(message),
    };
  }

  private viewsOpen(args: ApiArgs): ApiResult {
    const exchanged = this.exchangeTrigger(args);
    if ('error' in exchanged) return exchanged.error;
    const problem = this.viewProblem('views.open', args.view, 'modal');
    if (problem) return problem;
    const source = asRecord(args.view) ?? {};
    if (this.externalIdTaken(source)) return fail('duplicate_external_id');
    exchanged.trigger.exchanged = true;
    const stored = this.createView(source, exchanged.trigger.userId, undefined);
    return { ok: true, view: stored.view };
  }

  private viewsPush(args: ApiArgs): ApiResult {
    const exchanged = this.exchangeTrigger(args);
    if ('error' in exchanged) return exchanged.error;
    const problem = this.viewProblem('views.push', args.view, 'modal');
    if (problem) return problem;
    const source = asRecord(args.view) ?? {};
    const root = this.openRootFor(exchanged.trigger.userId);
    const stack = root ? (this.modalStacks.get(root) ?? []) : [];
    const topId = stack.at(-1);
    const top = topId ? this.viewsById.get(topId) : undefined;
    if (!top) return fail('not_found');
    if (stack.length >= MAX_PUSHED_VIEWS) return fail('push_limit_reached');
    if (this.externalIdTaken(source)) return fail('duplicate_external_id');
    exchanged.trigger.exchanged = true;
    return { ok: true, view: this.pushView(top, source).view };
  }

  private viewsUpdate(args: ApiArgs): ApiResult {
    const viewId = argString(args.view_id);
    const externalId = argString(args.external_id);
    if (!viewId && !externalId) {
      return fail('invalid_arguments', ['[ERROR] either view_id or external_id is required']);
    }
    const id = viewId ?? (externalId ? this.viewIdByExternalId.get(externalId) : undefined);
    const current = id ? this.viewsById.get(id) : undefined;
    if (!current) return fail('not_found');
    const problem = this.viewProblem('views.update', args.view, current.type);
    if (problem) return problem;
    const hash = argString(args.hash);
    if (hash !== undefined && hash !== current.hash) return fail('hash_conflict');
    const source = asRecord(args.view) ?? {};
    if (this.externalIdTaken(source, current.id)) return fail('duplicate_external_id');
    return { ok: true, view: this.replaceView(current, source).view };
  }

  private viewsPublish(args: ApiArgs): ApiResult {
    const userId = argString(args.user_id);
    if (!userId) return fail('invalid_arguments', ['[ERROR] missing required field: user_id']);
    if (!/^[UW][A-Z0-9]+$/.test(userId) || this.missingUsers.has(userId)) {
      return fail('invalid_arguments', ['invalid `user_id`']);
    }
    const problem = this.viewProblem('views.publish', args.view, 'home');
    if (problem) return problem;
    const source = asRecord(args.view) ?? {};
    const existingId = this.homeViewByUser.get(userId);
    const existing = existingId ? this.viewsById.get(existingId) : undefined;
    const hash = argString(args.hash);
    if (existing && hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
    if (this.externalIdTaken(source, existing?.id)) return fail('duplicate_external_id');
    if (existing) return { ok: true, view: this.replaceView(existing, source).view };
    const stored = this.createView(source, userId, undefined);
    this.homeViewByUser.set(userId, stored.id);
    return { ok: true, view: stored.view };
  }

  private filesComplete(args: ApiArgs): ApiResult {
    const list = asArray(args.files);
    if (!list || list.length === 0) {
      return fail('invalid_arguments', ['[ERROR] missing required field: files']);
    }
    const entries: { file: FakeFile; title: string | undefined }[] = [];
    for (const entry of list) {
      const rec = asRecord(entry);
      const file = rec ? this.filesById.get(argString(rec.id) ?? '') : undefined;
      if (!rec || !file || file.content === undefined) return fail('file_not_found');
      entries.push({ file, title: argString(rec.title) });
    }
    const channelArg = argString(args.channel_id) ?? argString(args.channels);
    let channel: string | undefined;
    if (channelArg) {
      const resolved = this.resolveChannel(channelArg);
      if ('error' in resolved) return fail(resolved.error);
      channel = resolved.channel;
    }
    const initialComment = argString(args.initial_comment);
    if (args.blocks !== undefined) {
      const problem = this.messageProblem('files.completeUploadExternal', args, false);
      if (problem) return problem;
    }
    const threadTs = argString(args.thread_ts);
    for (const { file, title } of entries) {
      file.completed = true;
      file.title = title ?? file.title;
      file.channelId = channel;
      file.threadTs = threadTs;
      file.initialComment = initialComment;
    }
    const infos = entries.map(({ file }) => this.fileInfo(file));
    if (channel) {
      const stored = this.newBotMessage(channel, { ...args, text: initialComment ?? '' });
      stored.files = infos;
      if (threadTs) this.attachToThread(stored, threadTs, 'files.completeUploadExternal');
      this.storeMessage(stored);
    }
    return { ok: true, files: infos };
  }
}

/** Starts a fake Slack Web API on 127.0.0.1 (ephemeral port). Call `close()` when done. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = new FakeSlack(options);
  await fake.listen();
  return fake;
}
