import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicableSteps,
  type ChecklistState,
  decodeState,
  encodeState,
  nextStep,
  ORIGINS,
  previousStep,
  pruneDraft,
  STEP_IDS,
  startChecklist,
  withReviewChoices,
} from '../../src/checklist/state.js';
import { PROBLEM_MAX_CHARS, TITLE_MAX_CHARS } from '../../src/decision/answers.js';
import { cleanTypedText } from '../../src/views/text.js';

const PRIVATE_METADATA_MAX = 3000;

// The characters that cost the most once JSON-encoded: quotes and backslashes double, astral
// characters are two UTF-16 units, control characters would become \u00XX (they are cleaned).
const costlyChar = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '\t',
  '😀',
  '𝕏',
  'é',
  '\u0001',
  '\u2028',
  '<',
  '&',
);
const costlyText = (max: number) =>
  fc.array(costlyChar, { minLength: max, maxLength: max }).map((chars) => chars.join(''));

const realisticResponseUrl =
  'https://hooks.slack.com/commands/T0123456789/1234567890123/AbCdEfGhIjKlMnOpQrStUvWx';

function fullState(title: string, problem: string): ChecklistState {
  return {
    ...startChecklist({
      origin: 'shortcut',
      channelId: 'C0123456789ABCDEF',
      threadTs: '1700000000.123456',
      responseUrl: realisticResponseUrl,
      reviewId: '01234567-89ab-cdef-0123-456789abcdef',
      draft: {
        title: cleanTypedText(title),
        problem: cleanTypedText(problem),
        leaning: 'rag+fine-tune',
        promptTried: 'still-unreliable',
        gap: 'both',
        knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: false },
        behavior: {
          kinds: ['format', 'tone', 'classification', 'skill'],
          labeledExamples: 10_000_000,
          trainingBudget: true,
        },
      },
    }),
    step: 'review',
    // The longest a kept choice can be: a channel id at the schema's limit, and the box ticked.
    reviewChoices: { destinationChannelId: `C${'Z'.repeat(30)}`, broadcast: true },
    // A re-run's, when redirected to where it was clicked: it costs characters too.
    whereClicked: true,
  };
}

describe('checklist state in private_metadata', () => {
  it('round-trips through encode and decode', () => {
    const state = fullState('RAG for <refunds> & "policies"', 'line one\nline two 😀');
    const decoded = decodeState(encodeState(state));
    expect(decoded).toEqual({ ok: true, state });
  });

  it('stays within Slack’s 3000 characters for the costliest possible answers', () => {
    fc.assert(
      fc.property(costlyText(TITLE_MAX_CHARS), costlyText(PROBLEM_MAX_CHARS), (title, problem) => {
        // UTF-16 length is at least Slack's character count, so this bound is safe either way.
        expect(encodeState(fullState(title, problem)).length).toBeLessThanOrEqual(
          PRIVATE_METADATA_MAX,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('stays within 3000 characters from every door, re-runs included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ORIGINS),
        costlyText(TITLE_MAX_CHARS),
        costlyText(PROBLEM_MAX_CHARS),
        (origin, title, problem) => {
          const state = { ...fullState(title, problem), origin };
          expect(decodeState(encodeState(state))).toEqual({ ok: true, state });
          expect(encodeState(state).length).toBeLessThanOrEqual(PRIVATE_METADATA_MAX);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('decodes metadata without kept review choices, as written before they were kept', () => {
    const { reviewChoices: _kept, ...before } = fullState('a', 'b');
    expect(decodeState(JSON.stringify(before))).toEqual({ ok: true, state: before });
    expect(decodeState(JSON.stringify({ ...before, reviewChoices: {} }))).toEqual({
      ok: true,
      state: { ...before, reviewChoices: {} },
    });
  });

  it('decodes metadata without whereClicked, as written before a re-run carried it', () => {
    const { whereClicked: _carried, ...before } = fullState('a', 'b');
    expect(decodeState(JSON.stringify(before))).toEqual({ ok: true, state: before });
    const rerun = startChecklist({
      origin: 'rerun',
      channelId: 'C0123456789',
      threadTs: '1700000000.123456',
      responseUrl: null,
      reviewId: 'r1',
    });
    expect(rerun).not.toHaveProperty('whereClicked');
    const redirected = startChecklist({
      origin: 'rerun',
      channelId: 'C0123456789',
      threadTs: '1700000000.123456',
      responseUrl: realisticResponseUrl,
      reviewId: 'r1',
      whereClicked: true,
    });
    expect(decodeState(encodeState(redirected))).toEqual({ ok: true, state: redirected });
    expect(redirected.whereClicked).toBe(true);
  });

  it('keeps, replaces or drops the review choices, leaving the rest of the state as it was', () => {
    const state = fullState('a', 'b');
    const { reviewChoices: _kept, ...without } = state;
    expect(withReviewChoices(state, { broadcast: true })).toEqual({
      ...without,
      reviewChoices: { broadcast: true },
    });
    expect(withReviewChoices(state, undefined)).toEqual(without);
    expect(withReviewChoices(without, undefined)).toEqual(without);
  });

  it('reads metadata from a checklist opened before the facts-in-prompt question, same version', () => {
    const state = fullState('Refund bot', 'Old policy');
    const written = JSON.parse(encodeState(state));
    delete written.draft.knowledge.fitsInPrompt;
    const decoded = decodeState(JSON.stringify(written));
    expect(decoded).toEqual({
      ok: true,
      state: {
        ...state,
        draft: { ...state.draft, knowledge: { changesOften: true, citationsNeeded: false } },
      },
    });
    expect(decoded.ok && decoded.state.draft.knowledge).not.toHaveProperty('fitsInPrompt');
  });

  it.each([
    ['not JSON', 'not json {'],
    ['an older version', JSON.stringify({ ...fullState('a', 'b'), v: 0 })],
    ['an unknown step', JSON.stringify({ ...fullState('a', 'b'), step: 'launch' })],
    ['a forged channel id', JSON.stringify({ ...fullState('a', 'b'), channelId: '<!channel>' })],
    [
      'a response_url that is not a URL',
      JSON.stringify({ ...fullState('a', 'b'), responseUrl: 'x' }),
    ],
    [
      'a forged destination channel',
      JSON.stringify({
        ...fullState('a', 'b'),
        reviewChoices: { destinationChannelId: '<!here>' },
      }),
    ],
    [
      'a destination channel id longer than any',
      JSON.stringify({
        ...fullState('a', 'b'),
        reviewChoices: { destinationChannelId: `C${'Z'.repeat(31)}` },
      }),
    ],
    [
      'a broadcast choice that is not a yes or no',
      JSON.stringify({ ...fullState('a', 'b'), reviewChoices: { broadcast: 'yes' } }),
    ],
    [
      'review choices that are not an object',
      JSON.stringify({ ...fullState('a', 'b'), reviewChoices: [] }),
    ],
    ['an empty string', ''],
    ['an array', '[]'],
  ])('rejects %s with a reason', (_name, metadata) => {
    const decoded = decodeState(metadata);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(/private_metadata/);
  });
});

describe('steps', () => {
  it('asks knowledge details only for knowledge gaps and behavior details only for behavior gaps', () => {
    expect(applicableSteps({ gap: 'knowledge' })).toEqual([
      'about',
      'prompt',
      'gap',
      'knowledge',
      'review',
    ]);
    expect(applicableSteps({ gap: 'behavior' })).toEqual([
      'about',
      'prompt',
      'gap',
      'behavior',
      'review',
    ]);
    expect(applicableSteps({ gap: 'both' })).toEqual([
      'about',
      'prompt',
      'gap',
      'knowledge',
      'behavior',
      'review',
    ]);
    expect(applicableSteps({ gap: 'neither' })).toEqual(['about', 'prompt', 'gap', 'review']);
    expect(applicableSteps({ gap: 'unsure' })).toEqual(['about', 'prompt', 'gap', 'review']);
  });

  it('walks from each step to the next that applies', () => {
    expect(nextStep('about', {})).toBe('prompt');
    expect(nextStep('prompt', {})).toBe('gap');
    expect(nextStep('gap', { gap: 'behavior' })).toBe('behavior');
    expect(nextStep('gap', { gap: 'neither' })).toBe('review');
    expect(nextStep('knowledge', { gap: 'both' })).toBe('behavior');
    expect(nextStep('knowledge', { gap: 'knowledge' })).toBe('review');
    expect(nextStep('behavior', { gap: 'both' })).toBe('review');
  });

  it('walks back from each step to the previous one that applies', () => {
    expect(previousStep('about', {})).toBeNull();
    expect(previousStep('prompt', {})).toBe('about');
    expect(previousStep('gap', { gap: 'behavior' })).toBe('prompt');
    expect(previousStep('behavior', { gap: 'behavior' })).toBe('gap');
    expect(previousStep('behavior', { gap: 'both' })).toBe('knowledge');
    expect(previousStep('review', { gap: 'both' })).toBe('behavior');
    expect(previousStep('review', { gap: 'knowledge' })).toBe('knowledge');
    expect(previousStep('review', { gap: 'neither' })).toBe('gap');
  });

  it('always reaches the review step, for any gap, from any step', () => {
    for (const gap of ['knowledge', 'behavior', 'both', 'neither', 'unsure'] as const) {
      for (const step of STEP_IDS) {
        let current = step;
        for (let hops = 0; current !== 'review'; hops++) {
          expect(hops).toBeLessThan(STEP_IDS.length);
          current = nextStep(current, { gap });
        }
      }
    }
  });

  it('drops details that no longer apply when the gap changes', () => {
    const draft = {
      gap: 'knowledge' as const,
      knowledge: { changesOften: true, citationsNeeded: true },
      behavior: { labeledExamples: 500, trainingBudget: true },
    };
    expect(pruneDraft(draft)).toEqual({ gap: 'knowledge', knowledge: draft.knowledge });
    expect(pruneDraft({ ...draft, gap: 'neither' })).toEqual({ gap: 'neither' });
  });
});
