import type { Answers } from '../../src/decision/answers.js';
import { decide } from '../../src/decision/index.js';
import type { Review } from '../../src/storage/repository.js';

/** A posted review of `answers`, as the repository returns it, for view and record tests. */
export function postedReview(answers: Answers, overrides: Partial<Review> = {}): Review {
  const decision = decide(answers);
  const at = new Date('2026-11-29T10:00:00Z');
  return {
    id: 'rev-1',
    teamId: 'T1',
    enterpriseId: null,
    userId: 'U0ASKER',
    target: { channelId: 'C0CHAN', threadTs: null, broadcast: false, responseUrl: null },
    answers,
    decision,
    rulesVersion: decision.rulesVersion,
    status: 'posted',
    lastError: null,
    postedChannelId: 'C0CHAN',
    messageTs: '1700000000.000100',
    threadTs: '1700000000.000100',
    permalink: 'https://t.slack.com/archives/C0CHAN/p1700000000000100',
    createdAt: at,
    updatedAt: at,
    revisionOf: null,
    revision: 1,
    ...overrides,
  };
}
