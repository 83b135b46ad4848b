import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../../src/constants.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { challengeSubmission } from '../../../src/listeners/views/challengeSubmission.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { postedOutcomeFixture } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup } from '../../support/deliverySetup.js';

const CHANNEL = 'C0CHALLNG1';
const USER = 'U0CHALLNGR';
const setup = deliverySetup(CHANNEL);

async function challengeAPostedReview(reason: string) {
  const clock = () => new Date();
  const reviews = createKyselyReviewRepository(setup.database().db, clock);
  const deps = setup.listenerDeps(reviews, clock);
  const app = setup.boltApp(capturedLog().log);
  app.use(
    new ListenerRoutes().viewSubmission(CallbackId.challengeReason, challengeSubmission(deps))
      .dispatch,
  );
  const pending = await setup.pendingReview(reviews);
  const verdict = setup.fake().addMessage(CHANNEL, { text: 'Verdict' });
  const review = await reviews.markDelivered(
    pending.teamId,
    pending.id,
    postedOutcomeFixture({ postedChannelId: CHANNEL, messageTs: verdict.ts, threadTs: null }),
  );
  const submit = () =>
    app.processEvent({
      body: {
        type: 'view_submission',
        team: { id: review.teamId, domain: 'challenge' },
        user: { id: USER, team_id: review.teamId },
        view: {
          id: 'V0CHALLNG1',
          type: 'modal',
          callback_id: CallbackId.challengeReason,
          private_metadata: JSON.stringify({ reviewId: review.id }),
          state: {
            values: {
              [BlockId.challengeReason]: {
                [ActionId.challengeReason]: { type: 'plain_text_input', value: reason },
              },
            },
          },
          team_id: review.teamId,
        },
      },
      ack: async () => {},
    });
  return { review, deps, submit };
}

describe('a Challenge whose reason cannot be posted in the verdict’s thread', () => {
  it.each([
    ['is_archived', /because that channel is archived/],
    ['not_in_channel', /because I'm not a member there/],
    ['thread_not_found', /because its thread is gone or takes no replies/],
    ['internal_error', /Slack answered `internal_error`/],
  ])('(%s): records the vote and tells the challenger by DM why', async (error, why) => {
    const fake = setup.fake();
    const { review, deps, submit } = await challengeAPostedReview('Labels <b> & too few');
    fake.failNext('chat.postMessage', { error });
    const before = fake.calls.length;
    await submit();
    expect(await deps.work.drain(10_000)).toBe(true);

    const votes = await deps.votes.listVotes(review.teamId, review.id);
    expect(votes).toMatchObject([
      { userId: USER, vote: 'challenge', reason: 'Labels <b> & too few' },
    ]);
    const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
    expect(posts).toHaveLength(2);
    const dm = posts[1]?.args;
    expect(dm?.channel).toBe(USER);
    const text = String(dm?.text);
    expect(text).toMatch(/challenge was recorded/);
    expect(text).toContain(`<#${CHANNEL}>`);
    expect(text).toMatch(why);
    // The reason comes back to them, escaped, so they can post it themselves.
    expect(text).toContain('Labels &lt;b&gt; &amp; too few');
  });

  it('sends no DM when the reason was posted', async () => {
    const fake = setup.fake();
    const { deps, submit } = await challengeAPostedReview('Too few labels');
    const before = fake.calls.length;
    await submit();
    expect(await deps.work.drain(10_000)).toBe(true);
    const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
    expect(posts.map((call) => call.args.channel)).toEqual([CHANNEL]);
  });
});
