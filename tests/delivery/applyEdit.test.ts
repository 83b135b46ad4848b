import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { applyEdit, editRefusal } from '../../src/delivery/applyEdit.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { keepAliveFetch, SLACK_RETRY_CONFIG } from '../../src/observability/slackFetch.js';
import type { Review, ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { createKyselyVoteRepository } from '../../src/storage/voteRepository.js';
import { answersFixture, postedOutcomeFixture } from '../storage/support.js';
import { capturedLog } from '../support/capturedLog.js';
import { deliverySetup } from '../support/deliverySetup.js';
import type { FakeSlack } from '../support/fakeSlack.js';

const CHANNEL = 'C0APPLYED1';
const setup = deliverySetup(CHANNEL);

/** What another instance does to the review between the edit's read and its write. */
const meanwhile: Record<string, (reviews: ReviewRepository, review: Review) => Promise<unknown>> = {
  'a posting claims it': (reviews, review) =>
    reviews.claimDelivery(review.teamId, review.id, ['pending'], 60_000),
  'its verdict goes out through a response_url': (reviews, review) =>
    reviews.markDelivered(
      review.teamId,
      review.id,
      postedOutcomeFixture({
        status: 'posted-via-response-url',
        postedChannelId: CHANNEL,
        messageTs: null,
        threadTs: null,
      }),
    ),
  'a posting puts its verdict out, then breaks off before finishing': async (reviews, review) => {
    const claimed = await reviews.claimDelivery(review.teamId, review.id, ['pending'], 60_000);
    const heldUntil = claimed?.deliveryClaimedUntil ?? null;
    await reviews.recordPostedVerdict(
      review.teamId,
      review.id,
      {
        status: 'posted',
        channelId: CHANNEL,
        messageTs: '1700000001.000100',
        threadTs: '1700000001.000100',
        channelError: null,
      },
      heldUntil,
    );
    if (heldUntil) await reviews.releaseDelivery(review.teamId, review.id, heldUntil);
  },
};

describe('applyEdit', () => {
  it.each(Object.keys(meanwhile))(
    'changes nothing, and calls no Slack method, when %s between the read and the write',
    async (name) => {
      const clock = () => new Date();
      const reviews = createKyselyReviewRepository(setup.database().db, clock);
      const log = capturedLog();
      const fake = setup.fake();
      const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
      const created = await setup.pendingReview(reviews);
      const read = await reviews.get(created.teamId, created.id);
      if (!read) throw new Error('review not saved');
      await meanwhile[name]?.(reviews, read);
      const before = await reviews.get(read.teamId, read.id);
      const calls = fake.calls.length;

      const edited = await applyEdit(
        client,
        {
          teamId: read.teamId,
          reviewId: read.id,
          editorId: read.userId,
          answers: answersFixture({ title: 'Edited too late' }),
          review: read,
        },
        {
          reviews,
          votes: createKyselyVoteRepository(setup.database().db, clock),
          logger: new BoltLogger(log.log),
          clock,
        },
      );

      expect(edited).toBeNull();
      expect(await reviews.get(read.teamId, read.id)).toEqual(before);
      expect(fake.calls.length).toBe(calls);
      expect(log.lines.map((line) => String(line.msg))).toContain(
        `edit of review ${read.id} refused: it was claimed, delivered or re-run before the edit was saved`,
      );
    },
  );
});

describe('editRefusal', () => {
  it('refuses a pending review whose verdict is out but whose posting was cut off, claimed or not', async () => {
    const clock = () => new Date();
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const created = await setup.pendingReview(reviews);
    expect(editRefusal(created, clock())).toBeNull();
    const claimed = await reviews.claimDelivery(created.teamId, created.id, ['pending'], 60_000);
    const heldUntil = claimed?.deliveryClaimedUntil ?? null;
    const recorded = await reviews.recordPostedVerdict(
      created.teamId,
      created.id,
      {
        status: 'posted',
        channelId: CHANNEL,
        messageTs: '1700000002.000100',
        threadTs: '1700000002.000100',
        channelError: null,
      },
      heldUntil,
    );
    expect(editRefusal(recorded, clock())).toBe('being-posted');
    if (!heldUntil) throw new Error('not claimed');
    await reviews.releaseDelivery(created.teamId, created.id, heldUntil);
    const released = await reviews.get(created.teamId, created.id);
    if (!released) throw new Error('review gone');
    expect(released.postedVerdict).not.toBeNull();
    expect(editRefusal(released, clock())).toBe('being-posted');
  });
});

describe('applyEdit’s notes in the thread', () => {
  /**
   * A posted review in CHANNEL, in a thread, its verdict RAG, edited by its asker to a fine-tune
   * verdict with `slack` armed on the fake first: the outcome, and the posts the edit made.
   */
  async function edit(slack: (fake: FakeSlack) => void) {
    const clock = () => new Date();
    const reviews = createKyselyReviewRepository(setup.database().db, clock);
    const fake = setup.fake();
    // The app's transport (a timeout short enough for a test) and retry policy, which tell a post
    // sent without an answer, or answered with a 5xx, from one never sent.
    const client = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      fetch: keepAliveFetch(300),
      retryConfig: SLACK_RETRY_CONFIG,
    });
    const created = await setup.pendingReview(reviews);
    const verdict = fake.addMessage(CHANNEL, { text: 'Verdict' });
    const posted = await reviews.markDelivered(
      created.teamId,
      created.id,
      postedOutcomeFixture({
        postedChannelId: CHANNEL,
        messageTs: verdict.ts,
        threadTs: verdict.ts,
      }),
    );
    expect(posted.decision.verdict).toBe('rag');
    const before = fake.calls.length;
    slack(fake);
    const edited = await applyEdit(
      client,
      {
        teamId: posted.teamId,
        reviewId: posted.id,
        editorId: posted.userId,
        answers: answersFixture({
          gap: 'behavior',
          knowledge: undefined,
          behavior: { kinds: ['format'], labeledExamples: 800, trainingBudget: true },
        }),
        review: posted,
      },
      {
        reviews,
        votes: createKyselyVoteRepository(setup.database().db, clock),
        logger: new BoltLogger(capturedLog().log),
        clock,
      },
    );
    const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
    return { edited, posts };
  }

  it.each([
    [
      'its answer lost',
      (fake: FakeSlack) => fake.loseAnswerNext('chat.postMessage'),
      { kind: 'no-answer' },
    ],
    [
      'a 503',
      (fake: FakeSlack) => fake.failNext('chat.postMessage', { status: 503 }),
      { kind: 'server-error', status: 503 },
    ],
    ...['internal_error', 'fatal_error'].map((error) => [
      error,
      (fake: FakeSlack) => fake.failNext('chat.postMessage', { error }),
      { kind: 'may-have-acted', error },
    ]),
  ] as [string, (fake: FakeSlack) => void, unknown][])(
    '(%s): keeps the edit, posts the note once, and says it may be there',
    async (_, slack, cause) => {
      const { edited, posts } = await edit(slack);
      expect(edited?.review.decision.verdict).toBe('fine-tune');
      expect(edited?.threadNotTold).toEqual({ unconfirmed: cause });
      // Never posted again, and nothing more after it.
      expect(posts).toHaveLength(1);
      expect(String(posts[0]?.args.text)).toMatch(/^:pencil2: Edited by/);
    },
  );

  it('(refused: is_archived): says so, with the error', async () => {
    const { edited, posts } = await edit((fake) =>
      fake.failNext('chat.postMessage', { error: 'is_archived' }),
    );
    expect(edited?.threadNotTold).toEqual({ refused: 'is_archived' });
    expect(posts).toHaveLength(1);
  });

  it('(told): nothing to say', async () => {
    const { edited, posts } = await edit(() => {});
    expect(edited?.threadNotTold).toBeNull();
    expect(posts).toHaveLength(2);
  });
});
