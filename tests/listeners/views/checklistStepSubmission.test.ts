import { describe, expect, it } from 'vitest';
import { encodeState, startChecklist } from '../../../src/checklist/state.js';
import { CallbackId } from '../../../src/constants.js';
import type { Answers } from '../../../src/decision/answers.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { checklistStepSubmission } from '../../../src/listeners/views/checklistStepSubmission.js';
import type { Review, ReviewRepository } from '../../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { RERUN_REFUSED_WHY } from '../../../src/views/signOff.js';
import { answersFixture, uniqueId } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup } from '../../support/deliverySetup.js';
import { isRecord, type JsonObject } from '../../support/json.js';
import { unconfirmedPostsOf } from '../../support/unconfirmedPosts.js';

const CHANNEL = 'C0SUBMIT01';
const USER = 'U0SUBMIT01';
const setup = deliverySetup(CHANNEL);

/**
 * One instance of the app: the checklist's submissions, through Bolt, on the shared database.
 * `appTransport`: delivery clients with the app's transport (a timeout short enough for a test) and
 * retry policy, which tell a post sent without an answer, or answered with a 5xx, from one never
 * sent.
 */
function instance(reviews: ReviewRepository, options: { appTransport?: boolean } = {}) {
  const clock = () => new Date();
  const deps = {
    ...setup.listenerDeps(reviews, clock),
    ...(options.appTransport ? { deliveryClients: setup.appDeliveryClients() } : {}),
  };
  const log = capturedLog();
  const app = setup.boltApp(log.log);
  const routes = new ListenerRoutes().viewSubmission(
    CallbackId.checklistStep,
    checklistStepSubmission(deps),
  );
  app.use(routes.dispatch);
  return {
    deps,
    logged: () => log.lines.map((line) => String(line.msg)),
    /**
     * Submits the checklist's last step of the modal `viewId` (Post verdict, or Save for an edit);
     * resolves with what the listener acknowledged with.
     */
    async submitFinalStep(teamId: string, viewId: string, of?: EditOf | RerunOf): Promise<unknown> {
      const acks: unknown[] = [];
      await app.processEvent({
        body: finalStep(teamId, viewId, of),
        ack: async (response?: unknown) => {
          acks.push(response);
        },
      });
      expect(acks).toHaveLength(1);
      return acks[0];
    },
  };
}

/** Edit answers of `review`, by its asker (or `userId`), to `answers`. */
interface EditOf {
  review: Review;
  answers: Answers;
  userId?: string;
}

/** Re-run with changes of the review `rerunOf`, by `userId`, with `answers`. */
interface RerunOf {
  rerunOf: string;
  userId: string;
  answers: Answers;
}

function finalStep(teamId: string, viewId: string, of?: EditOf | RerunOf): JsonObject {
  const state = startChecklist(
    of && 'review' in of
      ? {
          origin: 'edit',
          channelId: of.review.postedChannelId,
          threadTs: of.review.threadTs,
          responseUrl: null,
          reviewId: of.review.id,
          draft: of.answers,
        }
      : of
        ? {
            origin: 'rerun',
            channelId: CHANNEL,
            threadTs: null,
            responseUrl: null,
            reviewId: of.rerunOf,
            draft: of.answers,
          }
        : {
            origin: 'command',
            channelId: CHANNEL,
            threadTs: null,
            responseUrl: null,
            draft: answersFixture(),
          },
  );
  const userId = of ? ('review' in of ? (of.userId ?? of.review.userId) : of.userId) : USER;
  return {
    type: 'view_submission',
    team: { id: teamId, domain: 'submissions' },
    user: { id: userId, team_id: teamId },
    view: {
      id: viewId,
      type: 'modal',
      callback_id: CallbackId.checklistStep,
      private_metadata: encodeState({ ...state, step: 'review' }),
      state: { values: {} },
      team_id: teamId,
    },
  };
}

async function savedReviews(reviews: ReviewRepository, teamId: string): Promise<Review[]> {
  return (await reviews.list({ teamId }, { limit: 10, offset: 0 })).reviews;
}

/** The team's one review, posted once: its verdict and detail, two posts since `postsBefore`. */
async function postedOnce(
  stored: ReviewRepository,
  teamId: string,
  postsBefore: number,
): Promise<Review | undefined> {
  const [review, ...others] = await savedReviews(stored, teamId);
  expect(others).toEqual([]);
  expect(review?.status).toBe('posted');
  expect(setup.fake().callCount('chat.postMessage') - postsBefore).toBe(2);
  return review;
}

/**
 * `stored`, but each edit's save waits until `count` saves were asked for: the edits have all read
 * the review (as the listener does before it acks) before any of them writes it.
 */
function savingTogether(stored: ReviewRepository, count: number): ReviewRepository {
  let asked = 0;
  let allAsked = () => {};
  const together = new Promise<void>((resolve) => {
    allAsked = resolve;
  });
  return {
    ...stored,
    updateAnswers: async (...args) => {
      asked += 1;
      if (asked === count) allAsked();
      await together;
      return stored.updateAnswers(...args);
    },
  };
}

const TO_FINE_TUNE = answersFixture({
  gap: 'behavior',
  knowledge: undefined,
  behavior: { kinds: ['format'], labeledExamples: 800, trainingBudget: true },
});
const TO_PROMPT = answersFixture({ gap: 'neither', knowledge: undefined });

describe('the checklist’s final step', () => {
  it('posts a review whose save committed though its answer was lost, once the retry finds it', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    let saves = 0;
    const answerLostOnce: ReviewRepository = {
      ...stored,
      createPending: async (input) => {
        saves += 1;
        const saved = await stored.createPending(input);
        if (saves === 1) throw new Error('Connection terminated unexpectedly');
        return saved;
      },
    };
    const app = instance(answerLostOnce);
    const teamId = uniqueId('T');
    const posts = setup.fake().callCount('chat.postMessage');

    await app.submitFinalStep(teamId, uniqueId('V'));
    expect(await app.deps.work.drain(10_000)).toBe(true);

    expect(saves).toBe(2);
    const [review, ...others] = await savedReviews(stored, teamId);
    expect(others).toEqual([]);
    expect(review).toMatchObject({ status: 'posted', postedChannelId: CHANNEL });
    // The verdict and its detail, once.
    expect(setup.fake().callCount('chat.postMessage') - posts).toBe(2);
  });

  it('logs a duplicate submission and does not post its review again', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(stored);
    const teamId = uniqueId('T');
    const viewId = uniqueId('V');
    const posts = setup.fake().callCount('chat.postMessage');

    await app.submitFinalStep(teamId, viewId);
    expect(await app.deps.work.drain(10_000)).toBe(true);
    await app.submitFinalStep(teamId, viewId);
    expect(await app.deps.work.drain(10_000)).toBe(true);

    const review = await postedOnce(stored, teamId, posts);
    expect(app.logged()).toContain(`review ${review?.id}: duplicate final submission`);
  });

  it('posts a review once when its duplicate reaches another instance while it is being posted', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const first = instance(stored);
    const second = instance(stored);
    const teamId = uniqueId('T');
    const viewId = uniqueId('V');
    const posts = setup.fake().callCount('chat.postMessage');
    const held = setup.fake().holdNext('chat.postMessage');

    await first.submitFinalStep(teamId, viewId);
    await held.arrived;
    await second.submitFinalStep(teamId, viewId);
    expect(await second.deps.work.drain(10_000)).toBe(true);
    held.release();
    expect(await first.deps.work.drain(10_000)).toBe(true);

    const review = await postedOnce(stored, teamId, posts);
    expect(second.logged()).toContain(`review ${review?.id}: duplicate final submission`);
  });

  it('keeps an edit it saved when refreshing App Home afterwards fails, and logs what failed', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(stored);
    const review = await setup.pendingReview(stored);
    setup.fake().failNext('views.publish', { error: 'internal_error' });

    const answers = answersFixture({ title: 'Edited, Home not refreshed' });
    await app.submitFinalStep(review.teamId, uniqueId('V'), { review, answers });
    expect(await app.deps.work.drain(10_000)).toBe(true);

    expect((await stored.get(review.teamId, review.id))?.answers.title).toBe(answers.title);
    expect(app.logged()).toContain(
      `review ${review.id}: the edit was saved, but refreshing App Home afterwards failed`,
    );
  });
});

describe('Edit answers', () => {
  /** A review the checklist posted (RAG), its detail in its thread, and what its thread holds. */
  async function postedReview(app: ReturnType<typeof instance>, stored: ReviewRepository) {
    const teamId = uniqueId('T');
    const posts = setup.fake().callCount('chat.postMessage');
    await app.submitFinalStep(teamId, uniqueId('V'));
    expect(await app.deps.work.drain(10_000)).toBe(true);
    const review = await postedOnce(stored, teamId, posts);
    const threadTs = review?.threadTs;
    if (!review || !threadTs) throw new Error('not posted in a thread');
    expect(review.decision.verdict).toBe('rag');
    const replies = () =>
      setup
        .fake()
        .thread(CHANNEL, threadTs)
        .map((message) => message.text);
    return {
      review,
      notes: () => replies().filter((text) => text.startsWith(':pencil2: Edited by')),
      details: () => replies().filter((text) => text.startsWith('Edited detail:')),
    };
  }

  const changed = (editor: string, from: string, to: string) =>
    `:pencil2: Edited by <@${editor}>: verdict changed from *${from}* to *${to}*.`;

  it('notes a changed verdict and posts the new detail once when the same edit is submitted twice at once', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(savingTogether(stored, 2));
    const { review, notes, details } = await postedReview(app, stored);
    const viewId = uniqueId('V');

    // Submit pressed again while the first submission's ack was slow: the same view, twice.
    await Promise.all([
      app.submitFinalStep(review.teamId, viewId, { review, answers: TO_FINE_TUNE }),
      app.submitFinalStep(review.teamId, viewId, { review, answers: TO_FINE_TUNE }),
    ]);
    expect(await app.deps.work.drain(10_000)).toBe(true);

    expect(notes()).toEqual([changed(review.userId, 'RAG', 'Fine-tune')]);
    expect(details()).toHaveLength(1);
    expect(await stored.get(review.teamId, review.id)).toMatchObject({
      decision: { verdict: 'fine-tune' },
      verdictVersion: 2,
    });
  });

  it('notes each of two different edits submitted at once as a change from what the other left', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(savingTogether(stored, 2));
    const { review, notes, details } = await postedReview(app, stored);

    await Promise.all([
      app.submitFinalStep(review.teamId, uniqueId('V'), { review, answers: TO_FINE_TUNE }),
      app.submitFinalStep(review.teamId, uniqueId('V'), { review, answers: TO_PROMPT }),
    ]);
    expect(await app.deps.work.drain(10_000)).toBe(true);

    // The edit saved last changed the verdict the other one had saved.
    const saved = await stored.get(review.teamId, review.id);
    const [first, last] =
      saved?.decision.verdict === 'prompt' ? ['Fine-tune', 'Prompt'] : ['Prompt', 'Fine-tune'];
    expect(notes().sort()).toEqual(
      [changed(review.userId, 'RAG', first), changed(review.userId, first, last)].sort(),
    );
    expect(details()).toHaveLength(2);
    expect(saved?.verdictVersion).toBe(3);
  });

  const unconfirmed = unconfirmedPostsOf('chat.postMessage');

  it.each(unconfirmed)(
    'whose note Slack may have posted without saying so (%s): keeps the edit, posts the note once, and tells the editor by DM it may be there',
    async (_, slack, why) => {
      const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
      const app = instance(stored, { appTransport: true });
      const { review } = await postedReview(app, stored);
      const fake = setup.fake();
      const before = fake.calls.length;
      slack(fake);
      await app.submitFinalStep(review.teamId, uniqueId('V'), { review, answers: TO_FINE_TUNE });
      expect(await app.deps.work.drain(10_000)).toBe(true);

      expect(await stored.get(review.teamId, review.id)).toMatchObject({
        decision: { verdict: 'fine-tune' },
      });
      const posts = postsSince(before);
      expect(posts.filter((call) => call.args.channel === CHANNEL)).toHaveLength(1);
      const told = posts.filter((call) => call.args.channel === review.userId);
      expect(told).toHaveLength(1);
      const text = String(told[0]?.args.text);
      expect(text).toContain(
        `are saved, but I couldn't confirm that the change was noted in the thread in <#${CHANNEL}>: ${why}.`,
      );
      expect(text).toContain('It may be there already: check the thread');
      expect(text).not.toContain("couldn't note the change");
      expect(text).not.toContain('Nothing you entered was posted');
    },
  );
});

/** The text of the view `ack` updates the modal to (empty when it doesn't). */
function viewIn(ack: unknown): string {
  expect(ack).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
  return isRecord(ack) ? JSON.stringify(ack.view) : '';
}

/** The chat.postMessage calls from call index `before` on. */
function postsSince(before: number) {
  return setup
    .fake()
    .calls.slice(before)
    .filter((call) => call.method === 'chat.postMessage');
}

const TYPED = answersFixture({ title: 'Typed while it was purged', gap: 'neither' });

describe('a final step whose review is no longer on record (purged while the checklist was open)', () => {
  it('Edit answers: says so in the modal, with the answers typed; nothing is saved or posted', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(stored);
    const review = await setup.pendingReview(stored);
    await stored.purgeTeam(review.teamId);
    const before = setup.fake().calls.length;

    const ack = await app.submitFinalStep(review.teamId, uniqueId('V'), {
      review,
      answers: TYPED,
    });
    expect(await app.deps.work.drain(10_000)).toBe(true);

    const shown = viewIn(ack);
    expect(shown).toContain('no longer on record in ftrag');
    expect(shown).toContain("its answers can't be edited");
    expect(shown).toContain(TYPED.title);
    expect(shown).not.toContain('"submit"');
    expect(await savedReviews(stored, review.teamId)).toEqual([]);
    expect(postsSince(before)).toEqual([]);
  });

  it('Re-run: says so in the modal, with the answers typed; nothing is saved, retried or posted', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    let saves = 0;
    const app = instance({
      ...stored,
      createPending: (input) => {
        saves += 1;
        return stored.createPending(input);
      },
    });
    const review = await setup.pendingReview(stored);
    await stored.purgeTeam(review.teamId);
    const before = setup.fake().calls.length;

    const ack = await app.submitFinalStep(review.teamId, uniqueId('V'), {
      rerunOf: review.id,
      userId: review.userId,
      answers: TYPED,
    });
    expect(await app.deps.work.drain(10_000)).toBe(true);

    const shown = viewIn(ack);
    expect(shown).toContain('no longer on record in ftrag');
    expect(shown).toContain("it can't be re-run");
    expect(shown).toContain(TYPED.title);
    expect(saves).toBe(0);
    expect(await savedReviews(stored, review.teamId)).toEqual([]);
    expect(postsSince(before)).toEqual([]);
  });

  it('Re-run purged after the modal closed, as it was saved: not retried; its asker is told by DM, with the answers', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    let saves = 0;
    const app = instance({
      ...stored,
      createPending: async (input) => {
        saves += 1;
        await stored.purgeTeam(input.teamId);
        return stored.createPending(input);
      },
    });
    const review = await setup.pendingReview(stored);
    const before = setup.fake().calls.length;

    const ack = await app.submitFinalStep(review.teamId, uniqueId('V'), {
      rerunOf: review.id,
      userId: review.userId,
      answers: TYPED,
    });
    expect(await app.deps.work.drain(10_000)).toBe(true);

    expect(ack).toBeUndefined();
    expect(saves).toBe(1);
    expect(app.logged().some((line) => line.includes('retrying'))).toBe(false);
    const posts = postsSince(before);
    expect(posts.map((call) => call.args.channel)).toEqual([review.userId]);
    const told = String(posts[0]?.args.text);
    expect(told).toContain('no longer on record in ftrag');
    expect(told).toContain(TYPED.title);
    expect(await savedReviews(stored, review.teamId)).toEqual([]);
  });
});

describe('Edit answers at its final step', () => {
  it('by someone other than the asker (a forged modal): refused in the modal; nothing changed or posted', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(stored);
    const review = await setup.pendingReview(stored);
    const before = setup.fake().calls.length;

    const ack = await app.submitFinalStep(review.teamId, uniqueId('V'), {
      review,
      answers: TYPED,
      userId: 'U0FORGER02',
    });
    expect(await app.deps.work.drain(10_000)).toBe(true);

    const shown = viewIn(ack);
    expect(shown).toContain('Only the person who asked for this review can edit its answers');
    expect(shown).not.toContain('"submit"');
    expect((await stored.get(review.teamId, review.id))?.answers).toEqual(review.answers);
    expect(postsSince(before)).toEqual([]);
  });
});

describe('Re-run with changes at its final step', () => {
  const FORGER = 'U0FORGER01';

  it('by someone else while nobody challenges the review (a forged modal): refused in the modal; nothing saved, nothing superseded', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(stored);
    const review = await setup.pendingReview(stored);
    expect(review.userId).not.toBe(FORGER);
    const before = setup.fake().calls.length;

    const ack = await app.submitFinalStep(review.teamId, uniqueId('V'), {
      rerunOf: review.id,
      userId: FORGER,
      answers: TYPED,
    });
    expect(await app.deps.work.drain(10_000)).toBe(true);

    const shown = viewIn(ack);
    expect(shown).toContain(RERUN_REFUSED_WHY);
    expect(shown).not.toContain('"submit"');
    expect(await savedReviews(stored, review.teamId)).toMatchObject([{ id: review.id }]);
    expect((await stored.revisedAmong(review.teamId, [review.id])).size).toBe(0);
    expect(postsSince(before)).toEqual([]);
  });

  it('by someone else once a challenge stands: saved as the next revision', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const app = instance(stored);
    const review = await setup.pendingReview(stored);
    await app.deps.votes.setVote(review.teamId, review.id, 'U0CHALLENG', 'challenge', 'Why?');

    const ack = await app.submitFinalStep(review.teamId, uniqueId('V'), {
      rerunOf: review.id,
      userId: FORGER,
      answers: TYPED,
    });
    expect(await app.deps.work.drain(10_000)).toBe(true);

    expect(ack).toBeUndefined();
    const line = await stored.revisionLine(review.teamId, review.id);
    expect(line.map((revision) => [revision.revision, revision.userId])).toEqual([
      [1, review.userId],
      [2, FORGER],
    ]);
  });
});
