/**
 * The real app over HTTP against the loopback fake of Slack, for the review-thread features:
 * shortcuts and mentions, sign-offs, re-runs and exports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ActionId, BlockId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { createStorage, type Review, type Storage } from '../../src/storage/index.js';
import { type AppProcess, startApp } from '../support/appProcess.js';
import {
  type FakeSlack,
  type RecordedCall,
  type StoredMessage,
  type StoredView,
  startFakeSlack,
} from '../support/fakeSlack.js';
import { isRecord, type JsonObject } from '../support/json.js';
import {
  buildEventCallback,
  clickButton,
  fillAndSubmit,
  SlackClientForTests,
  type SlackHttpResponse,
  type ViewValues,
} from '../support/slackRequests.js';

export const SIGNING_SECRET = 'threads-signing-secret-0123456789';
export const CHANNEL = 'C0THREADS1';
export const ASKER = 'U0ASKER001';
export const ALICE = 'U0ALICE001';
export const BOB = 'U0BOB00001';
/** Typed wherever text can be typed: it must never reach Slack as a live mention. */
export const HOSTILE = '<!channel> <@U0EVIL0001> <https://evil.test|click> & co';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ThreadsApp {
  private constructor(
    readonly fake: FakeSlack,
    readonly app: AppProcess,
    readonly slack: SlackClientForTests,
    /** The app's database, read directly to know when background work has finished. */
    readonly storage: Storage,
    private readonly tempDir: string,
  ) {}

  static async start(): Promise<ThreadsApp> {
    const fake = await startFakeSlack({ knownChannels: [CHANNEL] });
    const tempDir = mkdtempSync(path.join(tmpdir(), 'ftrag-threads-'));
    try {
      const databaseUrl = `sqlite:${path.join(tempDir, 'ftrag.db')}`;
      const app = await startApp({
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
      });
      const slack = new SlackClientForTests({
        baseUrl: app.baseUrl,
        signingSecret: SIGNING_SECRET,
      });
      const storage = await createStorage(databaseUrl);
      return new ThreadsApp(fake, app, slack, storage, tempDir);
    } catch (error) {
      await fake.close();
      rmSync(tempDir, { recursive: true, force: true });
      throw error;
    }
  }

  async close(): Promise<void> {
    // THREADS_DEBUG=1 shows what the app logged, to debug a failing test.
    if (process.env.THREADS_DEBUG) process.stderr.write(this.app.logs());
    await this.storage.close();
    await this.app.stop().catch(() => undefined);
    await this.fake.close();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** Resolves with the view a views.open call (made after `before`) opened. */
  async openedModal(before: number): Promise<StoredView> {
    const call = await this.fake.waitFor('views.open', (c) => c.index >= before);
    const view = isRecord(call.response) && isRecord(call.response.view) ? call.response.view : {};
    const stored = this.fake.view(String(view.id));
    if (!stored) throw new Error('views.open answered without a view');
    return stored;
  }

  /** Submits the modal's current view and keeps the fake's view in sync with the ack. */
  async submit(modalId: string, values: ViewValues, user: string): Promise<SlackHttpResponse> {
    const view = this.fake.view(modalId);
    if (!view) throw new Error(`no view ${modalId}`);
    const response = await this.slack.interactive(fillAndSubmit(view, values, { user }));
    expect(response.status).toBe(200);
    expect(this.fake.applyViewResponse(modalId, response.json ?? null).ok).toBe(true);
    return response;
  }

  /** Answers every checklist step on screen; `extra` fills blocks such as the broadcast box. */
  async walkChecklist(
    modalId: string,
    answers: Answers,
    user: string,
    extra: ViewValues = {},
  ): Promise<void> {
    for (let step = 0; step < 8; step++) {
      const view = this.fake.view(modalId);
      if (!view?.open) throw new Error('modal closed before the last step');
      const submit = isRecord(view.view.submit) ? view.view.submit.text : undefined;
      const response = await this.submit(modalId, valuesForStep(view, answers, extra), user);
      if (submit !== 'Next') {
        expect(response.bodyText).toBe('');
        return;
      }
      expect(response.json).toMatchObject({ response_action: 'update' });
    }
    throw new Error('the checklist did not end');
  }

  /** `/ftrag` then the whole checklist; resolves with the verdict's parent message. */
  async reviewByCommand(answers: Answers, user: string = ASKER): Promise<StoredMessage> {
    const before = this.fake.calls.length;
    const response = await this.slack.slashCommand({
      command: '/ftrag',
      channelId: CHANNEL,
      user,
      triggerId: this.fake.issueTriggerId({ userId: user }),
      responseUrl: this.fake.newResponseUrl({ channel: CHANNEL, userId: user }),
    });
    expect(response.status).toBe(200);
    const modal = await this.openedModal(before);
    const posted = this.fake.calls.length;
    await this.walkChecklist(modal.id, answers, user);
    const call = await this.postedParent(posted);
    return this.message(CHANNEL, String(call.response?.ts));
  }

  /**
   * The first verdict message posted after `before` (in `threadTs` when given), once its delivery
   * has finished: detail posted and the review saved with where it landed.
   */
  async postedParent(before: number, threadTs?: string): Promise<RecordedCall> {
    const call = await this.fake.waitFor(
      'chat.postMessage',
      (c) =>
        c.index >= before &&
        c.response?.ok === true &&
        blocksOf(c.args).some((b) => b.block_id === BlockId.verdictActions) &&
        (threadTs === undefined || c.args.thread_ts === threadTs),
    );
    await this.delivered(reviewIdOf(call.args));
    return call;
  }

  /** Waits until the app has saved where review `id` landed. */
  async delivered(id: string): Promise<Review> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const review = await this.storage.reviews.get(this.fake.teamId, id);
      if (review && review.status !== 'pending') return review;
      await sleep(25);
    }
    throw new Error(`review ${id} was not delivered`);
  }

  message(channel: string, ts: string): StoredMessage {
    const found = this.fake.allMessages().find((m) => m.ts === ts && m.channel === channel);
    if (!found) throw new Error(`no message ${ts} in ${channel}`);
    return found;
  }

  /** Clicks a button in a message as `user`; waits for nothing. */
  async click(message: StoredMessage, actionId: string, user: string): Promise<SlackHttpResponse> {
    const payload = clickButton(message, actionId, {
      user,
      triggerId: this.fake.issueTriggerId({ userId: user }),
      responseUrl: this.fake.newResponseUrl({
        channel: message.channel,
        messageTs: message.ts,
        userId: user,
      }),
    });
    const response = await this.slack.interactive(payload);
    expect(response.status).toBe(200);
    return response;
  }

  /** Clicks and resolves with the chat.update of `message` that follows. */
  async clickAndWaitForUpdate(
    message: StoredMessage,
    actionId: string,
    user: string,
  ): Promise<StoredMessage> {
    const before = this.fake.calls.length;
    await this.click(message, actionId, user);
    await this.fake.waitFor('chat.update', (c) => c.index >= before && c.args.ts === message.ts);
    return this.message(message.channel, message.ts);
  }

  /** Challenge with a reason; resolves with the updated message. */
  async challenge(message: StoredMessage, user: string, reason: string): Promise<StoredMessage> {
    const before = this.fake.calls.length;
    await this.click(message, ActionId.challenge, user);
    const modal = await this.openedModal(before);
    const submitted = this.fake.calls.length;
    await this.submit(
      modal.id,
      { [BlockId.challengeReason]: { [ActionId.challengeReason]: reason } },
      user,
    );
    await this.fake.waitFor('chat.update', (c) => c.index >= submitted && c.args.ts === message.ts);
    return this.message(message.channel, message.ts);
  }

  /** Sends an Events API event (wrapped in its envelope). */
  async event(event: JsonObject): Promise<void> {
    const response = await this.slack.event(buildEventCallback(event));
    expect(response.status).toBe(200);
  }
}

/** The review id the verdict message's buttons carry. */
export function reviewIdOf(message: { blocks?: unknown }): string {
  const actions = blocksOf(message).find((block) => block.block_id === BlockId.verdictActions);
  const first = Array.isArray(actions?.elements) ? actions.elements.filter(isRecord)[0] : undefined;
  if (typeof first?.value !== 'string') throw new Error('no verdict buttons in the message');
  return first.value;
}

export function blocksOf(source: { blocks?: unknown }): JsonObject[] {
  return Array.isArray(source.blocks) ? source.blocks.filter(isRecord) : [];
}

/** The sign-off line of a verdict message. */
export function tallyOf(message: StoredMessage): string {
  const tally = blocksOf(message).find((block) => block.block_id === BlockId.verdictTally);
  const elements = Array.isArray(tally?.elements) ? tally.elements.filter(isRecord) : [];
  return String(elements[0]?.text ?? '');
}

/** The header of a verdict message, e.g. "Verdict: RAG". */
export function headerOf(message: StoredMessage): string {
  const header = blocksOf(message).find((block) => block.type === 'header');
  return isRecord(header?.text) ? String(header.text.text) : '';
}

function blockIds(view: StoredView): Set<string> {
  const blocks = Array.isArray(view.view.blocks) ? view.view.blocks : [];
  return new Set(blocks.filter(isRecord).map((block) => String(block.block_id)));
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** What a person enters on the step on screen for these answers (problem left as pre-filled). */
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
  if (ids.has(BlockId.promptTried)) {
    values[BlockId.promptTried] = { [ActionId.promptTried]: answers.promptTried };
  }
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
  for (const [blockId, value] of Object.entries(extra)) {
    if (ids.has(blockId)) values[blockId] = value;
  }
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
 * Every text the app sent that Slack parses as mrkdwn (message text, initial comments, mrkdwn
 * objects in blocks and views, response_url posts). plain_text and input values are shown
 * literally, so they can't ping anyone.
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

/** Asserts no typed `<!channel>`, `<@U0EVIL…>` or link reached Slack, and every call fit the limits. */
export function expectSafeAndWithinLimits(fake: FakeSlack): void {
  expect(fake.violations).toEqual([]);
  const sent = mrkdwnSentToSlack(fake).join('\n');
  expect(sent).not.toContain('<!channel>');
  expect(sent).not.toContain('<@U0EVIL0001>');
  expect(sent).not.toContain('<https://evil.test');
}

export const KNOWLEDGE: Answers = {
  title: `Policy bot ${HOSTILE}`,
  problem: `Quotes last quarter's refund window ${HOSTILE}`,
  leaning: 'fine-tune',
  promptTried: 'still-unreliable',
  gap: 'knowledge',
  knowledge: { changesOften: true, citationsNeeded: true },
};

export const BEHAVIOR: Answers = {
  ...KNOWLEDGE,
  gap: 'behavior',
  knowledge: undefined,
  behavior: { kinds: ['format'], labeledExamples: 800, trainingBudget: true },
};
