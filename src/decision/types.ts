export const VERDICTS = ['prompt', 'rag', 'fine-tune', 'rag+fine-tune'] as const;
export type VerdictKind = (typeof VERDICTS)[number];

export const WARNING_CODES = [
  'knowledge-in-weights',
  'restricted-data-in-weights',
  'facts-do-not-fit',
  'prompt-untried',
  'prompt-unscored',
  'few-examples',
  'held-out-short',
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
 * One row of the trade-offs table, setting the options in play side by side:
 * - fine-tuning against RAG, when knowledge is missing and retrieval would carry it;
 * - fine-tuning against the prompt, when no knowledge is missing, since RAG is then no alternative;
 * - the prompt against RAG, when the facts are kept in the prompt or loaded into it whole, with
 *   fine-tuning as a third column when the gap is behavior too.
 */
export type Tradeoff =
  | { aspect: string; prompt?: never; rag: string; fineTuning: string }
  | { aspect: string; prompt: string; rag?: never; fineTuning: string }
  | { aspect: string; prompt: string; rag: string; fineTuning?: string };

export const TRADEOFF_COLUMN_LABELS = {
  prompt: 'Prompt',
  rag: 'RAG',
  fineTuning: 'Fine-tuning',
} as const;
export type TradeoffColumn = keyof typeof TRADEOFF_COLUMN_LABELS;
/** Table order, whichever options a row has. */
export const TRADEOFF_COLUMNS: readonly TradeoffColumn[] = ['prompt', 'rag', 'fineTuning'];

/** The options a row sets side by side, as column labels and texts, in table order. */
export function tradeoffColumns(
  row: Tradeoff,
): { column: TradeoffColumn; label: string; text: string }[] {
  return TRADEOFF_COLUMNS.flatMap((column) => {
    const text = row[column];
    return text === undefined ? [] : [{ column, label: TRADEOFF_COLUMN_LABELS[column], text }];
  });
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
  /**
   * Indices into the rationale of the lines whose answers decided the verdict, in rationale order:
   * the channel's short "Why" shows them first. Absent from decisions stored before it existed.
   */
  decisive?: number[];
  warnings: DecisionWarning[];
  nextSteps: string[];
  measure: string[];
  tradeoffs: Tradeoff[];
  sources: Source[];
  rulesVersion: string;
}
