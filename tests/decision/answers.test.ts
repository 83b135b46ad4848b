import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answersSchema,
  charCount,
  gapIncludesBehavior,
  gapIncludesKnowledge,
  normalizeAnswers,
} from '../../src/decision/answers.js';
import { answersWithRepeatsArb, slackChecklistAnswers } from './arbitraries.js';

const valid = {
  title: 'Refund questions',
  promptTried: 'still-unreliable',
  gap: 'knowledge',
  knowledge: { changesOften: true, citationsNeeded: true },
};

function problems(input: unknown): [string, string][] {
  const result = answersSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

describe('answersSchema', () => {
  it('accepts a complete answer set and defaults the leaning to undecided', () => {
    const result = answersSchema.safeParse(valid);
    expect(result.success).toBe(true);
    expect(result.data?.leaning).toBe('undecided');
  });

  it('ignores unknown keys, at the top and inside nested answers', () => {
    const result = answersSchema.parse({
      ...valid,
      channel: 'C123',
      knowledge: { ...valid.knowledge, source: 'wiki' },
    });
    expect(result).not.toHaveProperty('channel');
    expect(result.knowledge).not.toHaveProperty('source');
  });

  it.each([
    ['knowledge', { ...valid, knowledge: undefined }, 'knowledge'],
    [
      'both',
      { ...valid, gap: 'both', behavior: { labeledExamples: 3, trainingBudget: true } },
      undefined,
    ],
    ['both', { ...valid, gap: 'both' }, 'behavior'],
    ['behavior', { ...valid, gap: 'behavior', knowledge: undefined }, 'behavior'],
  ])('gap %s requires its details (%#)', (gap, input, missing) => {
    const found = problems(input);
    if (missing === undefined) {
      expect(found).toEqual([]);
    } else {
      expect(found).toEqual([[missing, expect.stringContaining(`required when gap is ${gap}`)]]);
    }
  });

  it('takes whether the facts fit in the prompt as an optional yes or no', () => {
    expect(answersSchema.parse(valid).knowledge).not.toHaveProperty('fitsInPrompt');
    const asked = answersSchema.parse({
      ...valid,
      knowledge: { ...valid.knowledge, fitsInPrompt: false },
    });
    expect(asked.knowledge?.fitsInPrompt).toBe(false);
    expect(problems({ ...valid, knowledge: { ...valid.knowledge, fitsInPrompt: 'yes' } })).toEqual([
      ['knowledge.fitsInPrompt', 'expected true or false'],
    ]);
  });

  it('takes personal or customer data, or who may see what, as optional: absent is not said', () => {
    // Every review stored before it was asked lacks it, and still reads.
    expect(answersSchema.parse(valid)).not.toHaveProperty('restrictedData');
    expect(answersSchema.parse({ ...valid, restrictedData: true }).restrictedData).toBe(true);
    expect(answersSchema.parse({ ...valid, restrictedData: false }).restrictedData).toBe(false);
    expect(normalizeAnswers(answersSchema.parse({ ...valid, restrictedData: true }))).toMatchObject(
      { restrictedData: true },
    );
    expect(problems({ ...valid, restrictedData: 'yes' })).toEqual([
      ['restrictedData', 'expected true or false'],
    ]);
  });

  it('reads every prompt answer ever stored: the four offered, and the two from before scoring was asked', () => {
    for (const promptTried of [
      'not-yet',
      'tried-not-scored',
      'scored-good-enough',
      'scored-falls-short',
      'good-enough',
      'still-unreliable',
    ]) {
      expect(answersSchema.parse({ ...valid, promptTried }).promptTried).toBe(promptTried);
    }
  });

  it('does not require details for neither or unsure', () => {
    for (const gap of ['neither', 'unsure']) {
      expect(problems({ title: 't', promptTried: 'not-yet', gap })).toEqual([]);
    }
  });

  it.each([
    [
      'gap',
      { ...valid, gap: 'facts' },
      'expected one of knowledge, behavior, both, neither, unsure',
    ],
    [
      'promptTried',
      { ...valid, promptTried: 'yes' },
      'expected one of not-yet, tried-not-scored, scored-good-enough, scored-falls-short (or, from before the checklist asked about scoring, good-enough, still-unreliable)',
    ],
    [
      'leaning',
      { ...valid, leaning: 'lora' },
      'expected one of undecided, prompt, rag, fine-tune, rag+fine-tune',
    ],
  ])('rejects a bad %s value', (path, input, message) => {
    expect(problems(input)).toEqual([[path, message]]);
  });

  it.each([-1, 2.5, '12', null, Number.NaN])(
    'rejects labeledExamples %s as not a whole number ≥ 0',
    (labeledExamples) => {
      const input = {
        ...valid,
        gap: 'behavior',
        behavior: { labeledExamples, trainingBudget: true },
      };
      expect(problems(input)).toEqual([
        ['behavior.labeledExamples', 'expected a whole number ≥ 0'],
      ]);
    },
  );

  it('rejects an unknown behavior kind by its index', () => {
    const input = {
      ...valid,
      gap: 'behavior',
      behavior: { kinds: ['format', 'vibes'], labeledExamples: 0, trainingBudget: false },
    };
    expect(problems(input)).toEqual([
      ['behavior.kinds.1', 'expected one of format, tone, classification, skill'],
    ]);
  });

  it('limits the title to 150 characters, counting an emoji as one', () => {
    expect(problems({ ...valid, title: 'x'.repeat(150) })).toEqual([]);
    expect(problems({ ...valid, title: '🚀'.repeat(150) })).toEqual([]);
    expect(problems({ ...valid, title: 'x'.repeat(151) })).toEqual([
      ['title', 'expected text of 1–150 characters'],
    ]);
  });

  it('rejects a blank or missing title', () => {
    expect(problems({ ...valid, title: '   ' })).toEqual([
      ['title', 'expected text of 1–150 characters'],
    ]);
    expect(problems({ ...valid, title: undefined })).toEqual([
      ['title', 'expected text of 1–150 characters'],
    ]);
  });

  it('rejects input that is not an object at the root', () => {
    for (const input of [null, [], 'answers', 42]) {
      expect(problems(input)).toEqual([['', expect.any(String)]]);
    }
  });
});

describe('normalizeAnswers', () => {
  it('drops details the gap does not ask for and lists each behavior kind once, in order', () => {
    const answers = answersSchema.parse({
      title: 'Strict JSON',
      promptTried: 'not-yet',
      gap: 'behavior',
      knowledge: { changesOften: true, citationsNeeded: true },
      behavior: { kinds: ['tone', 'format', 'tone'], labeledExamples: 3, trainingBudget: true },
    });
    expect(normalizeAnswers(answers)).toEqual({
      title: 'Strict JSON',
      leaning: 'undecided',
      promptTried: 'not-yet',
      gap: 'behavior',
      behavior: { kinds: ['tone', 'format'], labeledExamples: 3, trainingBudget: true },
    });
  });

  it('keeps details exactly where the gap asks for them, and is idempotent', () => {
    fc.assert(
      fc.property(answersWithRepeatsArb, (input) => {
        const normalized = normalizeAnswers(answersSchema.parse(input));
        expect(normalized.knowledge !== undefined).toBe(gapIncludesKnowledge(input.gap));
        expect(normalized.behavior !== undefined).toBe(gapIncludesBehavior(input.gap));
        const kinds = normalized.behavior?.kinds ?? [];
        expect(kinds).toEqual([...new Set(kinds)]);
        expect(normalizeAnswers(normalized)).toEqual(normalized);
        expect(answersSchema.parse(normalized)).toEqual(normalized);
      }),
    );
  });

  it('gives the answers the Slack checklist saves: readStep lists kinds once, pruneDraft drops the rest', () => {
    fc.assert(
      fc.property(answersWithRepeatsArb, (input) => {
        expect(normalizeAnswers(answersSchema.parse(input))).toEqual(slackChecklistAnswers(input));
      }),
    );
  });
});

describe('charCount', () => {
  it('counts code points as iterating the string does, lone surrogates included', () => {
    const surrogates = fc.constantFrom('\uD83D', '\uDE00', '\uD83D\uDE00', '\uDE00\uD83D', 'a');
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(surrogates, { maxLength: 12 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        expect(charCount(candidate)).toBe([...candidate].length);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['an emoji', '😀', 1],
    ['a lone high surrogate at the end', 'ab\uD83D', 3],
    ['a low surrogate before a high one', '\uDE00\uD83D', 2],
    ['a family emoji (code points, not graphemes)', '👨‍👩‍👧', 5],
  ])('counts %s', (_name, candidate, expected) => {
    expect(charCount(candidate)).toBe(expected);
  });
});
