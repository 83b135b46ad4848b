import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../../src/constants.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { challengeSubmission } from '../../../src/listeners/views/challengeSubmission.js';
import { shareReviewSubmission } from '../../../src/listeners/views/shareReviewSubmission.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { newReviewFixture, postedOutcomeFixture, uniqueId } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup, submitView } from '../../support/deliverySetup.js';
import { isRecord, type JsonObject } from '../../support/json.js';

const CHANNEL = 'C0METADATA';
const USER = 'U0METADATA';
const setup = deliverySetup(CHANNEL);

function instance() {
  const reviews = createKyselyReviewRepository(setup.database().db, () => new Date());
  const deps = setup.listenerDeps(reviews, () => new Date());
  const app = setup.boltApp(capturedLog().log);
  const routes = new ListenerRoutes()
    .viewSubmission(CallbackId.shareReview, shareReviewSubmission(deps))
    .viewSubmission(CallbackId.challengeReason, challengeSubmission(deps));
  app.use(routes.dispatch);
  return {
    reviews,
    deps,
    /** Submits the modal; resolves with what the listener acknowledged with, once (or throws). */
    submit(
      callbackId: string,
      privateMetadata: string,
      values: JsonObject,
      teamId = uniqueId('T'),
    ) {
      return submitView(app, deps.work, {
        callbackId,
        privateMetadata,
        values,
        teamId,
        userId: USER,
      });
    },
  };
}

const UNREADABLE = ['', '{', 'not json', 'null', '[]', '42', '{"reviewId":7}', '"x"'];

const shareValues: JsonObject = {
  [BlockId.shareChannel]: {
    [ActionId.shareChannel]: { type: 'conversations_select', selected_conversation: CHANNEL },
  },
};

const challengeValues: JsonObject = {
  [BlockId.challengeReason]: {
    [ActionId.challengeReason]: { type: 'plain_text_input', value: 'Labels are too few.' },
  },
};

function expectErrorView(ack: unknown, says: RegExp): void {
  expect(ack).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
  const view = isRecord(ack) ? ack.view : undefined;
  expect(JSON.stringify(view)).toMatch(says);
  // An answer that closes or replaces the modal, not one more modal to submit.
  expect(isRecord(view) ? view.submit : undefined).toBeUndefined();
}

describe('a modal whose private_metadata cannot be read', () => {
  it.each(UNREADABLE)('Share (%j): says so inside ack() and posts nothing', async (metadata) => {
    const app = instance();
    const posts = setup.fake().callCount('chat.postMessage');
    const ack = await app.submit(CallbackId.shareReview, metadata, shareValues);
    expectErrorView(ack, /nothing was shared/i);
    expect(setup.fake().callCount('chat.postMessage')).toBe(posts);
  });

  it('Share of a review that no longer exists: says so inside ack() and posts nothing', async () => {
    const app = instance();
    const posts = setup.fake().callCount('chat.postMessage');
    const ack = await app.submit(
      CallbackId.shareReview,
      JSON.stringify({ reviewId: 'gone' }),
      shareValues,
    );
    expectErrorView(ack, /no longer exists/i);
    expect(setup.fake().callCount('chat.postMessage')).toBe(posts);
  });

  it.each(UNREADABLE)(
    'Challenge (%j): says so inside ack() and records nothing',
    async (metadata) => {
      const app = instance();
      const posts = setup.fake().callCount('chat.postMessage');
      const ack = await app.submit(CallbackId.challengeReason, metadata, challengeValues);
      expectErrorView(ack, /not recorded/i);
      expect(setup.fake().callCount('chat.postMessage')).toBe(posts);
    },
  );

  it('Challenge with no reason and unreadable metadata: the error view, not a field error', async () => {
    const app = instance();
    const ack = await app.submit(CallbackId.challengeReason, '{', {});
    expectErrorView(ack, /not recorded/i);
  });
});

describe('Share, once acknowledged', () => {
  it('posts the card as background work, which a graceful shutdown waits for', async () => {
    const app = instance();
    const teamId = uniqueId('T');
    // The sharer's own: someone else's is shared only from a public conversation.
    const { review: pending } = await app.reviews.createPending(
      newReviewFixture({ teamId, userId: USER }),
    );
    // Delivered: a review not in Slack is refused before anything is posted.
    const review = await app.reviews.markDelivered(teamId, pending.id, postedOutcomeFixture());
    const held = setup.fake().holdNext('chat.postMessage');
    const submitted = app.submit(
      CallbackId.shareReview,
      JSON.stringify({ reviewId: review.id }),
      shareValues,
      teamId,
    );
    await held.arrived;
    expect(app.deps.work.size).toBe(1);
    held.release();
    // Acknowledged with a note that the card is being shared, before it is posted.
    expect(await submitted).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    expect(app.deps.work.size).toBe(0);
  });
});
