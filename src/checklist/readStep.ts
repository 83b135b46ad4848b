import type { ViewStateValue } from '@slack/bolt';
import { ActionId, BlockId } from '../constants.js';
import {
  BEHAVIOR_KINDS,
  type BehaviorKind,
  charCount,
  GAPS,
  LEANINGS,
  PROBLEM_MAX_CHARS,
  PROMPT_TRIED,
  TITLE_MAX_CHARS,
} from '../decision/answers.js';
import { RESTRICTED_DATA_OPTION } from '../views/labels.js';
import { cleanTypedText } from '../views/text.js';
import type { Draft, ReviewChoices, StepId } from './state.js';

export type StateValues = Record<string, Record<string, ViewStateValue>>;

/** The largest example count we accept; a larger number is a typo, not a dataset. */
export const MAX_LABELED_EXAMPLES = 10_000_000;

export interface StepChoices {
  /** Channel picked in the last step (App Home origin). */
  destinationChannelId?: string | null;
  broadcast?: boolean;
}

export type StepReadResult =
  | { ok: true; draft: Draft; choices: StepChoices }
  | { ok: false; errors: Record<string, string> };

function stateValue(
  values: StateValues,
  blockId: string,
  actionId: string,
): ViewStateValue | undefined {
  return values[blockId]?.[actionId];
}

function selected<T extends string>(
  values: StateValues,
  blockId: string,
  actionId: string,
  allowed: readonly T[],
): T | undefined {
  const value = stateValue(values, blockId, actionId)?.selected_option?.value;
  return allowed.find((option) => option === value);
}

function yesNo(values: StateValues, blockId: string, actionId: string): boolean | undefined {
  const answer = selected(values, blockId, actionId, ['yes', 'no'] as const);
  return answer === undefined ? undefined : answer === 'yes';
}

/**
 * Reads one step's inputs into the draft, or returns errors keyed by block_id with wording a person
 * understands. Slack validates most of this in the client too, but a payload can be forged.
 */
export function readStep(step: StepId, values: StateValues, draft: Draft): StepReadResult {
  const read = readValues(step, values, draft);
  if (Object.keys(read.errors).length > 0) return { ok: false, errors: read.errors };
  return { ok: true, draft: read.draft, choices: read.choices };
}

/**
 * What the step holds so far, without asking for more (for Back): answers that are missing or not
 * valid are left out of the draft rather than reported.
 */
export function readStepLeniently(step: StepId, values: StateValues, draft: Draft): Draft {
  return readValues(step, values, draft).draft;
}

/**
 * The choices made on "Check and post" (for Back to keep), leniently like the answers: a channel
 * that isn't one is left out. Undefined when nothing was chosen.
 */
export function readReviewChoicesLeniently(values: StateValues): ReviewChoices | undefined {
  const { choices } = readValues('review', values, {});
  const kept: ReviewChoices = {
    ...(choices.destinationChannelId ? { destinationChannelId: choices.destinationChannelId } : {}),
    ...(choices.broadcast ? { broadcast: true } : {}),
  };
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** The step's valid answers in the draft (an invalid one is left out), and what is wrong. */
function readValues(
  step: StepId,
  values: StateValues,
  draft: Draft,
): { draft: Draft; choices: StepChoices; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  // Each step replaces whole fields and never edits a nested one, so `draft` stays untouched.
  const next: Draft = { ...draft };
  const choices: StepChoices = {};

  switch (step) {
    case 'about': {
      const title = cleanTypedText(
        stateValue(values, BlockId.title, ActionId.title)?.value ?? '',
      ).trim();
      if (title.length === 0) errors[BlockId.title] = 'Say in a few words what you are building.';
      else if (charCount(title) > TITLE_MAX_CHARS)
        errors[BlockId.title] = `Keep it to ${TITLE_MAX_CHARS} characters; the detail goes below.`;
      const problem = cleanTypedText(
        stateValue(values, BlockId.problem, ActionId.problem)?.value ?? '',
      ).trim();
      if (charCount(problem) > PROBLEM_MAX_CHARS)
        errors[BlockId.problem] = `Keep it to ${PROBLEM_MAX_CHARS} characters.`;
      const leaning = selected(values, BlockId.leaning, ActionId.leaning, LEANINGS);
      next.title = errors[BlockId.title] ? undefined : title;
      next.problem = problem.length > 0 && !errors[BlockId.problem] ? problem : undefined;
      next.leaning = leaning ?? 'undecided';
      // Ticked, it is said; unticked, or a first step built before the box existed, not said.
      const restricted = (
        stateValue(values, BlockId.restrictedData, ActionId.restrictedData)?.selected_options ?? []
      ).some((option) => option.value === RESTRICTED_DATA_OPTION.value);
      if (restricted) next.restrictedData = true;
      else delete next.restrictedData;
      break;
    }
    case 'prompt': {
      const promptTried = selected(values, BlockId.promptTried, ActionId.promptTried, PROMPT_TRIED);
      if (!promptTried) errors[BlockId.promptTried] = 'Pick how far a better prompt got you.';
      next.promptTried = promptTried;
      break;
    }
    case 'gap': {
      const gap = selected(values, BlockId.gap, ActionId.gap, GAPS);
      if (!gap) errors[BlockId.gap] = 'Pick what is missing, or "not sure yet".';
      next.gap = gap;
      break;
    }
    case 'knowledge': {
      const changesOften = yesNo(values, BlockId.changesOften, ActionId.changesOften);
      const citationsNeeded = yesNo(values, BlockId.citationsNeeded, ActionId.citationsNeeded);
      if (changesOften === undefined)
        errors[BlockId.changesOften] =
          'Pick yes or no: does this knowledge change weekly or faster?';
      if (citationsNeeded === undefined)
        errors[BlockId.citationsNeeded] = 'Pick yes or no: must answers cite their source?';
      // Slack lists every input block of the view in its state, answered or not. A view without
      // this one was built before the question existed (a checklist left open across a deploy):
      // there it was not asked, and the review decides as it did before.
      const fitsAsked = Object.hasOwn(values, BlockId.fitsInPrompt);
      const fitsInPrompt = yesNo(values, BlockId.fitsInPrompt, ActionId.fitsInPrompt);
      if (fitsAsked && fitsInPrompt === undefined)
        errors[BlockId.fitsInPrompt] =
          'Pick yes or no: would all the facts fit in the prompt, a few pages at most?';
      next.knowledge = {
        changesOften,
        citationsNeeded,
        ...(fitsInPrompt === undefined ? {} : { fitsInPrompt }),
      };
      break;
    }
    case 'behavior': {
      const kinds = (
        stateValue(values, BlockId.behaviorKinds, ActionId.behaviorKinds)?.selected_options ?? []
      )
        .map((option) => BEHAVIOR_KINDS.find((kind) => kind === option.value))
        .filter((kind): kind is BehaviorKind => kind !== undefined);
      const rawExamples = (
        stateValue(values, BlockId.labeledExamples, ActionId.labeledExamples)?.value ?? ''
      ).trim();
      const labeledExamples = /^\d+$/.test(rawExamples) ? Number(rawExamples) : Number.NaN;
      if (rawExamples === '')
        errors[BlockId.labeledExamples] = 'Enter how many good examples you have (0 is fine).';
      else if (!Number.isSafeInteger(labeledExamples))
        errors[BlockId.labeledExamples] = 'Enter a whole number, like 0, 40 or 500.';
      else if (labeledExamples > MAX_LABELED_EXAMPLES)
        errors[BlockId.labeledExamples] =
          `Enter at most ${MAX_LABELED_EXAMPLES.toLocaleString('en-US')}; beyond that the count changes nothing.`;
      const trainingBudget = yesNo(values, BlockId.trainingBudget, ActionId.trainingBudget);
      if (trainingBudget === undefined)
        errors[BlockId.trainingBudget] = 'Pick yes or no: is there budget for training?';
      next.behavior = {
        kinds: [...new Set(kinds)],
        labeledExamples: Number.isSafeInteger(labeledExamples) ? labeledExamples : undefined,
        trainingBudget,
      };
      break;
    }
    case 'review': {
      const destination = stateValue(values, BlockId.destination, ActionId.destination);
      if (destination) {
        const channel = destination.selected_conversation ?? null;
        if (channel !== null && !/^[CDG][A-Z0-9]{2,30}$/.test(channel))
          errors[BlockId.destination] = 'Pick a channel or conversation from the list.';
        else choices.destinationChannelId = channel;
      }
      const broadcast = stateValue(values, BlockId.broadcast, ActionId.broadcast);
      if (broadcast) choices.broadcast = (broadcast.selected_options ?? []).length > 0;
      break;
    }
  }

  return { draft: next, choices, errors };
}
