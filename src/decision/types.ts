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

/** One row of the RAG vs fine-tuning table. */
export interface Tradeoff {
  aspect: string;
  rag: string;
  fineTuning: string;
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
