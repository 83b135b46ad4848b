import type { ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ActionId, BlockId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import type { Review } from '../../src/storage/repository.js';
import type { Vote } from '../../src/storage/votes.js';
import {
  buildReviewDetailModal,
  buildShareModal,
  buildShareUnderwayModal,
} from '../../src/views/reviewModals.js';
import { buildShareCard } from '../../src/views/shareCard.js';
import { CHALLENGE_REASON_MAX_CHARS } from '../../src/views/signOff.js';
import { checkMessage, checkView } from '../support/blockKitLimits.js';
import { postedReview } from '../support/reviewFixture.js';

const HOSTILE = '<!channel> <@U999EVIL> <https://evil.test|click> & co';
const THREAD = 'https://t.slack.com/archives/C0CHAN/p1700000000000100';
const NEWEST = 'https://t.slack.com/archives/C0CHAN/p1700000009000100?thread_ts=1700000000.000100';

const answers: Answers = {
  title: `Refund bot ${HOSTILE}`,
  problem: 'Answers go stale',
  leaning: 'fine-tune',
  promptTried: 'scored-falls-short',
  gap: 'knowledge',
  knowledge: { changesOften: true, citationsNeeded: true },
};

function review(overrides: Partial<Review> = {}): Review {
  return postedReview(answers, { permalink: THREAD, ...overrides });
}

/** Revision 3 of the line, posted in the same thread, with a verdict of its own. */
function newest(overrides: Partial<Review> = {}): Review {
  const base = review();
  return {
    ...base,
    id: 'rev-3',
    revision: 3,
    revisionOf: 'rev-2',
    decision: { ...base.decision, verdict: 'fine-tune' },
    permalink: NEWEST,
    ...overrides,
  };
}

function vote(userId: string, kind: Vote['vote'], reason: string | null = null): Vote {
  return {
    reviewId: 'rev-1',
    teamId: 'T1',
    userId,
    vote: kind,
    reason,
    updatedAt: new Date('2026-11-29T11:00:00Z'),
  };
}

function text(payload: unknown): string {
  return JSON.stringify(payload);
}

/** Every `<…>` control sequence in the serialized payload. */
function controlSequences(payload: unknown): string[] {
  return JSON.stringify(payload).match(/<[^<>]*>/g) ?? [];
}

describe('Open: which revision it is', () => {
  it('a revision says so, and what verdict it replaced when that is known', () => {
    const second = review({ id: 'rev-2', revision: 2, revisionOf: 'rev-1' });
    const modal = buildReviewDetailModal(second, {
      revision: { number: 2, previousVerdict: 'prompt' },
    });
    expect(modal.blocks[0]).toMatchObject({ block_id: BlockId.revisionNote });
    expect(text(modal.blocks[0])).toContain('Revision 2: verdict changed from Prompt to');
    // Even when nothing else is known about it, a revision is never shown as an original.
    expect(text(buildReviewDetailModal(second))).toContain('Revision 2: verdict');
    expect(checkView(modal)).toEqual([]);
  });

  it('a superseded revision says a later one changed it, and links the newest', () => {
    const modal = buildReviewDetailModal(review(), { latest: newest() });
    const all = text(modal.blocks);
    expect(all).toMatch(/revision 1/i);
    expect(all).toContain('revision 3');
    expect(all).toContain('Fine-tune');
    expect(all).toContain(`<${NEWEST}|`);
    // The warning comes before the verdict it is about.
    expect(text(modal.blocks[0])).toMatch(/superseded/i);
    expect(checkView(modal)).toEqual([]);
  });

  it('the newest revision is not called superseded', () => {
    const third = newest();
    expect(text(buildReviewDetailModal(third, { latest: third }))).not.toMatch(/superseded/i);
  });

  it('a newest revision sent to its asker by DM is named, not linked as if anyone could open it', () => {
    const inDm = newest({ status: 'sent-as-dm', postedChannelId: 'D0ASKERDM1' });
    const all = text(buildReviewDetailModal(review(), { latest: inDm }).blocks);
    expect(all).toContain('by DM');
    expect(all).toContain('<@U0ASKER>');
  });
});

describe('Open: sign-offs', () => {
  it('shows the tally with counts and names, and the challenge reasons escaped', () => {
    const votes = [
      vote('U0AGREE01', 'agree'),
      vote('U0AGREE02', 'agree'),
      vote('U0CHALL01', 'challenge', `Too few labels ${HOSTILE}`),
    ];
    const modal = buildReviewDetailModal(review(), { votes });
    const all = text(modal.blocks);
    expect(all).toContain('✅ 2');
    expect(all).toContain('❓ 1');
    expect(all).toContain('Agreed: <@U0AGREE01>, <@U0AGREE02>');
    expect(all).toContain('Challenged: <@U0CHALL01>');
    expect(all).toContain('Too few labels &lt;!channel&gt;');
    // No buttons in a modal that only shows the review; no live mention from typed text.
    expect(all).not.toContain(`"action_id":"${ActionId.agree}"`);
    expect(controlSequences(modal.blocks).filter((s) => s.includes('EVIL'))).toEqual([]);
    expect(checkView(modal)).toEqual([]);
  });

  it('says when nobody signed off', () => {
    expect(text(buildReviewDetailModal(review(), { votes: [] }))).toContain('No sign-offs yet');
  });

  it('many long challenges stay within a modal’s limits, say how many are left out, and keep the link', () => {
    const reason = '<&>'.repeat(CHALLENGE_REASON_MAX_CHARS / 3);
    const votes = Array.from({ length: 150 }, (_, index) =>
      vote(`U0CH${String(index).padStart(5, '0')}`, 'challenge', reason),
    );
    const modal = buildReviewDetailModal(review(), {
      votes,
      revision: { number: 2, previousVerdict: 'rag' },
      latest: newest(),
    });
    expect(checkView(modal)).toEqual([]);
    const all = text(modal.blocks);
    expect(all).toContain('❓ 150');
    expect(all).toMatch(/and 1\d\d more/);
    expect(text(modal.blocks.at(-1))).toContain(`<${THREAD}|`);
  });
});

describe('Open and the share card: where the verdict is', () => {
  it('a verdict posted through a response_url names its channel, and says there is no link', () => {
    const viaUrl = review({
      status: 'posted-via-response-url',
      permalink: null,
      messageTs: null,
      threadTs: null,
      postedChannelId: 'C0NOBOT001',
    });
    for (const surface of [
      buildReviewDetailModal(viaUrl).blocks,
      buildShareCard(viaUrl, 'U0SHARER').blocks,
    ]) {
      expect(text(surface)).toContain('<#C0NOBOT001>');
      expect(text(surface)).toMatch(/no link/);
    }
  });

  it('a verdict in the asker’s DM: the card links nothing and says where it is', () => {
    const dmLink = 'https://t.slack.com/archives/D0ASKERDM1/p1700000000000100';
    for (const inDm of [
      review({ status: 'sent-as-dm', postedChannelId: 'D0ASKERDM1', permalink: dmLink }),
      // Asked for as a DM from Home: posted, but in the asker's DM with ftrag all the same.
      review({
        status: 'posted',
        target: { channelId: null, threadTs: null, broadcast: false, responseUrl: null },
        postedChannelId: 'D0ASKERDM1',
        permalink: dmLink,
      }),
    ]) {
      const card = buildShareCard(inDm, 'U0SHARER');
      expect(text(card)).not.toContain(dmLink);
      expect(text(card)).not.toContain('Open the original thread');
      expect(text(card.blocks)).toContain('sent to <@U0ASKER> by DM');
      expect(checkMessage(card)).toEqual([]);
    }
  });

  it('a card in a channel thread still links it', () => {
    expect(text(buildShareCard(review(), 'U0SHARER'))).toContain(
      `<${THREAD}|Open the original thread>`,
    );
  });
});

describe('the share card of a revision', () => {
  it('a superseded revision says so and points to the newest', () => {
    const card = buildShareCard(review(), 'U0SHARER', newest());
    const all = text(card.blocks);
    expect(all).toMatch(/superseded/i);
    expect(all).toContain('revision 3');
    expect(all).toContain(`<${NEWEST}|`);
    expect(card.text).toMatch(/superseded/i);
    expect(checkMessage(card)).toEqual([]);
  });

  it('the newest revision says which it is, and nothing about being superseded', () => {
    const third = newest();
    const all = text(buildShareCard(third, 'U0SHARER', third).blocks);
    expect(all).toContain('revision 3');
    expect(all).not.toMatch(/superseded/i);
  });
});

describe('the Share modal', () => {
  function noticeOf(view: ModalView): string {
    return text(view.blocks);
  }

  it.each([
    ['pending', /not posted yet|being posted/i],
    ['failed', /Post again/],
  ] as const)('of a review not in Slack (%s) refuses before anything is picked', (status, says) => {
    const view = buildShareModal(review({ status, permalink: null, messageTs: null }));
    expect(view.submit).toBeUndefined();
    expect(noticeOf(view)).toMatch(says);
    expect(noticeOf(view)).toMatch(/nothing (was|is) shared|can’t be shared|can't be shared/i);
    expect(checkView(view)).toEqual([]);
  });

  it('warns before submit when the review came from a private conversation', () => {
    const secret = buildShareModal(review({ conversationVisibility: 'private' }));
    expect(noticeOf(secret)).toContain(':lock:');
    expect(noticeOf(secret)).toMatch(/private conversation/);
    const unknown = buildShareModal(review({ conversationVisibility: null }));
    expect(noticeOf(unknown)).toContain(':lock:');
    expect(noticeOf(unknown)).toMatch(/can’t tell/);
    const open = buildShareModal(review({ conversationVisibility: 'public' }));
    expect(noticeOf(open)).not.toContain(':lock:');
    for (const view of [secret, unknown, open]) expect(checkView(view)).toEqual([]);
  });

  it('warns before submit when a later revision is current', () => {
    const view = buildShareModal(review({ conversationVisibility: 'public' }), newest());
    expect(noticeOf(view)).toMatch(/superseded/i);
    expect(noticeOf(view)).toContain('revision 3');
    expect(checkView(view)).toEqual([]);
  });

  it('confirms, once submitted, where the card is being posted', () => {
    const view = buildShareUnderwayModal(review(), 'C0SHAREDST', false);
    expect(view.submit).toBeUndefined();
    expect(noticeOf(view)).toContain('<#C0SHAREDST>');
    expect(noticeOf(view)).toMatch(/DM/);
    const dm = buildShareUnderwayModal(review(), 'D0SOMEDM01', true);
    expect(noticeOf(dm)).not.toContain('<#D');
    expect(checkView(view)).toEqual([]);
  });

  it('ids its notice as a notice, not as an error: it confirms, nothing went wrong', () => {
    const view = buildShareUnderwayModal(review(), 'C0SHAREDST', false);
    const ids = view.blocks.map((block) => block.block_id).filter(Boolean);
    expect(ids).not.toContain(BlockId.errorNotice);
    expect(ids).toEqual([BlockId.notice]);
  });
});
