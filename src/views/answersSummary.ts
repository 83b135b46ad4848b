import type { Answers, KnowledgeAnswers } from '../decision/answers.js';
import {
  LEANING_LABELS,
  PROMPT_TRIED_LABELS,
  plural,
  RESTRICTED_DATA_LABEL,
  RESTRICTED_DATA_MEANING,
} from '../decision/content.js';
import { GAP_OPTION_LABELS, yesNoLabel } from './labels.js';
import { escapeTitle, escapeToFit } from './text.js';

function knowledgeLine(knowledge: KnowledgeAnswers): string {
  const parts = [
    `changes weekly or faster: ${yesNoLabel(knowledge.changesOften)}`,
    `must cite sources: ${yesNoLabel(knowledge.citationsNeeded)}`,
    // Left out for reviews from before the question was asked, rather than shown as unanswered.
    ...(knowledge.fitsInPrompt === undefined
      ? []
      : [`fits in the prompt: ${yesNoLabel(knowledge.fitsInPrompt)}`]),
  ];
  return `*Knowledge:* ${parts.join(' · ')}`;
}

/** A yes says what restricted means; a no (only ever typed, as the box can't say no) says no more. */
function restrictedDataValue(restricted: boolean): string {
  return restricted ? `Yes (${RESTRICTED_DATA_MEANING})` : 'No';
}

/**
 * The answers so far as a person reads them, user text escaped. The leaning, the prompt answer and
 * the gap carry the labels the rationale and the decision record give them.
 */
export function summarizeAnswers(answers: Answers): string {
  const lines = [
    `*Building:* ${escapeTitle(answers.title)}`,
    answers.problem ? `*Goes wrong today:* ${escapeToFit(answers.problem, 1500)}` : null,
    `*Leaning:* ${LEANING_LABELS[answers.leaning]}`,
    // Left out where it was not said, as in reviews from before it was asked.
    answers.restrictedData === undefined
      ? null
      : `*${RESTRICTED_DATA_LABEL}:* ${restrictedDataValue(answers.restrictedData)}`,
    `*Prompt:* ${PROMPT_TRIED_LABELS[answers.promptTried]}`,
    `*Gap:* ${GAP_OPTION_LABELS[answers.gap].label} (${GAP_OPTION_LABELS[answers.gap].description.toLowerCase()})`,
    answers.knowledge ? knowledgeLine(answers.knowledge) : null,
    answers.behavior
      ? `*Behavior:* ${answers.behavior.kinds?.length ? `${answers.behavior.kinds.join(', ')} · ` : ''}${plural(answers.behavior.labeledExamples, 'labeled example', 'labeled examples')} · training budget: ${yesNoLabel(answers.behavior.trainingBudget)}`
      : null,
  ];
  return lines.filter((line): line is string => line !== null).join('\n');
}
