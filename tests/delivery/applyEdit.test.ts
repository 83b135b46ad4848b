import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { applyEdit, editRefusal } from '../../src/delivery/applyEdit.js';
import { BoltLogger } from '../../src/observability/logger.js';
import type { Review, ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { createKyselyVoteRepository } from '../../src/storage/voteRepository.js';
import { answersFixture, postedOutcomeFixture } from '../storage/support.js';
import { capturedLog } from '../support/capturedLog.js';
import { deliverySetup } from '../support/deliverySetup.js';

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
