import { z } from 'zod';
import {
  type Answers,
  answersSchema,
  BEHAVIOR_KINDS,
  GAPS,
  gapIncludesBehavior,
  gapIncludesKnowledge,
  LEANINGS,
  normalizeAnswers,
  PROBLEM_MAX_CHARS,
  PROMPT_TRIED,
  TITLE_MAX_CHARS,
} from '../decision/answers.js';
import { type HomePaging, homePagingSchema } from '../views/homeView.js';

export const STEP_IDS = ['about', 'prompt', 'gap', 'knowledge', 'behavior', 'review'] as const;
export type StepId = (typeof STEP_IDS)[number];

/** How the person reached the checklist; decides where the verdict goes and how it's worded. */
/** 'rerun' is "Re-run with changes" on a verdict: the outcome is posted as a new revision. */
export const ORIGINS = ['command', 'shortcut', 'mention', 'home', 'edit', 'rerun'] as const;
export type Origin = (typeof ORIGINS)[number];

export const METADATA_VERSION = 1;

const slackTs = z.string().regex(/^\d{1,12}\.\d{1,8}$/);
const channelId = z.string().regex(/^[CDG][A-Z0-9]{2,30}$/);

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

const stateSchema = z.object({
  v: z.literal(METADATA_VERSION),
  step: z.enum(STEP_IDS),
  origin: z.enum(ORIGINS),
  /** Where the verdict goes; the channel may be chosen in the last step when started from App Home. */
  channelId: channelId.nullable(),
  threadTs: slackTs.nullable(),
  responseUrl: z.string().url().max(300).nullable(),
  /** The review being edited or re-run. */
  reviewId: z.string().max(64).nullable(),
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
  const result = stateSchema.safeParse(parsed);
  if (!result.success) {
    const first = result.error.issues[0];
    return {
      ok: false,
      reason:
        `private_metadata does not match version ${METADATA_VERSION}: ${first?.path.join('.') || '(root)'} ${first?.message ?? ''}`.trim(),
    };
  }
  return { ok: true, state: result.data };
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
 * details of a part of the gap not chosen. Null while an answer the gap needs is missing.
 */
export function answersToPost(draft: Draft): Answers | null {
  const parsed = answersSchema.safeParse(pruneDraft(draft));
  return parsed.success ? normalizeAnswers(parsed.data) : null;
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
