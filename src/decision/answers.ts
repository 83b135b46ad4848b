import { z } from 'zod';

export const LEANINGS = ['undecided', 'prompt', 'rag', 'fine-tune', 'rag+fine-tune'] as const;
/**
 * The prompt answers the checklist offers, in its order. Only a prompt scored on real examples
 * (run on real inputs with the outputs expected, and counted) is a baseline a fine-tune can beat.
 */
export const PROMPT_TRIED_OPTIONS = [
  'not-yet',
  'tried-not-scored',
  'scored-good-enough',
  'scored-falls-short',
] as const;
/**
 * The answers from before the checklist asked whether the prompt was scored: they say how the
 * prompt did, not that it was measured. Kept in stored reviews, typed in CLI input, and sent by a
 * checklist left open across the upgrade, so they are read, but never offered.
 */
const LEGACY_PROMPT_TRIED = ['good-enough', 'still-unreliable'] as const;
export const PROMPT_TRIED = [...PROMPT_TRIED_OPTIONS, ...LEGACY_PROMPT_TRIED] as const;
export const GAPS = ['knowledge', 'behavior', 'both', 'neither', 'unsure'] as const;
export const BEHAVIOR_KINDS = ['format', 'tone', 'classification', 'skill'] as const;

export const TITLE_MAX_CHARS = 150;
export const PROBLEM_MAX_CHARS = 1000;

export type Leaning = (typeof LEANINGS)[number];
export type PromptTried = (typeof PROMPT_TRIED)[number];
export type Gap = (typeof GAPS)[number];
export type BehaviorKind = (typeof BEHAVIOR_KINDS)[number];

/**
 * Length in Unicode code points, so an emoji counts as one character, as a person would count: a
 * surrogate pair is one, a lone surrogate one too (as iterating the string counts them). A loop
 * over char codes, not the string's iterator: the checklist counts on every step.
 */
export function charCount(text: string): number {
  let count = text.length;
  for (let index = 0; index < text.length - 1; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        index += 1;
      }
    }
  }
  return count;
}

export const knowledgeSchema = z.object({
  changesOften: z.boolean({ error: 'expected true or false' }),
  citationsNeeded: z.boolean({ error: 'expected true or false' }),
  /**
   * Whether every fact the model needs would fit in the prompt (a few pages at most). Optional for
   * good: reviews saved before the checklist asked it, CLI input and checklists opened on an older
   * version leave it out, and absent means not asked, which decides as before it was asked.
   */
  fitsInPrompt: z.boolean({ error: 'expected true or false' }).optional(),
});

export const behaviorSchema = z.object({
  kinds: z
    .array(z.enum(BEHAVIOR_KINDS, { error: `expected one of ${BEHAVIOR_KINDS.join(', ')}` }))
    .optional(),
  labeledExamples: z
    .number({ error: 'expected a whole number ≥ 0' })
    .int({ error: 'expected a whole number ≥ 0' })
    .min(0, { error: 'expected a whole number ≥ 0' }),
  trainingBudget: z.boolean({ error: 'expected true or false' }),
});

/** The prompt was scored on real examples, with whichever result. */
export function promptScored(promptTried: PromptTried): boolean {
  return promptTried === 'scored-good-enough' || promptTried === 'scored-falls-short';
}

/** The prompt works well enough, scored or by an older answer that did not say. */
export function promptGoodEnough(promptTried: PromptTried): boolean {
  return promptTried === 'scored-good-enough' || promptTried === 'good-enough';
}

export function gapIncludesKnowledge(gap: Gap): boolean {
  return gap === 'knowledge' || gap === 'both';
}

export function gapIncludesBehavior(gap: Gap): boolean {
  return gap === 'behavior' || gap === 'both';
}

/** The checklist's answers: the decision engine's input. Unknown keys are ignored (stripped). */
export const answersSchema = z
  .object({
    title: z
      .string({ error: `expected text of 1–${TITLE_MAX_CHARS} characters` })
      .refine((title) => title.trim().length > 0 && charCount(title) <= TITLE_MAX_CHARS, {
        error: `expected text of 1–${TITLE_MAX_CHARS} characters`,
      }),
    problem: z
      .string({ error: `expected text of 0–${PROBLEM_MAX_CHARS} characters` })
      .refine((problem) => charCount(problem) <= PROBLEM_MAX_CHARS, {
        error: `expected text of 0–${PROBLEM_MAX_CHARS} characters`,
      })
      .optional(),
    leaning: z
      .enum(LEANINGS, { error: `expected one of ${LEANINGS.join(', ')}` })
      .default('undecided'),
    /**
     * The data includes personal or customer data, or answers must respect who may see what.
     * Optional for good: reviews saved before the checklist asked it leave it out, and absent
     * means not said, which decides as before it was asked (false decides alike). It never
     * changes the verdict, only its warnings and steps: weights keep no access control.
     */
    restrictedData: z.boolean({ error: 'expected true or false' }).optional(),
    promptTried: z.enum(PROMPT_TRIED, {
      error: `expected one of ${PROMPT_TRIED_OPTIONS.join(', ')} (or, from before the checklist asked about scoring, ${LEGACY_PROMPT_TRIED.join(', ')})`,
    }),
    gap: z.enum(GAPS, { error: `expected one of ${GAPS.join(', ')}` }),
    knowledge: knowledgeSchema.optional(),
    behavior: behaviorSchema.optional(),
  })
  .superRefine((answers, ctx) => {
    if (gapIncludesKnowledge(answers.gap) && !answers.knowledge) {
      ctx.addIssue({
        code: 'custom',
        path: ['knowledge'],
        message: `required when gap is ${answers.gap}: expected { changesOften, citationsNeeded, fitsInPrompt? }`,
      });
    }
    if (gapIncludesBehavior(answers.gap) && !answers.behavior) {
      ctx.addIssue({
        code: 'custom',
        path: ['behavior'],
        message: `required when gap is ${answers.gap}: expected { labeledExamples, trainingBudget }`,
      });
    }
  });

export type Answers = z.output<typeof answersSchema>;
export type AnswersInput = z.input<typeof answersSchema>;
export type KnowledgeAnswers = z.output<typeof knowledgeSchema>;
export type BehaviorAnswers = z.output<typeof behaviorSchema>;

/**
 * The answers as a review records them: details for a part of the gap that was not chosen are
 * dropped, and each behavior kind is listed once. The Slack checklist and the CLI both decide and
 * render from these, so the same answers give the same record.
 */
export function normalizeAnswers(answers: Answers): Answers {
  const { knowledge, behavior, ...rest } = answers;
  const normalized: Answers = { ...rest };
  if (knowledge && gapIncludesKnowledge(answers.gap)) normalized.knowledge = { ...knowledge };
  if (behavior && gapIncludesBehavior(answers.gap)) {
    const { kinds, ...counts } = behavior;
    normalized.behavior = kinds ? { ...counts, kinds: [...new Set(kinds)] } : { ...counts };
  }
  return normalized;
}
