import type { Answers } from '../decision/answers.js';
import { plural } from '../decision/content.js';
import {
  GAP_OPTION_LABELS,
  LEANING_OPTION_LABELS,
  PROMPT_TRIED_OPTION_LABELS,
  yesNoLabel,
} from './labels.js';
import { escapeToFit } from './text.js';

/** The answers so far as a person reads them, user text escaped. */
export function summarizeAnswers(answers: Answers): string {
  const lines = [
    `*Building:* ${escapeToFit(answers.title, 400)}`,
    answers.problem ? `*Goes wrong today:* ${escapeToFit(answers.problem, 1500)}` : null,
    `*Leaning:* ${LEANING_OPTION_LABELS[answers.leaning]}`,
    `*Better prompt tried:* ${PROMPT_TRIED_OPTION_LABELS[answers.promptTried]}`,
    `*Missing:* ${GAP_OPTION_LABELS[answers.gap].label} (${GAP_OPTION_LABELS[answers.gap].description.toLowerCase()})`,
    answers.knowledge
      ? `*Knowledge:* changes weekly or faster: ${yesNoLabel(answers.knowledge.changesOften)} · must cite sources: ${yesNoLabel(answers.knowledge.citationsNeeded)}`
      : null,
    answers.behavior
      ? `*Behavior:* ${answers.behavior.kinds?.length ? `${answers.behavior.kinds.join(', ')} · ` : ''}${plural(answers.behavior.labeledExamples, 'labeled example', 'labeled examples')} · training budget: ${yesNoLabel(answers.behavior.trainingBudget)}`
      : null,
  ];
  return lines.filter((line): line is string => line !== null).join('\n');
}
