import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answersToPost,
  type Draft,
  decodeState,
  encodeState,
  ORIGINS,
  pruneDraft,
  STEP_IDS,
  stateSchema,
} from '../../src/checklist/state.js';
import {
  answersSchema,
  BEHAVIOR_KINDS,
  GAPS,
  LEANINGS,
  normalizeAnswers,
  PROBLEM_MAX_CHARS,
  PROMPT_TRIED,
  TITLE_MAX_CHARS,
} from '../../src/decision/answers.js';

/*
 * decodeState and answersToPost check by hand what stateSchema and answersSchema say (they run on
 * every checklist step). These properties hold them to zod's answers: the same metadata accepted
 * or refused, and what is accepted read the same, down to the text it encodes back to.
 */

const ABSENT = Symbol('absent');
type Maybe<T> = T | typeof ABSENT;

const anyJson = fc.jsonValue({ maxDepth: 2 });

/**
 * Mostly a value of the field's kind, now and then left out, and with `anyWeight`, sometimes
 * anything JSON.
 */
function field<T>(
  valid: fc.Arbitrary<T>,
  absentWeight: number,
  anyWeight: number,
): fc.Arbitrary<Maybe<unknown>> {
  return fc.oneof(
    { weight: 24, arbitrary: valid as fc.Arbitrary<unknown> },
    { weight: anyWeight, arbitrary: anyJson as fc.Arbitrary<unknown> },
    { weight: absentWeight, arbitrary: fc.constant<typeof ABSENT>(ABSENT) },
  );
}

function objectOf(
  fields: Record<string, fc.Arbitrary<Maybe<unknown>>>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.record(fields), fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 }))
    .map(([known, unknown]) => {
      const object: Record<string, unknown> = { ...unknown };
      for (const [key, value] of Object.entries(known)) {
        if (value === ABSENT) delete object[key];
        else object[key] = value;
      }
      return object;
    });
}

const nullOr = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: valid });

/** `count` code points, each two UTF-16 units. */
const emoji = (count: number) => '😀'.repeat(count);

/**
 * Text on both sides of a limit, in UTF-16 units and in code points (zod counts code points): of
 * emoji, it is over the limit in units well before it is in code points.
 */
const textAround = (limit: number) =>
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ minLength: limit - 3, maxLength: limit + 3 }),
    fc.integer({ min: limit - 2, max: limit + 2 }).map(emoji),
    fc.integer({ min: Math.floor(limit / 2) - 2, max: Math.floor(limit / 2) + 2 }).map(emoji),
  );

/** Valid five times in six, near misses otherwise. */
const mostly = <T>(valid: fc.Arbitrary<T>, nearMisses: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: nearMisses });

const channelIds = mostly(
  fc.stringMatching(/^[CDG][A-Z0-9]{2,30}$/),
  fc.constantFrom('C1', `C${'Z'.repeat(31)}`, 'c0123', 'U0123', '<!channel>', 'C0123\n'),
);
const threadTss = mostly(
  fc.stringMatching(/^\d{1,12}\.\d{1,8}$/),
  fc.constantFrom('1700000000', '1.123456789', '1234567890123.1', ' 1.1', '1.1 '),
);
const responseUrls = mostly(
  fc.webUrl({ withQueryParameters: true }),
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      'https://hooks.slack.com/commands/T0123456789/1234567890123/AbCdEfGhIjKlMnOpQrStUvWx',
      ' https://hooks.slack.com/x ',
      'https://hooks.\tslack.com/x',
      'x',
      'mailto:a@b.c',
      `https://hooks.slack.com/${'a'.repeat(280)}`,
    ),
  ),
);
const counts = (max: number) =>
  mostly(
    fc.integer({ min: -2, max: max + 2 }),
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(-0, 0.5, 2 ** 53, 2 ** 53 - 1, max, max + 1),
    ),
  );

const drafts = (any: number) =>
  objectOf({
    title: field(textAround(TITLE_MAX_CHARS * 2), 3, any),
    problem: field(textAround(PROBLEM_MAX_CHARS * 2), 3, any),
    leaning: field(fc.constantFrom(...LEANINGS, 'maybe'), 3, any),
    restrictedData: field(fc.boolean(), 3, any),
    promptTried: field(fc.constantFrom(...PROMPT_TRIED, 'yes'), 3, any),
    gap: field(fc.constantFrom(...GAPS, 'all'), 3, any),
    knowledge: field(
      objectOf({
        changesOften: field(fc.boolean(), 2, any),
        citationsNeeded: field(fc.boolean(), 2, any),
        fitsInPrompt: field(fc.boolean(), 2, any),
      }),
      3,
      any,
    ),
    behavior: field(
      objectOf({
        kinds: field(
          fc.array(fc.constantFrom(...BEHAVIOR_KINDS, 'speed'), {
            maxLength: BEHAVIOR_KINDS.length + 1,
          }),
          2,
          any,
        ),
        labeledExamples: field(counts(10_000_000), 2, any),
        trainingBudget: field(fc.boolean(), 2, any),
      }),
      3,
      any,
    ),
  });

const statesWith = (any: number) =>
  objectOf({
    v: field(mostly(fc.constant(1), fc.constantFrom(0, 2, '1')), 1, any),
    step: field(fc.constantFrom(...STEP_IDS, 'launch'), 1, any),
    origin: field(fc.constantFrom(...ORIGINS, 'api'), 1, any),
    channelId: field(nullOr(channelIds), 1, any),
    threadTs: field(nullOr(threadTss), 1, any),
    responseUrl: field(nullOr(responseUrls), 1, any),
    reviewId: field(nullOr(textAround(64)), 1, any),
    draft: field(drafts(any), 1, any),
    homePaging: field(
      objectOf({ mine: field(counts(10_000), 1, any), team: field(counts(10_000), 1, any) }),
      8,
      any,
    ),
    reviewChoices: field(
      objectOf({
        destinationChannelId: field(channelIds, 2, any),
        broadcast: field(fc.boolean(), 2, any),
      }),
      8,
      any,
    ),
    whereClicked: field(fc.boolean(), 8, any),
  });

const VALID_STATE = {
  v: 1,
  step: 'gap',
  origin: 'command',
  channelId: 'C0123',
  threadTs: null,
  responseUrl: null,
  reviewId: null,
  draft: {},
};

function expectSameAsZod(metadata: string): void {
  const decoded = decodeState(metadata);
  const byZod = stateSchema.safeParse(JSON.parse(metadata));
  expect(decoded.ok).toBe(byZod.success);
  if (decoded.ok && byZod.success) {
    expect(decoded.state).toStrictEqual(byZod.data);
    expect(encodeState(decoded.state)).toBe(JSON.stringify(byZod.data));
  }
  if (!decoded.ok) expect(decoded.reason).toMatch(/^private_metadata does not match version 1: /);
}

describe('decodeState against stateSchema', () => {
  it('accepts and refuses the same metadata, and reads it the same', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(statesWith(0), statesWith(2)), (state) => {
        const metadata = JSON.stringify(state);
        expectSameAsZod(metadata);
        if (decodeState(metadata).ok) accepted += 1;
      }),
      { numRuns: 3000 },
    );
    // Not all refused: the generator reaches both sides.
    expect(accepted).toBeGreaterThan(50);
  });

  it.each([
    ['an example count too large for JSON', '1e999'],
    ['a negative zero', '-0'],
    ['a count in exponent form', '3e2'],
  ])('reads %s as zod does', (_name, count) => {
    // Written out: JSON.stringify can't give 1e999, and would write -0 as 0.
    const metadata = JSON.stringify(VALID_STATE).replace(
      '"draft":{}',
      `"draft":{"behavior":{"labeledExamples":${count}}}`,
    );
    expectSameAsZod(metadata);
  });

  // Null is not absent: zod refuses it in an optional field, and so must decodeState.
  it.each([
    ['homePaging', { homePaging: null }],
    ['reviewChoices', { reviewChoices: null }],
    ['whereClicked', { whereClicked: null }],
    ['reviewChoices.broadcast', { reviewChoices: { broadcast: null } }],
    ['draft.title', { draft: { title: null } }],
    ['draft.restrictedData', { draft: { restrictedData: null } }],
    ['draft.knowledge', { draft: { knowledge: null } }],
    ['draft.knowledge.fitsInPrompt', { draft: { knowledge: { fitsInPrompt: null } } }],
    ['draft.behavior.kinds', { draft: { behavior: { kinds: null } } }],
    ['a yes or no given as 1', { draft: { restrictedData: 1 } }],
  ])('refuses null (or a look-alike) in %s, as zod does', (_name, fields) => {
    const metadata = JSON.stringify({ ...VALID_STATE, ...fields });
    expect(decodeState(metadata).ok).toBe(false);
    expectSameAsZod(metadata);
  });

  it.each([
    ['a title of 150 emoji (300 units)', { title: emoji(150) }],
    ['a title of 300 emoji (600 units)', { title: emoji(300) }],
    ['a problem of 2000 emoji (4000 units)', { problem: emoji(2000) }],
  ])('accepts %s, counting code points as zod does', (_name, draft) => {
    const metadata = JSON.stringify({ ...VALID_STATE, draft });
    expect(decodeState(metadata).ok).toBe(true);
    expectSameAsZod(metadata);
  });

  it('names where the metadata is wrong', () => {
    const metadata = JSON.stringify({
      ...VALID_STATE,
      draft: { behavior: { kinds: ['format', 'speed'] } },
    });
    const decoded = decodeState(metadata);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain('draft.behavior.kinds.1 expected one of');
  });
});

describe('answersToPost against answersSchema', () => {
  /** What answersToPost gave when it parsed with zod. */
  function answersByZod(draft: Draft) {
    const parsed = answersSchema.safeParse(pruneDraft(draft));
    return parsed.success ? normalizeAnswers(parsed.data) : null;
  }

  // Drafts as readStep and decodeState hand them on: each field of its type, or absent, or (from
  // readStep) present but undefined.
  const maybeUndefined = <T>(valid: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: fc.constant(undefined) });
  const typedDrafts: fc.Arbitrary<Draft> = fc.record(
    {
      title: maybeUndefined(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('', '   ', '\n'),
          fc.string({ unit: 'grapheme', minLength: 148, maxLength: 152 }),
        ),
      ),
      problem: maybeUndefined(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.string({ minLength: PROBLEM_MAX_CHARS - 2, maxLength: PROBLEM_MAX_CHARS + 2 }),
          fc.integer({ min: PROBLEM_MAX_CHARS - 2, max: PROBLEM_MAX_CHARS + 2 }).map(emoji),
        ),
      ),
      leaning: maybeUndefined(fc.constantFrom(...LEANINGS)),
      restrictedData: maybeUndefined(fc.boolean()),
      promptTried: maybeUndefined(fc.constantFrom(...PROMPT_TRIED)),
      gap: maybeUndefined(fc.constantFrom(...GAPS)),
      knowledge: maybeUndefined(
        fc.record(
          {
            changesOften: maybeUndefined(fc.boolean()),
            citationsNeeded: maybeUndefined(fc.boolean()),
            fitsInPrompt: maybeUndefined(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
      ),
      behavior: maybeUndefined(
        fc.record(
          {
            kinds: maybeUndefined(fc.array(fc.constantFrom(...BEHAVIOR_KINDS), { maxLength: 5 })),
            labeledExamples: maybeUndefined(fc.nat()),
            trainingBudget: maybeUndefined(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );

  it('gives the answers zod gives, or none when zod refuses', () => {
    let answered = 0;
    fc.assert(
      fc.property(typedDrafts, (draft) => {
        const answers = answersToPost(draft);
        // toEqual: a field zod carried as undefined is one answersToPost leaves out.
        expect(answers).toEqual(answersByZod(draft));
        if (answers) answered += 1;
      }),
      { numRuns: 3000 },
    );
    expect(answered).toBeGreaterThan(50);
  });
});
