/**
 * `E2e` for the review-thread features (shortcuts and mentions, sign-offs, re-runs and exports):
 * the verdict message in its thread, the app's database, and answers that carry hostile text.
 */
import { expect } from 'vitest';
import { ActionId, BlockId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { createStorage, type Review, type Storage } from '../../src/storage/index.js';
import {
  ASKER,
  blocksOf,
  CHANNEL,
  E2e,
  type E2eOptions,
  isVerdictActions,
  mrkdwnSentToSlack,
  postsThatUnfurl,
} from '../e2e/harness.js';
import type { FakeSlack, RecordedCall, StoredMessage } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import type { ViewValues } from '../support/slackRequests.js';

export const ALICE = 'U0ALICE001';
export const BOB = 'U0BOB00001';
/** Typed wherever text can be typed: it must never reach Slack as a live mention. */
export const HOSTILE = '<!channel> <@U0EVIL0001> <https://evil.test|click> & co';
/**
 * A message's text as Slack sends it: mentions and links as control sequences, `&`, `<`, `>` as
 * entities. {@link HOSTILE_MESSAGE_AS_READ} is what a reader saw, which is what pre-fills a field.
 */
export const HOSTILE_MESSAGE =
  '<!channel> <@U0EVIL0001|evil> <https://evil.test|click> &lt;b&gt;R&amp;D&lt;/b&gt; &amp;amp;';
export const HOSTILE_MESSAGE_AS_READ = '@channel @evil click (https://evil.test) <b>R&D</b> &amp;';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ThreadsApp extends E2e {
  private openedStorage: Storage | undefined;

  constructor(options: E2eOptions = {}) {
    super({ ...options, env: { LOG_LEVEL: 'warn', ...options.env } });
  }

  /** The app's database, read directly to know when background work has finished. */
  get storage(): Storage {
    if (!this.openedStorage) throw new Error('the app is not started (or already closed)');
    return this.openedStorage;
  }

  protected override async boot(): Promise<void> {
    await super.boot();
    this.openedStorage = await createStorage(this.databaseUrl);
  }

  override async close(): Promise<void> {
    // THREADS_DEBUG=1 shows what the app logged, to debug a failing test.
    if (process.env.THREADS_DEBUG) process.stderr.write(this.logs());
    const storage = this.openedStorage;
    this.openedStorage = undefined;
    await storage?.close();
    await super.close();
  }

  /** `/ftrag` then the whole checklist; resolves with the verdict's parent message. */
  async reviewByCommand(answers: Answers, user: string = ASKER): Promise<StoredMessage> {
    const { response, modal } = await this.slashCommand('', { user });
    expect(response.status).toBe(200);
    if (!modal) throw new Error('no modal');
    const call = await this.walkToVerdict(modal.id, answers, { user });
    return this.message(CHANNEL, String(call.response?.ts));
  }

  /** Walks the checklist in `modalId`; resolves with the verdict it posted, once delivered. */
  async walkToVerdict(
    modalId: string,
    answers: Answers,
    options: { user?: string; extra?: ViewValues; threadTs?: string } = {},
  ): Promise<RecordedCall> {
    const before = this.fake.calls.length;
    await this.walkChecklist(modalId, answers, { user: options.user, extra: options.extra });
    return this.postedParent(before, options.threadTs);
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
        blocksOf(c.args).some(isVerdictActions) &&
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

  /** Clicks and resolves with the chat.update of `message` that follows. */
  async clickAndWaitForUpdate(
    message: StoredMessage,
    actionId: string,
    user: string,
  ): Promise<StoredMessage> {
    const before = this.fake.calls.length;
    await this.click(message, actionId, { user });
    return this.updated(message, before);
  }

  /** Challenge with a reason; resolves with the updated message. */
  async challenge(message: StoredMessage, user: string, reason: string): Promise<StoredMessage> {
    const before = this.fake.calls.length;
    await this.click(message, ActionId.challenge, { user });
    const modal = await this.openedModal(before);
    const submitted = this.fake.calls.length;
    await this.submit(
      modal.id,
      { [BlockId.challengeReason]: { [ActionId.challengeReason]: reason } },
      { user },
    );
    return this.updated(message, submitted);
  }

  /** `message` once the app has updated it (with chat.update, after call index `before`). */
  private async updated(message: StoredMessage, before: number): Promise<StoredMessage> {
    await this.fake.waitFor('chat.update', (c) => c.index >= before && c.args.ts === message.ts);
    return this.message(message.channel, message.ts);
  }
}

/** The review id the verdict message's buttons carry (Challenge's value is only that). */
export function reviewIdOf(message: { blocks?: unknown }): string {
  const actions = blocksOf(message).find(isVerdictActions);
  const challenge = Array.isArray(actions?.elements)
    ? actions.elements.filter(isRecord).find((element) => element.action_id === ActionId.challenge)
    : undefined;
  if (typeof challenge?.value !== 'string') throw new Error('no verdict buttons in the message');
  return challenge.value;
}

/** The sign-off line of a verdict message. */
export function tallyOf(message: StoredMessage): string {
  const tally = blocksOf(message).find((block) => block.block_id === BlockId.verdictTally);
  const elements = Array.isArray(tally?.elements) ? tally.elements.filter(isRecord) : [];
  return String(elements[0]?.text ?? '');
}

/**
 * Asserts no typed `<!channel>`, `<@U0EVIL…>` or link reached Slack, no message carrying the typed
 * link would unfurl it, and every call fit the limits.
 */
export function expectSafeAndWithinLimits(fake: FakeSlack): void {
  expect(fake.violations).toEqual([]);
  const sent = mrkdwnSentToSlack(fake).join('\n');
  expect(sent).not.toContain('<!channel>');
  expect(sent).not.toContain('<@U0EVIL0001>');
  expect(sent).not.toContain('<https://evil.test');
  expect(postsThatUnfurl(fake, 'evil.test')).toEqual([]);
}

export const KNOWLEDGE: Answers = {
  title: `Policy bot ${HOSTILE}`,
  problem: `Quotes last quarter's refund window ${HOSTILE}`,
  leaning: 'fine-tune',
  promptTried: 'scored-falls-short',
  gap: 'knowledge',
  knowledge: { changesOften: true, citationsNeeded: true, fitsInPrompt: false },
};

export const BEHAVIOR: Answers = {
  ...KNOWLEDGE,
  gap: 'behavior',
  knowledge: undefined,
  behavior: { kinds: ['format'], labeledExamples: 800, trainingBudget: true },
};
