import type { BehaviorKind, Gap, Leaning, PromptTried } from '../decision/answers.js';

/** How each answer reads in a modal option and in a summary. Option texts stay ≤ 75 characters. */
export const LEANING_OPTION_LABELS: Record<Leaning, string> = {
  undecided: 'Undecided',
  prompt: 'A better prompt',
  rag: 'Retrieval (RAG)',
  'fine-tune': 'Fine-tuning',
  'rag+fine-tune': 'RAG + fine-tuning',
};

export const PROMPT_TRIED_OPTION_LABELS: Record<PromptTried, string> = {
  'not-yet': 'Not yet',
  'good-enough': 'Yes, and the results are good enough',
  'still-unreliable': 'Yes, and it is still unreliable',
};

export const GAP_OPTION_LABELS: Record<Gap, { label: string; description: string }> = {
  knowledge: { label: 'Knowledge', description: 'Facts, documents, things that change' },
  behavior: { label: 'Behavior', description: 'Format, tone, structure, a narrow skill' },
  both: { label: 'Both', description: 'It lacks facts and gets the form wrong' },
  neither: { label: 'Neither', description: 'The model has what it needs; something else is off' },
  unsure: { label: 'Not sure yet', description: 'No error analysis yet' },
};

export const BEHAVIOR_KIND_OPTION_LABELS: Record<BehaviorKind, string> = {
  format: 'Format or structure (e.g. strict JSON)',
  tone: 'Tone or house voice',
  classification: 'Classification into our own labels',
  skill: 'A narrow skill the base model does inconsistently',
};

export function yesNoLabel(value: boolean | undefined): string {
  if (value === undefined) return '–';
  return value ? 'Yes' : 'No';
}
