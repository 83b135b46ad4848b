import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../../src/constants.js';
import { registerActions } from '../../../src/listeners/actions/index.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { challengeSubmission } from '../../../src/listeners/views/challengeSubmission.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup, submitView } from '../../support/deliverySetup.js';
import { isRecord } from '../../support/json.js';
import { clickButton } from '../../support/slackRequests.js';

const CHANNEL = 'C0GONEREVW';
const USER = 'U0GONECLIK';
const setup = deliverySetup(CHANNEL);

function instance() {
  const clock = () => new Date();
  const reviews = createKyselyReviewRepository(setup.database().db, clock);
  const deps = setup.listenerDeps(reviews, clock);
  const app = setup.boltApp(capturedLog().log);
  const routes = new ListenerRoutes().viewSubmission(
    CallbackId.challengeReason,
    challengeSubmission(deps),
  );
  registerActions(routes, deps);
  app.use(routes.dispatch);
  return { reviews, deps, app };
}

/** A verdict message's buttons, naming `reviewId`. */
function verdictMessage(reviewId: string) {
  const fake = setup.fake();
  const button = (actionId: string) => ({
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: actionId },
    value: reviewId,
  });
  return fake.addMessage(CHANNEL, {
    text: 'Verdict',
    blocks: [
      {
        type: 'actions',
        block_id: BlockId.verdictActions,
        elements: [
          button(ActionId.agree),
          button(ActionId.challenge),
          button(ActionId.rerun),
          button(ActionId.exportRecord),
        ],
      },
    ],
  });
}

const BUTTONS = [
  [ActionId.agree, /no longer on record in ftrag, so your agreement was not recorded/],
  [ActionId.challenge, /no longer on record in ftrag, so it can.t be challenged/],
  [ActionId.rerun, /no longer on record in ftrag, so it can.t be re-run/],
  [ActionId.exportRecord, /no longer on record in ftrag, so there is no decision record/],
] as const;

describe('a verdict button whose review is not on record in the clicker’s workspace', () => {
  it.each(BUTTONS)(
    '%s: tells the clicker so, privately, and changes nothing',
    async (actionId, says) => {
      const { deps, app, reviews } = instance();
      // The review exists, but in another workspace: the click's workspace has none of that id.
      const elsewhere = await setup.pendingReview(reviews);
      const fake = setup.fake();
      const message = verdictMessage(elsewhere.id);
      const responseUrl = fake.newResponseUrl({
        channel: CHANNEL,
        messageTs: message.ts,
        userId: USER,
      });
      const before = fake.calls.length;
      const ephemerals = fake.ephemerals().length;
      const payload = clickButton({ ...message, channel: CHANNEL }, actionId, {
        user: USER,
        workspace: { teamId: 'T0CLICKER1' },
        responseUrl,
        triggerId: fake.issueTriggerId({ userId: USER }),
      });
      await app.processEvent({ body: payload, ack: async () => {} });
      expect(await deps.work.drain(10_000)).toBe(true);

      const answers = fake.ephemerals().slice(ephemerals);
      expect(answers).toHaveLength(1);
      expect(answers[0]).toMatchObject({ via: 'response_url', user: USER });
      expect(answers[0]?.text).toMatch(says);
      expect(answers[0]?.args).toMatchObject({ replace_original: false });
      // No modal, no upload, no post, and the message itself untouched.
      expect(fake.calls.slice(before).map((call) => call.method)).toEqual([]);
      expect(fake.messages(CHANNEL).find((m) => m.ts === message.ts)?.text).toBe('Verdict');
    },
  );
});

describe('an Agree value with a version after the review id (a dev build’s messages)', () => {
  it('is a review not on record: said so, nothing recorded', async () => {
    const { deps, app, reviews } = instance();
    const review = await setup.pendingReview(reviews);
    const fake = setup.fake();
    const message = verdictMessage(`${review.id}@1`);
    const responseUrl = fake.newResponseUrl({
      channel: CHANNEL,
      messageTs: message.ts,
      userId: USER,
    });
    const ephemerals = fake.ephemerals().length;
    const payload = clickButton({ ...message, channel: CHANNEL }, ActionId.agree, {
      user: USER,
      workspace: { teamId: review.teamId },
      responseUrl,
    });
    await app.processEvent({ body: payload, ack: async () => {} });
    expect(await deps.work.drain(10_000)).toBe(true);

    const answers = fake.ephemerals().slice(ephemerals);
    expect(answers.map((answer) => answer.text)).toEqual([
      expect.stringMatching(/no longer on record in ftrag, so your agreement was not recorded/),
    ]);
    expect(await deps.votes.listVotes(review.teamId, review.id)).toEqual([]);
  });
});

describe('a Challenge submitted after its review is gone', () => {
  it('says so inside ack() with a notice modal, and records nothing', async () => {
    const { deps, app } = instance();
    const fake = setup.fake();
    const before = fake.calls.length;
    const teamId = 'T0CLICKER2';
    const ack = await submitView(app, deps.work, {
      callbackId: CallbackId.challengeReason,
      privateMetadata: JSON.stringify({ reviewId: 'R0GONE' }),
      values: {
        [BlockId.challengeReason]: {
          [ActionId.challengeReason]: { type: 'plain_text_input', value: 'Too few labels' },
        },
      },
      teamId,
      userId: USER,
    });
    expect(ack).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const view = isRecord(ack) ? ack.view : undefined;
    expect(JSON.stringify(view)).toMatch(
      /no longer on record in ftrag, so your challenge was not recorded/,
    );
    expect(isRecord(view) ? view.submit : undefined).toBeUndefined();
    expect(fake.calls.slice(before)).toEqual([]);
    expect(await deps.votes.listVotes(teamId, 'R0GONE')).toEqual([]);
  });
});
