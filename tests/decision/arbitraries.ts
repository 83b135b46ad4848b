import fc from 'fast-check';
import { pruneDraft } from '../../src/checklist/state.js';
import {
  type Answers,
  type AnswersInput,
  answersSchema,
  BEHAVIOR_KINDS,
  GAPS,
  gapIncludesBehavior,
  gapIncludesKnowledge,
  LEANINGS,
  PROMPT_TRIED,
} from '../../src/decision/answers.js';

/** Parses through the real schema, so tests see exactly what the engine sees. */
export function parseAnswers(input: AnswersInput): Answers {
  return answersSchema.parse(input);
}

/** fitsInPrompt may be absent: reviews from before the checklist asked it, and CLI input. */
const knowledgeArb = fc.record(
  { changesOften: fc.boolean(), citationsNeeded: fc.boolean(), fitsInPrompt: fc.boolean() },
  { requiredKeys: ['changesOften', 'citationsNeeded'] },
);

const behaviorArb = fc.record(
  {
    kinds: fc.uniqueArray(fc.constantFrom(...BEHAVIOR_KINDS), { maxLength: 4 }),
    // Dense around the fine-tuning bar, with the occasional large count.
    labeledExamples: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.nat({ max: 1_000_000 })),
    trainingBudget: fc.boolean(),
  },
  { requiredKeys: ['labeledExamples', 'trainingBudget'] },
);

const titleArb = fc
  .string({ minLength: 1, maxLength: 150, unit: 'grapheme' })
  .filter((title) => answersSchema.shape.title.safeParse(title).success);

/** Any input the schema accepts, with knowledge and behavior present whenever the gap needs them. */
export const validAnswersInputArb: fc.Arbitrary<AnswersInput> = fc
  .record(
    {
      title: titleArb,
      problem: fc.string({ maxLength: 200 }),
      leaning: fc.constantFrom(...LEANINGS),
      promptTried: fc.constantFrom(...PROMPT_TRIED),
      gap: fc.constantFrom(...GAPS),
      knowledge: knowledgeArb,
      behavior: behaviorArb,
      // Absent (not said, as in every review from before it was asked) or ticked; false only
      // from CLI input.
      restrictedData: fc.boolean(),
      includeKnowledge: fc.boolean(),
      includeBehavior: fc.boolean(),
    },
    { requiredKeys: ['title', 'promptTried', 'gap', 'knowledge', 'behavior'] },
  )
  .map(({ includeKnowledge, includeBehavior, knowledge, behavior, ...rest }) => ({
    ...rest,
    ...(includeKnowledge || gapIncludesKnowledge(rest.gap) ? { knowledge } : {}),
    ...(includeBehavior || gapIncludesBehavior(rest.gap) ? { behavior } : {}),
  }));

export const validAnswersArb: fc.Arbitrary<Answers> = validAnswersInputArb.map(parseAnswers);

/** Valid answers whose behavior kinds may repeat, as a hand-written JSON file for the CLI can. */
export const answersWithRepeatsArb: fc.Arbitrary<AnswersInput> = fc
  .tuple(validAnswersInputArb, fc.array(fc.constantFrom(...BEHAVIOR_KINDS), { maxLength: 6 }))
  .map(([input, kinds]) =>
    input.behavior ? { ...input, behavior: { ...input.behavior, kinds } } : input,
  );

/** Objects that look like answers but may be wrong anywhere: a wrong type, a missing field. */
export const answersLikeArb: fc.Arbitrary<unknown> = fc.record(
  {
    title: fc.oneof(fc.string({ maxLength: 160 }), fc.integer(), fc.constant(null)),
    problem: fc.oneof(fc.string({ maxLength: 50 }), fc.boolean()),
    leaning: fc.oneof(fc.constantFrom(...LEANINGS), fc.string({ maxLength: 8 })),
    promptTried: fc.oneof(fc.constantFrom(...PROMPT_TRIED), fc.string({ maxLength: 8 })),
    gap: fc.oneof(fc.constantFrom(...GAPS), fc.string({ maxLength: 8 }), fc.integer()),
    knowledge: fc.oneof(knowledgeArb, fc.jsonValue()),
    behavior: fc.oneof(
      behaviorArb,
      fc.record({
        labeledExamples: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 })),
        trainingBudget: fc.oneof(fc.boolean(), fc.constant('yes')),
      }),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);

/**
 * Every distinct answer combination the rules can tell apart: each gap, prompt answer and leaning,
 * with each knowledge answer (whether the facts fit in the prompt also left out, as in reviews from
 * before it was asked), and example counts on both sides of the fine-tuning bar.
 */
export function everyAnswerCombination(): Answers[] {
  const knowledgeOptions = [false, true].flatMap((changesOften) =>
    [false, true].flatMap((citationsNeeded) =>
      [undefined, false, true].map((fitsInPrompt) => ({
        changesOften,
        citationsNeeded,
        ...(fitsInPrompt === undefined ? {} : { fitsInPrompt }),
      })),
    ),
  );
  const behaviorOptions = [0, 1, 49, 50, 500].flatMap((labeledExamples) =>
    [false, true].map((trainingBudget) => ({
      kinds: [...BEHAVIOR_KINDS],
      labeledExamples,
      trainingBudget,
    })),
  );
  const combinations: Answers[] = [];
  for (const gap of GAPS) {
    const knowledges = gapIncludesKnowledge(gap) ? knowledgeOptions : [undefined];
    const behaviors = gapIncludesBehavior(gap) ? behaviorOptions : [undefined];
    for (const promptTried of PROMPT_TRIED) {
      for (const leaning of LEANINGS) {
        for (const knowledge of knowledges) {
          for (const behavior of behaviors) {
            combinations.push(
              parseAnswers({
                title: 'Every combination',
                leaning,
                promptTried,
                gap,
                ...(knowledge ? { knowledge } : {}),
                ...(behavior ? { behavior } : {}),
              }),
            );
          }
        }
      }
    }
  }
  return combinations;
}

/**
 * What the Slack checklist saves for these answers, without normalizeAnswers: readStep lists each
 * behavior kind once, and pruneDraft drops details the gap does not ask for.
 */
export function slackChecklistAnswers(input: AnswersInput): Answers {
  const kinds = input.behavior?.kinds;
  const asRead =
    input.behavior && kinds
      ? { ...input, behavior: { ...input.behavior, kinds: [...new Set(kinds)] } }
      : input;
  return answersSchema.parse(pruneDraft(parseAnswers(asRead)));
}
