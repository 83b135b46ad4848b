import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readStep, readStepLeniently, type StateValues } from '../../src/checklist/readStep.js';
import {
  answersToPost,
  applicableSteps,
  type ChecklistState,
  type Draft,
  decodeState,
  draftAfterStep,
  encodeState,
  nextStep,
  ORIGINS,
  previousStep,
  pruneDraft,
  STEP_IDS,
  type StepId,
  startChecklist,
  withReviewChoices,
} from '../../src/checklist/state.js';
import { ActionId, BlockId } from '../../src/constants.js';
import { GAPS, type Gap, PROBLEM_MAX_CHARS, TITLE_MAX_CHARS } from '../../src/decision/answers.js';
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

// Details of both parts of the gap travel whatever the gap (a gap changed mid-checklist keeps
// them): the longest gap name with both sets of details is the costliest draft.
const LONGEST_GAP = GAPS.reduce((longest, gap) => (gap.length > longest.length ? gap : longest));

function fullState(title: string, problem: string, gap: Gap = LONGEST_GAP): ChecklistState {
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
        restrictedData: true,
        promptTried: 'still-unreliable',
        gap,
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

  it('stays within 3000 characters for an edit, which carries the Home pages it started from', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GAPS),
        costlyText(TITLE_MAX_CHARS),
        costlyText(PROBLEM_MAX_CHARS),
        (gap, title, problem) => {
          // An edit starts from App Home: no response_url, no thread choices of its own.
          const {
            reviewChoices: _none,
            whereClicked: _neither,
            ...rest
          } = fullState(title, problem, gap);
          const state: ChecklistState = {
            ...rest,
            origin: 'edit',
            responseUrl: null,
            homePaging: { mine: 10_000, team: 10_000 },
          };
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

  it('reads metadata from a checklist opened before the question on personal data, same version', () => {
    const state = fullState('Refund bot', 'Old policy');
    const written = JSON.parse(encodeState(state));
    delete written.draft.restrictedData;
    const decoded = decodeState(JSON.stringify(written));
    const { restrictedData: _said, ...draft } = state.draft;
    expect(decoded).toEqual({ ok: true, state: { ...state, draft } });
    expect(decoded.ok && decoded.state.draft).not.toHaveProperty('restrictedData');
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
      'a personal-data answer that is not a yes or no',
      JSON.stringify({
        ...fullState('a', 'b'),
        draft: { ...fullState('a', 'b').draft, restrictedData: 'yes' },
      }),
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

const picked = (value: string) => ({
  type: 'radio_buttons',
  selected_option: { value, text: { type: 'plain_text' as const, text: value } },
});

function stepValues(entries: [string, string, StateValues[string][string]][]): StateValues {
  const result: StateValues = {};
  for (const [block, action, value] of entries)
    result[block] = { ...result[block], [action]: value };
  return result;
}

const GAP_VALUES = (gap: Gap) => stepValues([[BlockId.gap, ActionId.gap, picked(gap)]]);
const KNOWLEDGE_VALUES = stepValues([
  [BlockId.changesOften, ActionId.changesOften, picked('yes')],
  [BlockId.citationsNeeded, ActionId.citationsNeeded, picked('no')],
  [BlockId.fitsInPrompt, ActionId.fitsInPrompt, picked('no')],
]);
const BEHAVIOR_VALUES = stepValues([
  [BlockId.behaviorKinds, ActionId.behaviorKinds, { type: 'checkboxes', selected_options: [] }],
  [BlockId.labeledExamples, ActionId.labeledExamples, { type: 'number_input', value: '300' }],
  [BlockId.trainingBudget, ActionId.trainingBudget, picked('yes')],
]);

/** The checklist as its listeners move it: Next through the submission, Back through Back. */
class Walk {
  step: StepId = 'gap';
  draft: Draft = { title: 'Refund bot', leaning: 'undecided', promptTried: 'still-unreliable' };

  next(values: StateValues): void {
    const read = readStep(this.step, values, this.draft);
    if (!read.ok) throw new Error(`step ${this.step}: ${JSON.stringify(read.errors)}`);
    this.draft = draftAfterStep(this.step, read.draft);
    this.step = nextStep(this.step, this.draft);
  }

  back(values: StateValues): void {
    this.draft = readStepLeniently(this.step, values, this.draft);
    const previous = previousStep(this.step, this.draft);
    if (!previous) throw new Error(`no step before ${this.step}`);
    this.step = previous;
  }
}

describe('changing the gap in the middle of the checklist', () => {
  it('keeps the behavior answers through both → knowledge → both', () => {
    const walk = new Walk();
    walk.next(GAP_VALUES('both'));
    walk.next(KNOWLEDGE_VALUES);
    expect(walk.step).toBe('behavior');
    // 300 examples entered, then Back to the gap step.
    walk.back(BEHAVIOR_VALUES);
    walk.back(KNOWLEDGE_VALUES);
    expect(walk.step).toBe('gap');
    walk.next(GAP_VALUES('knowledge'));
    expect(walk.step).toBe('knowledge');
    walk.back(KNOWLEDGE_VALUES);
    walk.next(GAP_VALUES('both'));
    walk.next(KNOWLEDGE_VALUES);
    expect(walk.step).toBe('behavior');
    expect(walk.draft.behavior).toEqual({ kinds: [], labeledExamples: 300, trainingBudget: true });
    expect(walk.draft.knowledge).toEqual({
      changesOften: true,
      citationsNeeded: false,
      fitsInPrompt: false,
    });
  });

  it('keeps the knowledge answers through both → behavior → both', () => {
    const walk = new Walk();
    walk.next(GAP_VALUES('both'));
    walk.back(KNOWLEDGE_VALUES);
    walk.next(GAP_VALUES('behavior'));
    walk.next(BEHAVIOR_VALUES);
    expect(walk.step).toBe('review');
    expect(walk.draft.knowledge).toEqual({
      changesOften: true,
      citationsNeeded: false,
      fitsInPrompt: false,
    });
  });

  it('drops the unchosen part’s details, even half answered, only on the last step', () => {
    const walk = new Walk();
    walk.next(GAP_VALUES('both'));
    walk.next(KNOWLEDGE_VALUES);
    // Back from an untouched behavior step: its half answers travel on.
    walk.back(stepValues([]));
    walk.back(KNOWLEDGE_VALUES);
    walk.next(GAP_VALUES('knowledge'));
    walk.next(KNOWLEDGE_VALUES);
    expect(walk.step).toBe('review');
    expect(walk.draft.behavior).toEqual({ kinds: [] });

    const answers = answersToPost(walk.draft);
    expect(answers).not.toBeNull();
    expect(answers).not.toHaveProperty('behavior');
    expect(answers?.knowledge).toEqual({
      changesOften: true,
      citationsNeeded: false,
      fitsInPrompt: false,
    });
    walk.next(stepValues([]));
    expect(walk.draft).not.toHaveProperty('behavior');
  });

  it('gives no answers to post while a detail the gap needs is missing', () => {
    expect(
      answersToPost({
        title: 'Refund bot',
        promptTried: 'not-yet',
        gap: 'both',
        knowledge: { changesOften: true, citationsNeeded: true },
      }),
    ).toBeNull();
  });
});
