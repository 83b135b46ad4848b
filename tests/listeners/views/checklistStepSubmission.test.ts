import { describe, expect, it } from 'vitest';
import { encodeState, startChecklist } from '../../../src/checklist/state.js';
import { CallbackId } from '../../../src/constants.js';
import type { Answers } from '../../../src/decision/answers.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { checklistStepSubmission } from '../../../src/listeners/views/checklistStepSubmission.js';
import type { Review, ReviewRepository } from '../../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { answersFixture, uniqueId } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup } from '../../support/deliverySetup.js';
import type { JsonObject } from '../../support/json.js';

const CHANNEL = 'C0SUBMIT01';
const USER = 'U0SUBMIT01';
const setup = deliverySetup(CHANNEL);

/** One instance of the app: the checklist's submissions, through Bolt, on the shared database. */
function instance(reviews: ReviewRepository) {
  const clock = () => new Date();
  const deps = setup.listenerDeps(reviews, clock);
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
    /** Submits the checklist's last step of the modal `viewId` (Post verdict, or Save for an edit). */
    async submitFinalStep(teamId: string, viewId: string, edit?: EditOf): Promise<void> {
      await app.processEvent({ body: finalStep(teamId, viewId, edit), ack: async () => {} });
    },
  };
}

/** Edit answers of `review`, by its asker, to `answers`. */
interface EditOf {
  review: Review;
  answers: Answers;
}

function finalStep(teamId: string, viewId: string, edit?: EditOf): JsonObject {
  const state = startChecklist(
    edit
      ? {
          origin: 'edit',
          channelId: edit.review.postedChannelId,
          threadTs: edit.review.threadTs,
          responseUrl: null,
          reviewId: edit.review.id,
          draft: edit.answers,
        }
      : {
          origin: 'command',
          channelId: CHANNEL,
          threadTs: null,
          responseUrl: null,
          draft: answersFixture(),
        },
  );
  const userId = edit?.review.userId ?? USER;
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
