import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMentionStart } from '../../src/checklist/mentionStart.js';
import { ActionId, BlockId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { decide } from '../../src/decision/index.js';
import { POST_REFUSALS, type PostRefusal } from '../../src/delivery/slackErrors.js';
import type { Review } from '../../src/storage/repository.js';
import type { Vote } from '../../src/storage/votes.js';
import { buildHomeView } from '../../src/views/homeView.js';
import { buildMentionFallbackDm, buildMentionReply } from '../../src/views/mentionReply.js';
import { buildReviewDetailModal } from '../../src/views/reviewModals.js';
import {
  buildChallengeModal,
  buildChallengeReply,
  CHALLENGE_REASON_MAX_CHARS,
  exportComment,
} from '../../src/views/signOff.js';
import {
  buildVerdictMessage,
  signOffLine,
  verdictActionsBlockId,
  verdictVersionOfBlockId,
} from '../../src/views/verdictMessage.js';
import { validAnswersArb } from '../decision/arbitraries.js';
import { checkMessage, checkView } from '../support/blockKitLimits.js';
import { isRecord } from '../support/json.js';
import { postedReview } from '../support/reviewFixture.js';

const HOSTILE = '<!channel> <!here> <@U999EVIL> <https://evil.test|click> & co';

const answers: Answers = {
  title: HOSTILE,
  problem: HOSTILE,
  leaning: 'fine-tune',
  promptTried: 'scored-falls-short',
  gap: 'both',
  knowledge: { changesOften: true, citationsNeeded: true },
  behavior: { kinds: ['format'], labeledExamples: 300, trainingBudget: false },
};

function vote(userId: string, kind: Vote['vote'], reason: string | null = null): Vote {
  return { reviewId: 'rev-1', teamId: 'T1', userId, vote: kind, reason, updatedAt: new Date(0) };
}

function review(overrides: Partial<Review> = {}): Review {
  return postedReview(answers, overrides);
}

/** Every `<…>` control sequence in a payload: mentions, links, dates. */
function controlSequences(payload: unknown): string[] {
  return JSON.stringify(payload).match(/<[^<>]*>/g) ?? [];
}

function blockIds(blocks: unknown[]): string[] {
  return blocks.flatMap((block) =>
    isRecord(block) && typeof block.block_id === 'string' ? [block.block_id] : [],
  );
}

const many = (count: number, kind: Vote['vote']) =>
  Array.from({ length: count }, (_, index) =>
    vote(`U${String(index).padStart(9, '0')}${kind === 'agree' ? 'A' : 'C'}`, kind),
  );

describe('the verdict message with its sign-off', () => {
  it('stays within Slack’s limits for any answers, any tally, and revisions', () => {
    fc.assert(
      fc.property(
        validAnswersArb,
        fc.nat({ max: 300 }),
        fc.nat({ max: 300 }),
        fc.nat({ max: 99 }),
        (anyAnswers, agreed, challenged, revision) => {
          const message = buildVerdictMessage({
            answers: anyAnswers,
            decision: decide(anyAnswers),
            userId: 'U0ASKER',
            signOff: {
              reviewId: '01234567-89ab-cdef-0123-456789abcdef',
              votes: [...many(agreed, 'agree'), ...many(challenged, 'challenge')],
            },
            ...(revision > 1 ? { revision: { number: revision, previousVerdict: 'rag' } } : {}),
          });
          expect(checkMessage(message)).toEqual([]);
          const ids = blockIds(message.blocks);
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('carries the review id on all four buttons in one actions block', () => {
    const message = buildVerdictMessage({
      answers,
      decision: decide(answers),
      userId: 'U0ASKER',
      signOff: { reviewId: 'rev-1', votes: [] },
    });
    const actions = message.blocks.filter((block) => block.type === 'actions');
    expect(actions).toHaveLength(1);
    const [block] = actions;
    const elements = block?.type === 'actions' ? block.elements : [];
    expect(block?.block_id).toBe(BlockId.verdictActions);
    expect(elements.map((element) => ('action_id' in element ? element.action_id : ''))).toEqual([
      ActionId.agree,
      ActionId.challenge,
      ActionId.rerun,
      ActionId.exportRecord,
    ]);
    expect(elements.every((element) => 'value' in element && element.value === 'rev-1')).toBe(true);
  });

  it("names the version of the verdict the message shows in the buttons' block_id, not their values", () => {
    const message = buildVerdictMessage({
      answers,
      decision: decide(answers),
      userId: 'U0ASKER',
      signOff: { reviewId: 'rev-1', votes: [], verdictVersion: 3 },
    });
    const actions = message.blocks.filter((block) => block.type === 'actions');
    expect(actions.map((block) => block.block_id)).toEqual([`${BlockId.verdictActions}@3`]);
    // An instance from before versions (rolling upgrade) reads the values whole as the review id.
    const values = actions.flatMap((block) =>
      block.type === 'actions'
        ? block.elements.map((element) => ('value' in element ? element.value : undefined))
        : [],
    );
    expect(values).toEqual(['rev-1', 'rev-1', 'rev-1', 'rev-1']);
    expect(checkMessage(message)).toEqual([]);

    expect(verdictVersionOfBlockId(`${BlockId.verdictActions}@3`)).toBe(3);
    // A message posted before the block carried it: the vote is on the verdict on record.
    expect(verdictVersionOfBlockId(BlockId.verdictActions)).toBeUndefined();
    expect(verdictVersionOfBlockId(undefined)).toBeUndefined();
    for (const unreadable of ['verdict_actions@0', 'verdict_actions@x', 'other@3', '@3']) {
      expect(verdictVersionOfBlockId(unreadable)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), (version) => {
        const blockId = verdictActionsBlockId(version);
        expect(blockId.length).toBeLessThanOrEqual(255);
        expect(verdictVersionOfBlockId(blockId)).toBe(version);
      }),
    );
  });

  it('names voters only from their ids, one list per side, and counts the rest', () => {
    expect(signOffLine([])).toBe('No sign-offs yet: agree, or challenge it with a reason.');
    expect(
      signOffLine([vote('U0A', 'agree'), vote('U0B', 'agree'), vote('U0C', 'challenge')]),
    ).toBe('Agreed: <@U0A>, <@U0B> · Challenged: <@U0C>');
    expect(signOffLine([vote('<!channel>', 'challenge', HOSTILE)])).toBe('Challenged: someone');
    expect(signOffLine(many(35, 'agree'))).toMatch(/ and 5 more$/);

    const message = buildVerdictMessage({
      answers,
      decision: decide(answers),
      userId: 'U0ASKER',
      signOff: { reviewId: 'rev-1', votes: [vote('U0ALICE', 'agree')] },
    });
    expect(controlSequences(message)).toEqual(['<@U0ASKER>', '<@U0ALICE>']);
  });

  it('starts a revision with what changed, in the notification text too', () => {
    const message = buildVerdictMessage({
      answers,
      decision: decide(answers),
      userId: 'U0ASKER',
      signOff: { reviewId: 'rev-2', votes: [] },
      revision: { number: 2, previousVerdict: 'rag' },
    });
    expect(message.blocks[0]).toMatchObject({
      block_id: BlockId.revisionNote,
      text: { text: ':repeat: *Revision 2: verdict changed from RAG to RAG + fine-tune*' },
    });
    expect(message.text).toMatch(/^Revision 2: verdict changed from RAG to RAG \+ fine-tune\. /);
    const same = buildVerdictMessage({
      answers,
      decision: decide(answers),
      userId: 'U0ASKER',
      revision: { number: 3, previousVerdict: decide(answers).verdict },
    });
    expect(same.text).toMatch(/^Revision 3: verdict unchanged \(RAG \+ fine-tune\)/);
  });

  it('leaves the Open modal as it was (no buttons there)', () => {
    const modal = buildReviewDetailModal(review());
    expect(checkView(modal)).toEqual([]);
    expect(JSON.stringify(modal)).not.toContain(ActionId.agree);
  });
});

describe('challenge views', () => {
  it('the modal asks for a required reason of at most 500 characters', () => {
    const modal = buildChallengeModal(review());
    expect(checkView(modal)).toEqual([]);
    const input = modal.blocks.find((block) => block.type === 'input');
    expect(input).toMatchObject({
      block_id: BlockId.challengeReason,
      element: { action_id: ActionId.challengeReason, max_length: CHALLENGE_REASON_MAX_CHARS },
    });
    expect(input && 'optional' in input ? input.optional : undefined).toBeUndefined();
    expect(JSON.parse(modal.private_metadata ?? '')).toEqual({ reviewId: 'rev-1' });
    expect(controlSequences(modal.blocks)).toEqual([]);
  });

  it('the thread reply quotes the reason escaped and names the challenger from the payload', () => {
    const worst = `${'<'.repeat(CHALLENGE_REASON_MAX_CHARS - 1)}\n`;
    for (const reason of [HOSTILE, worst, `line one\n${HOSTILE}\nline three`]) {
      const reply = buildChallengeReply('U0BOB', reason);
      expect(checkMessage(reply)).toEqual([]);
      expect(controlSequences(reply)).toEqual(['<@U0BOB>', '<@U0BOB>']);
    }
    expect(JSON.stringify(buildChallengeReply('U0BOB', 'a\nb').blocks)).toContain('>a\\n>b');
  });

  it('the export comment escapes the title', () => {
    expect(exportComment(review(), 'U0BOB')).not.toContain('<!channel>');
    expect(controlSequences(exportComment(review(), 'U0BOB'))).toEqual(['<@U0BOB>']);
  });
});

describe('mention replies', () => {
  const value = encodeMentionStart({
    channelId: 'C0CHAN',
    threadTs: '1700000000.000100',
    problem: `${HOSTILE} "`.repeat(100),
  });

  it('fit Slack’s limits and carry the start value on a Start review button', () => {
    for (const message of [
      buildMentionReply('U0BOB', value),
      ...POST_REFUSALS.map((refusal) => buildMentionFallbackDm('C0CHAN', value, refusal)),
    ]) {
      expect(checkMessage(message)).toEqual([]);
      const actions = message.blocks.find((block) => block.block_id === BlockId.mentionStart);
      expect(actions).toMatchObject({
        elements: [{ action_id: ActionId.startMentionReview, value }],
      });
    }
    // The value is data for the app, never shown; the text Slack renders has the one mention.
    const shown = buildMentionReply('U0BOB', value).blocks.filter((b) => b.type !== 'actions');
    expect(controlSequences(shown)).toEqual(['<@U0BOB>']);
  });

  it('say why the mention got no answer there, advising an invite only when the bot is not a member', () => {
    const dm = (refusal: PostRefusal) =>
      JSON.stringify(buildMentionFallbackDm('C0CHAN', value, refusal));
    expect(dm('not-in-channel')).toContain(
      "I couldn't answer your mention in <#C0CHAN> because I'm not a member there. Invite me with `/invite @ftrag` in that channel",
    );
    const because: [PostRefusal, string][] = [
      ['archived', ' because that channel is archived.'],
      ['restricted', ' because posting there is restricted.'],
      ['thread-unavailable', ' because its thread is gone or takes no replies.'],
      ['other', '.'],
    ];
    for (const [refusal, reason] of because) {
      const message = buildMentionFallbackDm('C0CHAN', value, refusal);
      expect(JSON.stringify(message.blocks)).toContain(
        `I couldn't answer your mention in <#C0CHAN>${reason}`,
      );
      expect(message.text).toBe(`I couldn't answer your mention in <#C0CHAN>${reason}`);
      expect(dm(refusal)).not.toContain('/invite');
      expect(dm(refusal)).not.toContain('not a member');
    }
  });
});

describe('App Home', () => {
  it('shows each review’s tally and revision, within 100 blocks', () => {
    const reviews = Array.from({ length: 5 }, (_, index) =>
      review({
        id: `rev-${index}`,
        revision: index + 1,
        revisionOf: index > 0 ? `rev-${index - 1}` : null,
      }),
    );
    const home = buildHomeView({
      userId: 'U0ASKER',
      mine: { reviews, total: 40 },
      team: { reviews, total: 40 },
      countsByVerdict: {},
      undelivered: {
        reviews: reviews.map((r) => ({
          ...r,
          id: `pending-${r.id}`,
          status: 'pending' as const,
        })),
        total: reviews.length,
      },
      paging: { mine: 1, team: 1 },
      tallies: { 'rev-0': { agree: 2, challenge: 1 }, 'rev-3': { agree: 0, challenge: 4 } },
    });
    expect(checkView(home)).toEqual([]);
    expect(home.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(home.blocks);
    expect(text).toContain('✅ 2 · ❓ 1');
    expect(text).toContain('revision 4 · ✅ 0 · ❓ 4');
    expect(text).not.toContain('✅ 0 · ❓ 0');
  });
});
