export * from './answers.js';
export {
  GAP_LABELS,
  LEANING_LABELS,
  MIN_EXAMPLES_FOR_FINE_TUNING,
  PROMPT_TRIED_LABELS,
  SOURCES,
  TRADEOFF_ROWS,
  VERDICT_LABELS,
  WARNING_TITLES,
} from './content.js';
export {
  decide,
  RULES_VERSION,
  verdictIncludesFineTune,
  verdictIncludesRag,
} from './engine.js';
export {
  type DecisionRecordContext,
  escapeMarkdownInline,
  renderDecisionRecord,
  renderText,
} from './render.js';
export * from './types.js';
