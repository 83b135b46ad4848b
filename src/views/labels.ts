import type { BehaviorKind, Gap } from '../decision/answers.js';
import { GAP_LABELS } from '../decision/content.js';

// How each answer reads in a modal option and in a summary. Option texts stay ≤ 75 characters.

/** The labels are the decision record's, so the checklist and the record name a gap alike. */
export const GAP_OPTION_LABELS: Record<Gap, { label: string; description: string }> = {
  knowledge: { label: GAP_LABELS.knowledge, description: 'Facts, documents, things that change' },
  behavior: { label: GAP_LABELS.behavior, description: 'Format, tone, structure, a narrow skill' },
  both: { label: GAP_LABELS.both, description: 'It lacks facts and gets the form wrong' },
  neither: {
    label: GAP_LABELS.neither,
    description: 'The model has what it needs; something else is off',
  },
  unsure: { label: GAP_LABELS.unsure, description: 'No error analysis yet' },
};

export const BEHAVIOR_KIND_OPTION_LABELS: Record<BehaviorKind, string> = {
  format: 'Format or structure (e.g. strict JSON)',
  tone: 'Tone or house voice',
  classification: 'Classification into our own labels',
  skill: 'A narrow skill the base model does inconsistently',
};

/**
 * The one option of the first step's box on data and access: ticked, the data includes personal
 * or customer data, or answers must respect who may see what; left unticked, nothing is said.
 */
export const RESTRICTED_DATA_OPTION = {
  value: 'restricted',
  label: 'Personal or customer data, or answers must respect who may see what',
} as const;

export function yesNoLabel(value: boolean | undefined): string {
  if (value === undefined) return '–';
  return value ? 'Yes' : 'No';
}
