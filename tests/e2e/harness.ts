import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { ActionId, BlockId, BOT_SCOPES } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { type AppProcess, startApp } from '../support/appProcess.js';
import type { FakeRateLimitOptions } from '../support/fakeRateLimits.js';
import {
  type FakeSlack,
  type StoredMessage,
  type StoredView,
  startFakeSlack,
} from '../support/fakeSlack.js';
import { isRecord, type JsonObject } from '../support/json.js';
import {
  appHomeOpenedEvent,
  buildEventCallback,
  type ClickOptions,
  chooseOption,
  clickButton,
  fillAndSubmit,
  forgedBlockAction,
  type InteractionContext,
  SlackClientForTests,
  type SlackHttpResponse,
  type ViewValues,
} from '../support/slackRequests.js';

export const SIGNING_SECRET = 'e2e-signing-secret-0123456789abcdef';
export const CHANNEL = 'C0REVIEWS1';
export const ASKER = 'U0ASKER001';
/** The start of the made-up workspace ids of {@link E2e.settleLogs}'s notices: their lines name it. */
export const LOG_MARK_TEAM = 'T0LOGMARK';

export interface E2eOptions {
  /** Defaults to a fresh SQLite file in a temp folder. */
  databaseUrl?: string;
  instances?: number;
  /** Extra settings; a value of '' removes the setting (e.g. SLACK_BOT_TOKEN in OAuth mode). */
  env?: Record<string, string>;
  /** The app's entry point; defaults to src/index.ts (through tsx). */
  entry?: string;
  /** Slack's rate limits on the fake (off unless given). */
  rateLimits?: FakeRateLimitOptions;
}

/**
 * The escape hatch of the helpers that act on a view or message (`chooseOverflow`,
 * `reviewMenuModal`): with `unchecked: true` they send the action even though the view or message
 * does not offer it, as only a forged request or one from a view published by an earlier version
 * would. Say at each use why the test sends what Slack's client could not.
 */
export interface Unchecked {
  unchecked?: true;
}

/** `E2e` or a subclass of it, as a constructor. */
type Unstarted<T extends E2e> = new (options?: E2eOptions) => T;

interface Running {
  fake: FakeSlack;
  tempDir: string;
  databaseUrl: string;
}

/**
 * The real app (one or more processes) over HTTP, against the loopback fake of Slack. Create it
 * with `E2e.start()`, or with `E2e.forFile()` for the whole of a test file; subclasses add the
 * helpers of one feature area (e.g. `ThreadsApp`) and start the same way.
 */
export class E2e {
  readonly apps: AppProcess[] = [];
  readonly clients: SlackClientForTests[] = [];
  private running: Running | undefined;
  private logMarks = 0;

  /** Not started yet: `E2e.start()` and `E2e.forFile()` start it. */
  constructor(private readonly options: E2eOptions = {}) {}

  static async start<T extends E2e>(this: Unstarted<T>, options?: E2eOptions): Promise<T> {
    const e2e = new this(options);
    try {
      await e2e.boot();
    } catch (error) {
      await e2e.close();
      throw error;
    }
    return e2e;
  }

  /** One app for the test file that calls this: started before its tests, closed after them. */
  static forFile<T extends E2e>(this: Unstarted<T>, options?: E2eOptions): T {
    const e2e = new this(options);
    beforeAll(() => e2e.boot());
    afterAll(() => e2e.close());
    return e2e;
  }

  /** Starts the fake Slack, then `options.instances` (default 1) app processes. */
  protected async boot(): Promise<void> {
    // ftrag's own scopes, as Slack would have granted them at install.
    const fake = await startFakeSlack({
      knownChannels: [CHANNEL],
      botScopes: BOT_SCOPES,
      ...(this.options.rateLimits ? { rateLimits: this.options.rateLimits } : {}),
    });
    const tempDir = mkdtempSync(path.join(tmpdir(), 'ftrag-e2e-'));
    const databaseUrl = this.options.databaseUrl ?? `sqlite:${path.join(tempDir, 'ftrag.db')}`;
    this.running = { fake, tempDir, databaseUrl };
    for (let index = 0; index < (this.options.instances ?? 1); index++) await this.startInstance();
  }

  private get started(): Running {
    if (!this.running) throw new Error('the app is not started (or already closed)');
    return this.running;
  }

  get fake(): FakeSlack {
    return this.started.fake;
  }

  get databaseUrl(): string {
    return this.started.databaseUrl;
  }

  get env(): Record<string, string> {
    const env: Record<string, string> = {
      SLACK_BOT_TOKEN: this.fake.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.fake.apiUrl,
      DATABASE_URL: this.databaseUrl,
      LOG_LEVEL: 'error',
      ...this.options.env,
    };
    for (const [name, value] of Object.entries(env)) if (value === '') delete env[name];
    return env;
  }

  private get startOptions(): { entry?: string } {
    return this.options.entry ? { entry: this.options.entry } : {};
  }

  /** Starts one more instance on the same database; `env` over the harness's own. */
  async startInstance(env: Record<string, string> = {}): Promise<number> {
    const app = await startApp({ ...this.env, ...env }, this.startOptions);
    this.apps.push(app);
    this.clients.push(clientFor(app));
    return this.apps.length - 1;
  }

  /** Restarts instance `index` in place (same database, new process). */
  async restart(index = 0, how: 'stop' | 'kill' = 'stop'): Promise<void> {
    const app = this.apps[index];
    if (!app) throw new Error(`no instance ${index}`);
    if (how === 'kill') await app.kill();
    else await app.stop();
    const next = await startApp(this.env, this.startOptions);
    this.apps[index] = next;
    this.clients[index] = clientFor(next);
  }

  slack(index = 0): SlackClientForTests {
    const client = this.clients[index];
    if (!client) throw new Error(`no instance ${index}`);
    return client;
  }

  logs(): string {
    return this.apps.map((app) => app.logs()).join('\n');
  }

  /**
   * Resolves once some instance's output matches `pattern`. A line comes through the process's
   * stdout, so it may arrive after what the test awaited (a Slack call, an HTTP answer).
   */
  async waitForLog(pattern: string | RegExp, timeoutMs = 5000): Promise<void> {
    const matches = (text: string): boolean =>
      typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
    await vi.waitFor(
      () => {
        if (!this.apps.some((app) => matches(app.logs()))) {
          throw new Error(`no instance logged ${String(pattern)} within ${timeoutMs} ms`);
        }
      },
      { timeout: timeoutMs, interval: 20 },
    );
  }

  /**
   * Resolves once all that instance `index` logged before the call has reached the test, so that
   * a line it must not have written can be looked for. Lines come through stdout in order: this
   * sends Slack's app_rate_limited notice for a made-up workspace (`LOG_MARK_TEAM<n>`), whose
   * warning ftrag writes before answering it, and waits for that warning. Needs LOG_LEVEL warn or
   * lower.
   */
  async settleLogs(index = 0): Promise<void> {
    const app = this.apps[index];
    if (!app) throw new Error(`no instance ${index}`);
    this.logMarks += 1;
    const team = `${LOG_MARK_TEAM}${this.logMarks}`;
    const response = await this.slack(index).postJson({
      token: 'legacy',
      type: 'app_rate_limited',
      team_id: team,
      minute_rate_limited: 0,
      api_app_id: 'A0FTRAG001',
    });
    expect(response.status).toBe(200);
    await app.waitForLog(`"team":"${team}"`);
  }

  /** Stops every instance and the fake; a no-op once closed. */
  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await Promise.all(this.apps.map((app) => app.stop().catch(() => undefined)));
    this.apps.length = 0;
    this.clients.length = 0;
    if (!running) return;
    await running.fake.close();
    rmSync(running.tempDir, { recursive: true, force: true });
  }

  /**
   * `/ftrag [text]` in a channel; returns the opened modal. A modal is waited for unless the text
   * is `help` or `history`, or `opensModal` says otherwise.
   */
  async slashCommand(
    text: string,
    options: {
      user?: string;
      channel?: string;
      instance?: number;
      responseUrl?: string;
      opensModal?: boolean;
    } = {},
  ): Promise<{ response: SlackHttpResponse; modal: StoredView | undefined; responseUrl: string }> {
    const user = options.user ?? ASKER;
    const channel = options.channel ?? CHANNEL;
    const responseUrl = options.responseUrl ?? this.fake.newResponseUrl({ channel, userId: user });
    const before = this.fake.calls.length;
    const response = await this.slack(options.instance).slashCommand({
      command: '/ftrag',
      text,
      channelId: channel,
      user,
      triggerId: this.fake.issueTriggerId({ userId: user }),
      responseUrl,
    });
    let modal: StoredView | undefined;
    const opensModal =
      options.opensModal ?? !['help', 'history'].includes(text.trim().toLowerCase());
    if (response.status === 200 && opensModal) {
      modal = await this.openedModal(before);
    }
    return { response, modal, responseUrl };
  }

  /** Sends an Events API event (wrapped in its envelope); Slack must get a 200. */
  async event(
    event: JsonObject,
    options: { instance?: number; workspace?: InteractionContext['workspace'] } = {},
  ): Promise<void> {
    const response = await this.slack(options.instance).event(
      buildEventCallback(event, { workspace: options.workspace }),
    );
    expect(response.status).toBe(200);
  }

  /** The first views.open call since call index `before`: the opened modal's id and the call's args. */
  async modalOpenedSince(before: number): Promise<{ id: string; args: Record<string, unknown> }> {
    const call = await this.fake.waitFor('views.open', (c) => c.index >= before);
    const id =
      isRecord(call.response) && isRecord(call.response.view) ? String(call.response.view.id) : '';
    if (!id) throw new Error(`views.open failed: ${JSON.stringify(call.response)}`);
    return { id, args: call.args };
  }

  /** The modal the first views.open since call index `before` opened, as the fake has it now. */
  async openedModal(before: number): Promise<StoredView> {
    const { id } = await this.modalOpenedSince(before);
    const stored = this.fake.view(id);
    if (!stored) throw new Error('views.open answered without a view');
    return stored;
  }

  /**
   * Picks a review's menu option in Home (in the person's own list) and returns the modal it
   * opens. The menu must offer `choice`, unless `unchecked` (see {@link Unchecked}).
   */
  async reviewMenuModal(
    home: StoredView,
    reviewId: string,
    choice: string,
    options: { user?: string; instance?: number } & Unchecked = {},
  ): Promise<{ id: string; args: Record<string, unknown> }> {
    const before = this.fake.calls.length;
    await this.chooseOverflow(
      home,
      `mine_${reviewId}`,
      ActionId.reviewMenu,
      `${choice}:${reviewId}`,
      options,
    );
    return this.modalOpenedSince(before);
  }

  /**
   * Opens the Home tab as `user` (of `workspace`) and returns what the app published: the fake's
   * record of it, which it updates in place when the app publishes Home again. To act later on
   * the Home as published now (a stale tab), keep a copy: `structuredClone(await openHome())`.
   */
  async openHome(
    user: string = ASKER,
    options: { instance?: number; workspace?: InteractionContext['workspace'] } = {},
  ): Promise<StoredView> {
    const before = this.fake.calls.length;
    await this.event(appHomeOpenedEvent({ user }), options);
    await this.fake.waitFor(
      'views.publish',
      (call) => call.index >= before && call.args.user_id === user,
    );
    const home = this.fake.homeView(user);
    if (!home) throw new Error('no Home view');
    return home;
  }

  /** The message `ts` of `channel`, as the fake has it now. */
  message(channel: string, ts: string): StoredMessage {
    const found = this.fake.allMessages().find((m) => m.ts === ts && m.channel === channel);
    if (!found) throw new Error(`no message ${ts} in ${channel}`);
    return found;
  }

  /**
   * Clicks a button in a view (Home or modal) or in a message (which gets a response_url) as
   * `user`; Slack must get a 200. Waits for nothing the click causes. Throws, sending nothing,
   * when `target` has no such button (in block `blockId`, when given). In a view, `values` is
   * what the person has entered so far; the view's initial values otherwise.
   */
  async click(
    target: StoredView | StoredMessage,
    actionId: string,
    options: { user?: string; blockId?: string; instance?: number; values?: ViewValues } = {},
  ): Promise<SlackHttpResponse> {
    const clickOptions = this.clickOptions(target, options);
    return this.interact(
      clickButton(
        target,
        actionId,
        options.values ? { ...clickOptions, values: options.values } : clickOptions,
      ),
      options.instance,
    );
  }

  /**
   * Picks option `value` of the overflow menu `actionId` in block `blockId` of a view or message,
   * as `user`; Slack must get a 200. Throws, sending nothing, when `target` does not offer that
   * option there, unless `unchecked` (see {@link Unchecked}).
   */
  async chooseOverflow(
    target: StoredView | StoredMessage,
    blockId: string,
    actionId: string,
    value: string,
    options: { user?: string; instance?: number } & Unchecked = {},
  ): Promise<SlackHttpResponse> {
    const clickOptions = this.clickOptions(target, options);
    const payload = options.unchecked
      ? forgedBlockAction(
          target,
          {
            type: 'overflow',
            action_id: actionId,
            block_id: blockId,
            selected_option: { text: { type: 'plain_text', text: value }, value },
          },
          clickOptions,
        )
      : chooseOption(target, blockId, actionId, value, clickOptions);
    return this.interact(payload, options.instance);
  }

  /** A fresh trigger id and, for a message, a response_url, as Slack gives with each action. */
  private clickOptions(
    target: StoredView | StoredMessage,
    options: { user?: string; blockId?: string },
  ): ClickOptions {
    const user = options.user ?? ASKER;
    return {
      user,
      blockId: options.blockId,
      triggerId: this.fake.issueTriggerId({ userId: user }),
      responseUrl:
        target.type === 'message'
          ? this.fake.newResponseUrl({
              channel: target.channel,
              messageTs: target.ts,
              userId: user,
            })
          : undefined,
    };
  }

  /** Posts an interactive payload to instance `instance`; Slack must get a 200. */
  private async interact(
    payload: object,
    instance: number | undefined,
  ): Promise<SlackHttpResponse> {
    const response = await this.slack(instance).interactive(payload);
    expect(response.status).toBe(200);
    return response;
  }

  /**
   * Submits the modal's current view with `values`; the ack must be one Slack accepts, and the
   * fake's view follows it.
   */
  async submit(
    modalId: string,
    values: ViewValues,
    options: { user?: string; instance?: number; skipClientValidation?: boolean } = {},
  ): Promise<SlackHttpResponse> {
    const view = this.fake.view(modalId);
    if (!view) throw new Error(`no view ${modalId}`);
    const payload = fillAndSubmit(view, values, {
      user: options.user ?? ASKER,
      skipClientValidation: options.skipClientValidation,
      allowMissingRequired: options.skipClientValidation,
    });
    const response = await this.interact(payload, options.instance);
    expect(this.fake.applyViewResponse(modalId, response.json ?? null).ok).toBe(true);
    return response;
  }

  /**
   * Answers whatever checklist step is on screen until the last one is submitted and the modal
   * closes; resolves with that last ack. `extra` fills blocks such as the destination or the
   * broadcast box; `instanceFor` picks which app instance serves each step (to prove any
   * instance can serve any step).
   */
  async walkChecklist(
    modalId: string,
    answers: Answers,
    options: { user?: string; instanceFor?: (step: number) => number; extra?: ViewValues } = {},
  ): Promise<SlackHttpResponse> {
    for (let step = 0; step < 8; step++) {
      const view = this.fake.view(modalId);
      if (!view?.open) throw new Error('modal closed before the last step');
      const values = valuesForStep(view, answers, options.extra ?? {});
      const submit = isRecord(view.view.submit) ? view.view.submit.text : undefined;
      const isLast = submit !== undefined && submit !== 'Next';
      const response = await this.submit(modalId, values, {
        user: options.user,
        instance: options.instanceFor?.(step) ?? 0,
      });
      if (isLast) {
        expect(response.bodyText).toBe('');
        return response;
      }
      expect(response.json).toMatchObject({ response_action: 'update' });
    }
    throw new Error('the checklist did not end');
  }
}

function clientFor(app: AppProcess): SlackClientForTests {
  return new SlackClientForTests({ baseUrl: app.baseUrl, signingSecret: SIGNING_SECRET });
}

export function blocksOf(source: { blocks?: unknown }): JsonObject[] {
  return Array.isArray(source.blocks) ? source.blocks.filter(isRecord) : [];
}

/**
 * Whether `block` is a verdict message's sign-off buttons: its block_id is
 * `BlockId.verdictActions`, with `@` and the verdict version after it when the message shows one.
 */
export function isVerdictActions(block: unknown): boolean {
  if (!isRecord(block) || typeof block.block_id !== 'string') return false;
  const id = block.block_id;
  return id === BlockId.verdictActions || id.startsWith(`${BlockId.verdictActions}@`);
}

/** The header of a verdict message, e.g. "Verdict: RAG". */
export function headerOf(message: { blocks?: unknown }): string {
  const header = blocksOf(message).find((block) => block.type === 'header');
  return isRecord(header?.text) ? String(header.text.text) : '';
}

function blockIds(view: StoredView): Set<string> {
  const blocks = Array.isArray(view.view.blocks) ? view.view.blocks : [];
  return new Set(blocks.filter(isRecord).map((block) => String(block.block_id)));
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/**
 * The values a person would enter on the step on screen, for these answers. Without a `problem`
 * in the answers, "What goes wrong today?" is left as it is (empty, or pre-filled from a thread).
 */
export function valuesForStep(view: StoredView, answers: Answers, extra: ViewValues): ViewValues {
  const ids = blockIds(view);
  const values: ViewValues = {};
  if (ids.has(BlockId.title)) {
    values[BlockId.title] = { [ActionId.title]: answers.title };
    if (answers.problem !== undefined) {
      values[BlockId.problem] = { [ActionId.problem]: answers.problem };
    }
    values[BlockId.leaning] = { [ActionId.leaning]: answers.leaning };
  }
  // Ticked only when said; left unticked it is not said.
  if (ids.has(BlockId.restrictedData) && answers.restrictedData) {
    values[BlockId.restrictedData] = { [ActionId.restrictedData]: ['restricted'] };
  }
  if (ids.has(BlockId.promptTried))
    values[BlockId.promptTried] = { [ActionId.promptTried]: answers.promptTried };
  if (ids.has(BlockId.gap)) values[BlockId.gap] = { [ActionId.gap]: answers.gap };
  if (ids.has(BlockId.changesOften) && answers.knowledge) {
    values[BlockId.changesOften] = {
      [ActionId.changesOften]: yesNo(answers.knowledge.changesOften),
    };
    values[BlockId.citationsNeeded] = {
      [ActionId.citationsNeeded]: yesNo(answers.knowledge.citationsNeeded),
    };
  }
  // Answers without it leave the question unanswered, which the driver refuses as Slack would.
  if (ids.has(BlockId.fitsInPrompt) && answers.knowledge?.fitsInPrompt !== undefined) {
    values[BlockId.fitsInPrompt] = {
      [ActionId.fitsInPrompt]: yesNo(answers.knowledge.fitsInPrompt),
    };
  }
  if (ids.has(BlockId.labeledExamples) && answers.behavior) {
    values[BlockId.behaviorKinds] = { [ActionId.behaviorKinds]: answers.behavior.kinds ?? [] };
    values[BlockId.labeledExamples] = {
      [ActionId.labeledExamples]: String(answers.behavior.labeledExamples),
    };
    values[BlockId.trainingBudget] = {
      [ActionId.trainingBudget]: yesNo(answers.behavior.trainingBudget),
    };
  }
  for (const [blockId, value] of Object.entries(extra))
    if (ids.has(blockId)) values[blockId] = value;
  return values;
}

function collectMrkdwn(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectMrkdwn(item, into);
  } else if (isRecord(value)) {
    if (value.type === 'mrkdwn' && typeof value.text === 'string') into.push(value.text);
    for (const child of Object.values(value)) collectMrkdwn(child, into);
  }
}

/**
 * Everything the app sent to Slack that Slack would parse as mrkdwn: the `text` and
 * `initial_comment` of every call, mrkdwn text objects in any block or view, and response_url
 * posts. (plain_text and input values are shown literally by Slack, so they cannot ping anyone.)
 */
export function mrkdwnSentToSlack(fake: FakeSlack): string[] {
  const texts: string[] = [];
  for (const call of fake.calls) {
    for (const key of ['text', 'initial_comment']) {
      const value = call.args[key];
      if (typeof value === 'string') texts.push(value);
    }
    collectMrkdwn(call.args, texts);
  }
  for (const post of fake.responseUrlPosts) {
    collectMrkdwn(post.body, texts);
    if (isRecord(post.body) && typeof post.body.text === 'string') texts.push(post.body.text);
  }
  return texts;
}

/** Whether Slack reads an argument as false (a form-encoded call sends `"false"`). */
const isFalse = (value: unknown): boolean => value === false || value === 'false';

/**
 * The new messages the app posted for a conversation to see (chat.postMessage, and response_url
 * posts `in_channel` other than replacements) that carry `typed` (a link typed into a field) but
 * would unfurl it: without `unfurl_links: false` and `unfurl_media: false`, Slack may preview what
 * a person typed for the whole conversation. Each is named by where it went and its text's start.
 */
export function postsThatUnfurl(fake: FakeSlack, typed: string): string[] {
  const unfurling = (message: unknown): boolean =>
    isRecord(message) &&
    JSON.stringify(message).includes(typed) &&
    !(isFalse(message.unfurl_links) && isFalse(message.unfurl_media));
  const found: string[] = [];
  for (const call of fake.calls) {
    if (call.method === 'chat.postMessage' && unfurling(call.args)) {
      found.push(
        `chat.postMessage to ${String(call.args.channel)}: ${String(call.args.text).slice(0, 60)}`,
      );
    }
  }
  for (const { body } of fake.responseUrlPosts) {
    if (!isRecord(body) || body.response_type !== 'in_channel' || body.replace_original === true) {
      continue;
    }
    if (unfurling(body)) found.push(`response_url: ${String(body.text).slice(0, 60)}`);
  }
  return found;
}

export const EXAMPLES = {
  knowledge: {
    title: 'Who is our Q3 enterprise contact?',
    leaning: 'undecided',
    promptTried: 'scored-falls-short',
    gap: 'knowledge',
    knowledge: { changesOften: true, citationsNeeded: true, fitsInPrompt: false },
  },
  /** A few pages of stable facts, no prompt tried yet: they go in the prompt first. */
  factsInPrompt: {
    title: 'Answer questions about our 12 office addresses',
    leaning: 'rag',
    promptTried: 'not-yet',
    gap: 'knowledge',
    knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
  },
  behavior: {
    title: 'Classify tickets into our 9 internal categories',
    leaning: 'undecided',
    promptTried: 'scored-falls-short',
    gap: 'behavior',
    behavior: { kinds: ['classification'], labeledExamples: 500, trainingBudget: true },
  },
  both: {
    title: 'Refund answers as strict JSON',
    problem: 'It quotes last quarter’s policy and breaks our JSON format.',
    leaning: 'rag+fine-tune',
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: false },
    behavior: { kinds: ['format'], labeledExamples: 300, trainingBudget: true },
  },
  prompt: {
    title: 'Summaries a system prompt and three examples would have fixed',
    leaning: 'fine-tune',
    promptTried: 'scored-good-enough',
    gap: 'behavior',
    behavior: { kinds: ['format'], labeledExamples: 10, trainingBudget: false },
  },
  neither: {
    title: 'Flaky answers we have not looked at yet',
    leaning: 'undecided',
    promptTried: 'not-yet',
    gap: 'unsure',
  },
} satisfies Record<string, Answers>;
