import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../../src/constants.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { challengeSubmission } from '../../../src/listeners/views/challengeSubmission.js';
import type { ReviewRepository } from '../../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { answersFixture, decisionFixture, postedOutcomeFixture } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup } from '../../support/deliverySetup.js';
import type { FakeSlack } from '../../support/fakeSlack.js';

const CHANNEL = 'C0CHALLNG1';
const USER = 'U0CHALLNGR';
const setup = deliverySetup(CHANNEL);

interface ChallengeOptions {
  verdictVersion?: number;
  reviews?: (real: ReviewRepository) => ReviewRepository;
  /**
   * Delivery clients with the app's transport (a timeout short enough for a test) and retry policy,
   * which tell a post sent without an answer, or answered with a 5xx, from one never sent.
   */
  appTransport?: boolean;
  /**
   * The verdict went out through the command's response_url (no ts on record): the challenge was
   * clicked on it, and its reason goes back through the clicked message's response_url.
   */
  viaResponseUrl?: boolean;
}

async function challengeAPostedReview(reason: string, options: ChallengeOptions = {}) {
  const clock = () => new Date();
  const real = createKyselyReviewRepository(setup.database().db, clock);
  const reviews = options.reviews?.(real) ?? real;
  const fake = setup.fake();
  const deps = {
    ...setup.listenerDeps(reviews, clock),
    isTrustedResponseUrl: () => true,
    ...(options.appTransport ? { deliveryClients: setup.appDeliveryClients() } : {}),
  };
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
    options.viaResponseUrl
      ? postedOutcomeFixture({
          status: 'posted-via-response-url',
          postedChannelId: CHANNEL,
          messageTs: null,
          threadTs: null,
          permalink: null,
        })
      : postedOutcomeFixture({ postedChannelId: CHANNEL, messageTs: verdict.ts, threadTs: null }),
  );
  const responseUrl = fake.newResponseUrl({ channel: CHANNEL, messageTs: verdict.ts });
  const submit = (typed = reason) =>
    app.processEvent({
      body: {
        type: 'view_submission',
        team: { id: review.teamId, domain: 'challenge' },
        user: { id: USER, team_id: review.teamId },
        view: {
          id: 'V0CHALLNG1',
          type: 'modal',
          callback_id: CallbackId.challengeReason,
          private_metadata: JSON.stringify({
            reviewId: review.id,
            ...(options.verdictVersion === undefined
              ? {}
              : { verdictVersion: options.verdictVersion }),
            ...(options.viaResponseUrl
              ? { message: { responseUrl, messageTs: verdict.ts, threadTs: verdict.ts } }
              : {}),
          }),
          state: {
            values: {
              [BlockId.challengeReason]: {
                [ActionId.challengeReason]: { type: 'plain_text_input', value: typed },
              },
            },
          },
          team_id: review.teamId,
        },
      },
      ack: async () => {},
    });
  return { review, deps, submit, responseUrl };
}

describe('a Challenge whose reason cannot be posted in the verdict’s thread', () => {
  it.each([
    ['is_archived', /because that channel is archived/],
    ['not_in_channel', /because I'm not a member there/],
    ['thread_not_found', /because its thread is gone or takes no replies/],
    ['ratelimited', /Slack answered `ratelimited`/],
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
    expect(text).toContain(`Your challenge of *${review.answers.title}* was recorded`);
    expect(text).toContain(`<#${CHANNEL}>`);
    expect(text).toMatch(why);
    // The reason comes back to them, escaped, so they can post it themselves, its links not unfurled.
    expect(text).toContain('Labels &lt;b&gt; &amp; too few');
    expect([String(dm?.unfurl_links), String(dm?.unfurl_media)]).toEqual(['false', 'false']);
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

describe('a Challenge whose reason Slack may have posted without saying so', () => {
  const cases: [string, (fake: FakeSlack) => void, RegExp][] = [
    [
      'its answer lost',
      (fake) => fake.loseAnswerNext('chat.postMessage'),
      /Slack's answer never reached me\./,
    ],
    [
      'a 503',
      (fake) => fake.failNext('chat.postMessage', { status: 503 }, 1),
      /Slack answered with a server error \(HTTP 503\), which can come after a message was posted\./,
    ],
    ...['internal_error', 'fatal_error'].map(
      (error): [string, (fake: FakeSlack) => void, RegExp] => [
        error,
        (fake) => fake.failNext('chat.postMessage', { error }),
        new RegExp(`Slack answered \`${error}\`, which can come after a message was posted\\.`),
      ],
    ),
  ];

  it.each(cases)(
    '(%s): records the vote, posts it once, and tells the challenger it may be in the thread already',
    async (_, slack, why) => {
      const fake = setup.fake();
      const { review, deps, submit } = await challengeAPostedReview('Labels <b> & too few', {
        appTransport: true,
      });
      slack(fake);
      const before = fake.calls.length;
      await submit();
      expect(await deps.work.drain(10_000)).toBe(true);

      expect(await deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
        { userId: USER, vote: 'challenge', reason: 'Labels <b> & too few' },
      ]);
      const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
      // One try in the thread, never repeated; then the word to the challenger.
      expect(posts.map((call) => call.args.channel)).toEqual([CHANNEL, USER]);
      const text = String(posts[1]?.args.text);
      expect(text).toContain(`Your challenge of *${review.answers.title}* was recorded`);
      expect(text).toContain(
        `I couldn't confirm that your reason was posted in the thread in <#${CHANNEL}>:`,
      );
      expect(text).toMatch(why);
      expect(text).toContain('It may be there already: check the thread before you post it');
      expect(text).not.toContain("couldn't post your reason");
      expect(text).toContain('Labels &lt;b&gt; &amp; too few');
    },
  );

  it('(through the clicked message’s response_url, its answer lost): the same', async () => {
    const fake = setup.fake();
    const { review, deps, submit, responseUrl } = await challengeAPostedReview('Too few labels', {
      viaResponseUrl: true,
    });
    fake.loseResponseUrlAnswerNext(responseUrl);
    const before = fake.calls.length;
    const posted = fake.responseUrlPostsTo(responseUrl).length;
    await submit();
    expect(await deps.work.drain(10_000)).toBe(true);

    expect(await deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'challenge', reason: 'Too few labels' },
    ]);
    // The reason once, then the tally's update of the clicked message.
    const reasons = fake
      .responseUrlPostsTo(responseUrl)
      .slice(posted)
      .filter((post) => JSON.stringify(post.body).includes('Too few labels'));
    expect(reasons).toHaveLength(1);
    const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
    expect(posts.map((call) => call.args.channel)).toEqual([USER]);
    const text = String(posts[0]?.args.text);
    expect(text).toContain(`in the thread in <#${CHANNEL}>: Slack's answer never reached me.`);
    expect(text).toContain('It may be there already');
    expect(text).not.toContain("couldn't post your reason");
  });
});

describe('a Challenge of a verdict edited while its modal was open', () => {
  it('records nothing and gives the reason back by DM when the edit lands after the check', async () => {
    const fake = setup.fake();
    let editLanded = false;
    const { review, deps, submit } = await challengeAPostedReview('RAG <b> & is overkill', {
      verdictVersion: 1,
      // The edit is saved just after the submission read the review (inside ack()).
      reviews: (real) => ({
        ...real,
        async get(teamId, id) {
          const read = await real.get(teamId, id);
          if (!editLanded && read) {
            editLanded = true;
            const prompt = decisionFixture(read.decision.verdict === 'rag' ? 'prompt' : 'rag');
            await real.updateAnswers(teamId, id, answersFixture(), prompt);
          }
          return read;
        },
      }),
    });
    const before = fake.calls.length;
    await submit();
    expect(await deps.work.drain(10_000)).toBe(true);

    expect(editLanded).toBe(true);
    expect(await deps.votes.listVotes(review.teamId, review.id)).toEqual([]);
    expect(await deps.votes.clearStaleVotes(review.teamId, review.id)).toBe(0);
    const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
    expect(posts.map((call) => call.args.channel)).toEqual([USER]);
    const text = String(posts[0]?.args.text);
    expect(text).toContain(`The verdict on *${review.answers.title}* was edited after you saw it`);
    expect(text).toContain('RAG &lt;b&gt; &amp; is overkill');
  });
});

describe('a Challenge submitted again (Slack lets Submit be pressed again while the first is slow)', () => {
  it.each([
    ['one after the other', 'sequential'],
    ['both at once', 'concurrent'],
  ] as const)(
    '(%s) posts the reason in the thread once; a new reason is posted',
    async (_, how) => {
      const fake = setup.fake();
      const { review, deps, submit } = await challengeAPostedReview('Labels are too few');
      const updates = fake.callCount('chat.update');
      const before = fake.calls.length;
      if (how === 'sequential') {
        await submit();
        expect(await deps.work.drain(10_000)).toBe(true);
        await submit();
      } else {
        await Promise.all([submit(), submit()]);
      }
      expect(await deps.work.drain(10_000)).toBe(true);

      const replies = () =>
        fake.calls
          .slice(before)
          .filter((call) => call.method === 'chat.postMessage')
          .map((call) => [call.args.channel, call.args.thread_ts, String(call.args.text)]);
      // Nothing else posted either: no DM to anyone.
      expect(replies()).toEqual([[CHANNEL, review.messageTs, expect.stringContaining('too few')]]);
      expect(await deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
        { userId: USER, vote: 'challenge', reason: 'Labels are too few' },
      ]);
      // Each submission still brings the tally on the verdict message up to date (one alone would
      // send one update: nothing changes while it is sent).
      expect(fake.callCount('chat.update') - updates).toBeGreaterThanOrEqual(2);

      await submit('We have no labels at all');
      expect(await deps.work.drain(10_000)).toBe(true);
      expect(replies()).toEqual([
        [CHANNEL, review.messageTs, expect.stringContaining('too few')],
        [CHANNEL, review.messageTs, expect.stringContaining('no labels at all')],
      ]);
    },
  );
});
