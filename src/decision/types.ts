export const VERDICTS = ['prompt', 'rag', 'fine-tune', 'rag+fine-tune'] as const;
export type VerdictKind = (typeof VERDICTS)[number];

export const WARNING_CODES = [
  'knowledge-in-weights',
  'prompt-untried',
  'few-examples',
  'no-training-budget',
  'leaning-differs',
  'no-diagnosis',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface DecisionWarning {
  code: WarningCode;
  message: string;
}

/**
 * One row of the trade-offs table: fine-tuning against RAG when knowledge is missing, and against
 * the prompt when it is not, since RAG is then no alternative. Exactly one of rag and prompt is set.
 */
export type Tradeoff =
  | { aspect: string; rag: string; prompt?: never; fineTuning: string }
  | { aspect: string; prompt: string; rag?: never; fineTuning: string };

/** The alternative a row sets fine-tuning against, as a column label and its text. */
export function tradeoffAlternative(row: Tradeoff): { label: 'RAG' | 'Prompt'; text: string } {
  return row.rag !== undefined
    ? { label: 'RAG', text: row.rag }
    : { label: 'Prompt', text: row.prompt };
}

export interface Source {
  title: string;
  url: string;
}

/** The decision engine's output. */
export interface Decision {
  verdict: VerdictKind;
  headline: string;
  rationale: string[];
  warnings: DecisionWarning[];
  nextSteps: string[];
  measure: string[];
  tradeoffs: Tradeoff[];
  sources: Source[];
  rulesVersion: string;
}
