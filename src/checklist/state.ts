import { z } from 'zod';
import {
  type Answers,
  BEHAVIOR_KINDS,
  type BehaviorAnswers,
  charCount,
  GAPS,
  gapIncludesBehavior,
  gapIncludesKnowledge,
  type KnowledgeAnswers,
  LEANINGS,
  normalizeAnswers,
  PROBLEM_MAX_CHARS,
  PROMPT_TRIED,
  TITLE_MAX_CHARS,
} from '../decision/answers.js';
import { HOME_PAGE_MAX, type HomePaging, homePagingSchema } from '../views/homeView.js';

export const STEP_IDS = ['about', 'prompt', 'gap', 'knowledge', 'behavior', 'review'] as const;
export type StepId = (typeof STEP_IDS)[number];

/** How the person reached the checklist; decides where the verdict goes and how it's worded. */
/** 'rerun' is "Re-run with changes" on a verdict: the outcome is posted as a new revision. */
export const ORIGINS = ['command', 'shortcut', 'mention', 'home', 'edit', 'rerun'] as const;
export type Origin = (typeof ORIGINS)[number];

export const METADATA_VERSION = 1;

const SLACK_TS = /^\d{1,12}\.\d{1,8}$/;
const CHANNEL_ID = /^[CDG][A-Z0-9]{2,30}$/;
const REVIEW_ID_MAX_CHARS = 64;
const slackTs = z.string().regex(SLACK_TS);
const channelId = z.string().regex(CHANNEL_ID);
const responseUrlSchema = z.string().url().max(300);

const draftSchema = z.object({
  title: z
    .string()
    .max(TITLE_MAX_CHARS * 2)
    .optional(),
  problem: z
    .string()
    .max(PROBLEM_MAX_CHARS * 2)
    .optional(),
  leaning: z.enum(LEANINGS).optional(),
  // Added without a version bump, like fitsInPrompt: older metadata simply lacks it (not said).
  restrictedData: z.boolean().optional(),
  promptTried: z.enum(PROMPT_TRIED).optional(),
  gap: z.enum(GAPS).optional(),
  knowledge: z
    .object({
      changesOften: z.boolean().optional(),
      citationsNeeded: z.boolean().optional(),
      // Added without a version bump: metadata from a checklist opened before it simply lacks it.
      fitsInPrompt: z.boolean().optional(),
    })
    .optional(),
  behavior: z
    .object({
      kinds: z.array(z.enum(BEHAVIOR_KINDS)).max(BEHAVIOR_KINDS.length).optional(),
      labeledExamples: z.number().int().min(0).optional(),
      trainingBudget: z.boolean().optional(),
    })
    .optional(),
});
export type Draft = z.infer<typeof draftSchema>;

/**
 * What was chosen on "Check and post" besides the answers (where a Home-started review goes,
 * whether a thread reply is also sent to the channel), kept when Back leaves that step so it shows
 * them again. Only a choice made is kept: an empty picker or an unticked box is simply absent.
 */
const reviewChoicesSchema = z.object({
  destinationChannelId: channelId.optional(),
  broadcast: z.boolean().optional(),
});
export type ReviewChoices = z.infer<typeof reviewChoicesSchema>;

/**
 * The checklist state's shape, and its type. decodeState checks the same by hand (checkState,
 * below); tests/checklist/stateCheck.test.ts holds the two to the same answers.
 */
export const stateSchema = z.object({
  v: z.literal(METADATA_VERSION),
  step: z.enum(STEP_IDS),
  origin: z.enum(ORIGINS),
  /** Where the verdict goes; the channel may be chosen in the last step when started from App Home. */
  channelId: channelId.nullable(),
  threadTs: slackTs.nullable(),
  responseUrl: responseUrlSchema.nullable(),
  /** The review being edited or re-run. */
  reviewId: z.string().max(REVIEW_ID_MAX_CHARS).nullable(),
  draft: draftSchema,
  /** Edit answers: the App Home pages it started from, to publish Home on them once saved. */
  homePaging: homePagingSchema.optional(),
  /** Optional, so metadata written before it existed still decodes under the same version. */
  reviewChoices: reviewChoicesSchema.optional(),
  /**
   * Re-run: the outcome goes where the person clicked (channelId and threadTs are that thread's, or
   * null for their DM), not to the verdict's thread, which is in the asker's DM. Optional, as above.
   */
  whereClicked: z.boolean().optional(),
});

/** The checklist's state, carried in the modal's private_metadata between steps. */
export type ChecklistState = z.infer<typeof stateSchema>;

export function encodeState(state: ChecklistState): string {
  return JSON.stringify(state);
}

export type DecodeResult = { ok: true; state: ChecklistState } | { ok: false; reason: string };

export function decodeState(privateMetadata: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(privateMetadata);
  } catch {
    return { ok: false, reason: 'private_metadata is not JSON' };
  }
  try {
    return { ok: true, state: checkState(parsed) };
  } catch (error) {
    if (!(error instanceof StateMismatch)) throw error;
    return {
      ok: false,
      reason: `private_metadata does not match version ${METADATA_VERSION}: ${error.path} ${error.message}`,
    };
  }
}

/*
 * stateSchema's checks written out by hand: every step submission decodes the state. With
 * answersToPost's (below), that took 79k of the 293k instructions ftrag added to a step over bare
 * Bolt's (callgrind, docs/benchmarks.md). Like zod, each check builds a new object of the known
 * fields only (unknown ones are dropped).
 */

class StateMismatch {
  constructor(
    readonly path: string,
    readonly message: string,
  ) {}
}

type Fields = Record<string, unknown>;

function objectAt(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new StateMismatch(path, 'expected an object');
  return value as Fields;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  throw new StateMismatch(path, `expected one of ${allowed.join(', ')}`);
}

function yesOrNo(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new StateMismatch(path, 'expected true or false');
}

/** At most `maxLength` code points, as zod counts (only a string longer in UTF-16 units is counted). */
function textUpTo(value: unknown, maxLength: number, path: string): string {
  if (typeof value === 'string' && (value.length <= maxLength || charCount(value) <= maxLength))
    return value;
  throw new StateMismatch(path, `expected text of at most ${maxLength} characters`);
}

function matching(value: unknown, pattern: RegExp, path: string): string {
  if (typeof value === 'string' && pattern.test(value)) return value;
  throw new StateMismatch(path, `expected text matching ${pattern.source}`);
}

function wholeNumber(value: unknown, max: number, path: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max)
    return value;
  throw new StateMismatch(path, `expected a whole number from 0 to ${max}`);
}

function checkState(value: unknown): ChecklistState {
  const fields = objectAt(value, '(root)');
  if (fields.v !== METADATA_VERSION)
    throw new StateMismatch('v', `expected version ${METADATA_VERSION}`);
  const { channelId, threadTs, responseUrl, reviewId } = fields;
  const state: ChecklistState = {
    v: METADATA_VERSION,
    step: oneOf(fields.step, STEP_IDS, 'step'),
    origin: oneOf(fields.origin, ORIGINS, 'origin'),
    channelId: channelId === null ? null : matching(channelId, CHANNEL_ID, 'channelId'),
    threadTs: threadTs === null ? null : matching(threadTs, SLACK_TS, 'threadTs'),
    responseUrl: responseUrl === null ? null : checkResponseUrl(responseUrl),
    reviewId: reviewId === null ? null : textUpTo(reviewId, REVIEW_ID_MAX_CHARS, 'reviewId'),
    draft: checkDraft(fields.draft),
  };
  if (fields.homePaging !== undefined) {
    const paging = objectAt(fields.homePaging, 'homePaging');
    state.homePaging = {
      mine: wholeNumber(paging.mine, HOME_PAGE_MAX, 'homePaging.mine'),
      team: wholeNumber(paging.team, HOME_PAGE_MAX, 'homePaging.team'),
    };
  }
  if (fields.reviewChoices !== undefined) {
    const choices = objectAt(fields.reviewChoices, 'reviewChoices');
    const checked: ReviewChoices = {};
    if (choices.destinationChannelId !== undefined)
      checked.destinationChannelId = matching(
        choices.destinationChannelId,
        CHANNEL_ID,
        'reviewChoices.destinationChannelId',
      );
    if (choices.broadcast !== undefined)
      checked.broadcast = yesOrNo(choices.broadcast, 'reviewChoices.broadcast');
    state.reviewChoices = checked;
  }
  if (fields.whereClicked !== undefined)
    state.whereClicked = yesOrNo(fields.whereClicked, 'whereClicked');
  return state;
}

/** Rare enough, and zod's URL rules subtle enough, that zod checks it. */
function checkResponseUrl(value: unknown): string {
  const checked = responseUrlSchema.safeParse(value);
  if (checked.success) return checked.data;
  throw new StateMismatch('responseUrl', 'expected a URL of at most 300 characters');
}

function checkDraft(value: unknown): Draft {
  const fields = objectAt(value, 'draft');
  const draft: Draft = {};
  if (fields.title !== undefined)
    draft.title = textUpTo(fields.title, TITLE_MAX_CHARS * 2, 'draft.title');
  if (fields.problem !== undefined)
    draft.problem = textUpTo(fields.problem, PROBLEM_MAX_CHARS * 2, 'draft.problem');
  if (fields.leaning !== undefined)
    draft.leaning = oneOf(fields.leaning, LEANINGS, 'draft.leaning');
  if (fields.restrictedData !== undefined)
    draft.restrictedData = yesOrNo(fields.restrictedData, 'draft.restrictedData');
  if (fields.promptTried !== undefined)
    draft.promptTried = oneOf(fields.promptTried, PROMPT_TRIED, 'draft.promptTried');
  if (fields.gap !== undefined) draft.gap = oneOf(fields.gap, GAPS, 'draft.gap');
  if (fields.knowledge !== undefined) {
    const given = objectAt(fields.knowledge, 'draft.knowledge');
    const knowledge: NonNullable<Draft['knowledge']> = {};
    if (given.changesOften !== undefined)
      knowledge.changesOften = yesOrNo(given.changesOften, 'draft.knowledge.changesOften');
    if (given.citationsNeeded !== undefined)
      knowledge.citationsNeeded = yesOrNo(given.citationsNeeded, 'draft.knowledge.citationsNeeded');
    if (given.fitsInPrompt !== undefined)
      knowledge.fitsInPrompt = yesOrNo(given.fitsInPrompt, 'draft.knowledge.fitsInPrompt');
    draft.knowledge = knowledge;
  }
  if (fields.behavior !== undefined) {
    const given = objectAt(fields.behavior, 'draft.behavior');
    const behavior: NonNullable<Draft['behavior']> = {};
    if (given.kinds !== undefined) {
      const kinds = given.kinds;
      if (!Array.isArray(kinds) || kinds.length > BEHAVIOR_KINDS.length)
        throw new StateMismatch(
          'draft.behavior.kinds',
          `expected a list of at most ${BEHAVIOR_KINDS.length} kinds`,
        );
      behavior.kinds = kinds.map((kind, index) =>
        oneOf(kind, BEHAVIOR_KINDS, `draft.behavior.kinds.${index}`),
      );
    }
    if (given.labeledExamples !== undefined)
      behavior.labeledExamples = wholeNumber(
        given.labeledExamples,
        Number.MAX_SAFE_INTEGER,
        'draft.behavior.labeledExamples',
      );
    if (given.trainingBudget !== undefined)
      behavior.trainingBudget = yesOrNo(given.trainingBudget, 'draft.behavior.trainingBudget');
    draft.behavior = behavior;
  }
  return draft;
}

/** The steps that apply to these answers, in order. Details are asked only for the gap's kinds. */
export function applicableSteps(draft: Draft): StepId[] {
  const steps: StepId[] = ['about', 'prompt', 'gap'];
  if (draft.gap === undefined) {
    // Before the gap is known most reviews need one detail step; the count settles at step 3.
    steps.push('knowledge');
  } else {
    if (gapIncludesKnowledge(draft.gap)) steps.push('knowledge');
    if (gapIncludesBehavior(draft.gap)) steps.push('behavior');
  }
  steps.push('review');
  return steps;
}

export function stepPosition(step: StepId, draft: Draft): { number: number; total: number } {
  const steps = applicableSteps(draft);
  const index = steps.indexOf(step);
  return { number: index + 1, total: steps.length };
}

export function nextStep(step: StepId, draft: Draft): StepId {
  if (draft.gap !== undefined || STEP_IDS.indexOf(step) < STEP_IDS.indexOf('gap')) {
    const steps = applicableSteps(draft);
    const index = steps.indexOf(step);
    const following = steps[index + 1];
    if (following) return following;
  }
  return 'review';
}

/** The applicable step before `step`, or null on the first. */
export function previousStep(step: StepId, draft: Draft): StepId | null {
  const before = STEP_IDS.indexOf(step);
  return (
    applicableSteps(draft)
      .filter((candidate) => STEP_IDS.indexOf(candidate) < before)
      .at(-1) ?? null
  );
}

/** Drops detail answers that no longer apply, e.g. behavior details after the gap became knowledge. */
export function pruneDraft(draft: Draft): Draft {
  const pruned: Draft = { ...draft };
  if (draft.gap !== undefined) {
    if (!gapIncludesKnowledge(draft.gap)) delete pruned.knowledge;
    if (!gapIncludesBehavior(draft.gap)) delete pruned.behavior;
  }
  return pruned;
}

/**
 * The draft a submitted step carries on. Details of a part of the gap not chosen now are kept
 * while the checklist is open, so a gap changed and changed back loses nothing (private_metadata
 * has room for both sets of details, whatever the gap). Only the last step drops them: they may
 * be half answered (left by Back), and the review records only the chosen gap's.
 */
export function draftAfterStep(step: StepId, draft: Draft): Draft {
  return step === 'review' ? pruneDraft(draft) : draft;
}

/**
 * The answers the last step shows and decides on, as the review will record them: without the
 * details of a part of the gap not chosen. Null while an answer the gap needs is missing, or one
 * is out of answersSchema's bounds (a draft from readStep or decodeState has each field of its
 * type, so only presence and bounds are left to check; tests hold this to answersSchema).
 */
export function answersToPost(draft: Draft): Answers | null {
  const { title, problem, restrictedData, promptTried, gap } = draft;
  if (title === undefined || title.trim().length === 0 || charCount(title) > TITLE_MAX_CHARS)
    return null;
  if (problem !== undefined && charCount(problem) > PROBLEM_MAX_CHARS) return null;
  if (promptTried === undefined || gap === undefined) return null;
  const answers: Answers = { title, leaning: draft.leaning ?? 'undecided', promptTried, gap };
  if (problem !== undefined) answers.problem = problem;
  if (restrictedData !== undefined) answers.restrictedData = restrictedData;
  if (gapIncludesKnowledge(gap)) {
    const knowledge = knowledgeToPost(draft.knowledge);
    if (!knowledge) return null;
    answers.knowledge = knowledge;
  }
  if (gapIncludesBehavior(gap)) {
    const behavior = behaviorToPost(draft.behavior);
    if (!behavior) return null;
    answers.behavior = behavior;
  }
  return normalizeAnswers(answers);
}

function knowledgeToPost(knowledge: Draft['knowledge']): KnowledgeAnswers | null {
  if (knowledge?.changesOften === undefined || knowledge.citationsNeeded === undefined) return null;
  const { changesOften, citationsNeeded, fitsInPrompt } = knowledge;
  return fitsInPrompt === undefined
    ? { changesOften, citationsNeeded }
    : { changesOften, citationsNeeded, fitsInPrompt };
}

function behaviorToPost(behavior: Draft['behavior']): BehaviorAnswers | null {
  if (behavior?.labeledExamples === undefined || behavior.trainingBudget === undefined) return null;
  const { kinds, labeledExamples, trainingBudget } = behavior;
  return kinds === undefined
    ? { labeledExamples, trainingBudget }
    : { kinds, labeledExamples, trainingBudget };
}

/** The state carrying `choices` as the review step's choices instead of those it carried. */
export function withReviewChoices(
  state: ChecklistState,
  choices: ReviewChoices | undefined,
): ChecklistState {
  const { reviewChoices: _carried, ...rest } = state;
  return choices ? { ...rest, reviewChoices: choices } : rest;
}

export interface NewChecklist {
  origin: Origin;
  channelId: string | null;
  threadTs: string | null;
  responseUrl: string | null;
  reviewId?: string | null;
  draft?: Draft;
  homePaging?: HomePaging;
  whereClicked?: boolean;
}

export function startChecklist(start: NewChecklist): ChecklistState {
  return {
    v: METADATA_VERSION,
    step: 'about',
    origin: start.origin,
    channelId: start.channelId,
    threadTs: start.threadTs,
    responseUrl: start.responseUrl,
    reviewId: start.reviewId ?? null,
    draft: start.draft ?? {},
    ...(start.homePaging ? { homePaging: start.homePaging } : {}),
    ...(start.whereClicked ? { whereClicked: true } : {}),
  };
}
