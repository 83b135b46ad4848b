import { PROBLEM_MAX_CHARS, TITLE_MAX_CHARS } from '../decision/answers.js';
import { cleanTypedText, cutCleanly, plainTextFromSlack } from '../views/text.js';
import type { Draft } from './state.js';

/**
 * The checklist's first answers from what was typed after `/ftrag`, as Slack sends it. Text too
 * long for the title goes whole into the problem as well, so the cut title loses nothing: the
 * whole reads better there than the fragment after the cut.
 */
export function draftFromCommandText(text: string): Draft {
  const typed = plainTextFromSlack(text);
  const title = cutCleanly(typed, TITLE_MAX_CHARS);
  if (!title) return {};
  if (title === cleanTypedText(typed).trim()) return { title };
  return { title, problem: cutCleanly(typed, PROBLEM_MAX_CHARS) };
}
