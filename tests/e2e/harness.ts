import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ActionId, BlockId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { type AppProcess, startApp } from '../support/appProcess.js';
import { type FakeSlack, type StoredView, startFakeSlack } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import {
  appHomeOpenedEvent,
  buildEventCallback,
  clickButton,
  fillAndSubmit,
  type InteractionContext,
  SlackClientForTests,
  type SlackHttpResponse,
  type ViewValues,
} from '../support/slackRequests.js';

export const SIGNING_SECRET = 'e2e-signing-secret-0123456789abcdef';
export const CHANNEL = 'C0REVIEWS1';
export const ASKER = 'U0ASKER001';

export interface E2eOptions {
  /** Defaults to a fresh SQLite file in a temp folder. */
  databaseUrl?: string;
  instances?: number;
  /** Extra settings; a value of '' removes the setting (e.g. SLACK_BOT_TOKEN in OAuth mode). */
  env?: Record<string, string>;
}

/** The real app (one or more processes) over HTTP, against the loopback fake of Slack. */
export class E2e {
  readonly apps: AppProcess[] = [];
  readonly clients: SlackClientForTests[] = [];
  private readonly tempDir: string;
  readonly databaseUrl: string;
  private readonly extraEnv: Record<string, string>;

  private constructor(
    readonly fake: FakeSlack,
    options: E2eOptions,
  ) {
    this.extraEnv = options.env ?? {};
    this.tempDir = mkdtempSync(path.join(tmpdir(), 'ftrag-e2e-'));
    this.databaseUrl = options.databaseUrl ?? `sqlite:${path.join(this.tempDir, 'ftrag.db')}`;
  }

  static async start(options: E2eOptions = {}): Promise<E2e> {
    const fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    const e2e = new E2e(fake, options);
    for (let index = 0; index < (options.instances ?? 1); index++) await e2e.startInstance();
    return e2e;
  }

  get env(): Record<string, string> {
    const env: Record<string, string> = {
      SLACK_BOT_TOKEN: this.fake.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.fake.apiUrl,
      DATABASE_URL: this.databaseUrl,
      LOG_LEVEL: 'error',
      ...this.extraEnv,
    };
    for (const [name, value] of Object.entries(env)) if (value === '') delete env[name];
    return env;
  }

  async startInstance(): Promise<number> {
    const app = await startApp(this.env);
    this.apps.push(app);
    this.clients.push(
      new SlackClientForTests({ baseUrl: app.baseUrl, signingSecret: SIGNING_SECRET }),
    );
    return this.apps.length - 1;
  }

  /** Restarts instance `index` in place (same database, new process). */
  async restart(index = 0, how: 'stop' | 'kill' = 'stop'): Promise<void> {
    const app = this.apps[index];
    if (!app) throw new Error(`no instance ${index}`);
    if (how === 'kill') await app.kill();
    else await app.stop();
    const next = await startApp(this.env);
    this.apps[index] = next;
    this.clients[index] = new SlackClientForTests({
      baseUrl: next.baseUrl,
      signingSecret: SIGNING_SECRET,
    });
  }

  slack(index = 0): SlackClientForTests {
    const client = this.clients[index];
    if (!client) throw new Error(`no instance ${index}`);
    return client;
  }

  logs(): string {
    return this.apps.map((app) => app.logs()).join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop().catch(() => undefined)));
    await this.fake.close();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** `/ftrag [text]` in a channel; returns the opened modal. */
  async slashCommand(
    text: string,
    options: { user?: string; channel?: string; instance?: number; responseUrl?: string } = {},
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
    if (response.status === 200 && !['help', 'history'].includes(text.trim().toLowerCase())) {
      modal = this.fake.view((await this.modalOpenedSince(before)).id);
    }
    return { response, modal, responseUrl };
  }

  /** The modal the app opened with the first views.open since call index `before`. */
  async modalOpenedSince(before: number): Promise<{ id: string; args: Record<string, unknown> }> {
    const call = await this.fake.waitFor('views.open', (c) => c.index >= before);
    const id =
      isRecord(call.response) && isRecord(call.response.view) ? String(call.response.view.id) : '';
    if (!id) throw new Error(`views.open failed: ${JSON.stringify(call.response)}`);
    return { id, args: call.args };
  }

  /** Picks a review's menu option in Home and returns the modal it opens. */
  async reviewMenuModal(
    home: StoredView,
    reviewId: string,
    choice: string,
  ): Promise<{ id: string; args: Record<string, unknown> }> {
    const before = this.fake.calls.length;
    await this.chooseOverflow(
      home,
      `mine_${reviewId}`,
      ActionId.reviewMenu,
      `${choice}:${reviewId}`,
    );
    return this.modalOpenedSince(before);
  }

  /** Opens the Home tab as `user` (of `workspace`) and returns what the app published. */
  async openHome(
    user: string = ASKER,
    options: { instance?: number; workspace?: InteractionContext['workspace'] } = {},
  ): Promise<StoredView> {
    const before = this.fake.calls.length;
    const response = await this.slack(options.instance).event(
      buildEventCallback(appHomeOpenedEvent({ user }), { workspace: options.workspace }),
    );
    expect(response.status).toBe(200);
    await this.fake.waitFor(
      'views.publish',
      (call) => call.index >= before && call.args.user_id === user,
    );
    const home = this.fake.homeView(user);
    if (!home) throw new Error('no Home view');
    return home;
  }

  /** Clicks a button in a view (Home or modal); returns the calls the click caused, once `until` arrives. */
  async clickInView(
    view: StoredView,
    actionId: string,
    options: { user?: string; blockId?: string; instance?: number } = {},
  ): Promise<SlackHttpResponse> {
    const user = options.user ?? ASKER;
    const payload = clickButton(view, actionId, {
      user,
      blockId: options.blockId,
      triggerId: this.fake.issueTriggerId({ userId: user }),
    });
    return this.slack(options.instance).interactive(payload);
  }

  /** Picks an option of an overflow menu in a view (buttons are what the driver clicks natively). */
  async chooseOverflow(
    view: StoredView,
    blockId: string,
    actionId: string,
    value: string,
    options: { user?: string; instance?: number } = {},
  ): Promise<SlackHttpResponse> {
    const user = options.user ?? ASKER;
    const payload = clickButton(view, ActionId.startReview, {
      user,
      triggerId: this.fake.issueTriggerId({ userId: user }),
    });
    payload.actions = [
      {
        type: 'overflow',
        action_id: actionId,
        block_id: blockId,
        selected_option: { text: { type: 'plain_text', text: value }, value },
        action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
    ];
    return this.slack(options.instance).interactive(payload);
  }

  /** Submits the modal's current view with `values`; keeps the fake's view in sync with the ack. */
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
    const response = await this.slack(options.instance).interactive(payload);
    expect(response.status).toBe(200);
    this.fake.applyViewResponse(modalId, response.json ?? null);
    return response;
  }

  /**
   * Answers whatever checklist step is on screen until the last one is submitted. `instanceFor`
   * picks which app instance serves each step (to prove any instance can serve any step).
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
      if (isLast) return response;
      expect(response.json).toMatchObject({ response_action: 'update' });
    }
    throw new Error('the checklist did not end');
  }
}

function blockIds(view: StoredView): Set<string> {
  const blocks = Array.isArray(view.view.blocks) ? view.view.blocks : [];
  return new Set(blocks.filter(isRecord).map((block) => String(block.block_id)));
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** The values a person would enter on the step on screen, for these answers. */
export function valuesForStep(view: StoredView, answers: Answers, extra: ViewValues): ViewValues {
  const ids = blockIds(view);
  const values: ViewValues = {};
  if (ids.has(BlockId.title)) {
    values[BlockId.title] = { [ActionId.title]: answers.title };
    values[BlockId.problem] = { [ActionId.problem]: answers.problem ?? null };
    values[BlockId.leaning] = { [ActionId.leaning]: answers.leaning };
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
 * Everything the app sent to Slack that Slack would parse as mrkdwn: message `text`, mrkdwn text
 * objects in any block or view, and response_url posts. (plain_text and input values are shown
 * literally by Slack, so they cannot ping anyone.)
 */
export function mrkdwnSentToSlack(fake: FakeSlack): string[] {
  const texts: string[] = [];
  for (const call of fake.calls) {
    if (call.method.startsWith('chat.') && typeof call.args.text === 'string')
      texts.push(call.args.text);
    collectMrkdwn(call.args, texts);
  }
  for (const post of fake.responseUrlPosts) collectMrkdwn(post, texts);
  for (const post of fake.responseUrlPosts) {
    const body = isRecord(post) && isRecord(post.body) ? post.body : post;
    if (isRecord(body) && typeof body.text === 'string') texts.push(body.text);
  }
  return texts;
}

export const EXAMPLES = {
  knowledge: {
    title: 'Who is our Q3 enterprise contact?',
    leaning: 'undecided',
    promptTried: 'still-unreliable',
    gap: 'knowledge',
    knowledge: { changesOften: true, citationsNeeded: true },
  },
  behavior: {
    title: 'Classify tickets into our 9 internal categories',
    leaning: 'undecided',
    promptTried: 'still-unreliable',
    gap: 'behavior',
    behavior: { kinds: ['classification'], labeledExamples: 500, trainingBudget: true },
  },
  both: {
    title: 'Refund answers as strict JSON',
    problem: 'It quotes last quarter’s policy and breaks our JSON format.',
    leaning: 'rag+fine-tune',
    promptTried: 'still-unreliable',
    gap: 'both',
    knowledge: { changesOften: true, citationsNeeded: false },
    behavior: { kinds: ['format'], labeledExamples: 300, trainingBudget: true },
  },
  prompt: {
    title: 'Summaries a system prompt and three examples would have fixed',
    leaning: 'fine-tune',
    promptTried: 'good-enough',
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
