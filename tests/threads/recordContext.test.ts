import { describe, expect, it } from 'vitest';
import {
  recordDate,
  recordFilename,
  recordSignOffs,
  recordStatus,
} from '../../src/delivery/exportRecord.js';
import type { Review } from '../../src/storage/repository.js';
import type { Vote } from '../../src/storage/votes.js';
import { postedReview } from '../support/reviewFixture.js';
import { KNOWLEDGE } from './harness.js';

function review(overrides: Partial<Review> = {}): Review {
  return postedReview(KNOWLEDGE, overrides);
}

const vote = (userId: string, kind: Vote['vote'], reason: string | null = null): Vote => ({
  reviewId: 'rev-1',
  teamId: 'T1',
  userId,
  vote: kind,
  reason,
  updatedAt: new Date(0),
});

describe('the decision record’s context', () => {
  it('status: accepted once agreed without challenges, superseded once re-run', () => {
    const first = review();
    expect(recordStatus(first, [], first)).toBe('proposed');
    expect(recordStatus(first, [vote('U1', 'agree')], first)).toBe('accepted');
    expect(recordStatus(first, [vote('U1', 'agree'), vote('U2', 'challenge', 'no')], first)).toBe(
      'proposed',
    );
    const third = review({ id: 'rev-3', revision: 3, revisionOf: 'rev-2' });
    expect(recordStatus(first, [vote('U1', 'agree')], third)).toBe('superseded by revision 3');
  });

  it('sign-offs name people by user id, challenges with their reason', () => {
    expect(
      recordSignOffs([vote('U1', 'agree'), vote('U2', 'challenge', 'why'), vote('U3', 'agree')]),
    ).toEqual({ agreed: ['U1', 'U3'], challenged: [{ name: 'U2', reason: 'why' }] });
  });

  it('dates in UTC and names files after the title', () => {
    expect(recordDate(new Date('2026-11-29T23:59:59-05:00'))).toBe('2026-11-30');
    expect(recordFilename(review())).toBe(
      'decision-record-policy-bot-channel-u0evil0001-https-evil-test-click-co.md',
    );
    expect(recordFilename(review({ revision: 2, answers: { ...KNOWLEDGE, title: '😀' } }))).toBe(
      'decision-record-review-revision-2.md',
    );
  });
});
