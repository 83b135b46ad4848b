import { z } from 'zod';
import { charCount, PROBLEM_MAX_CHARS } from '../decision/answers.js';
import { parseJsonWith } from '../jsonText.js';
import { cutCleanly, plainTextFromSlack } from '../views/text.js';

/** Slack's limit for a button's value. */
export const BUTTON_VALUE_MAX_CHARS = 2000;

/** Where a review started from an app mention posts its verdict, and what pre-fills the problem. */
export interface MentionStart {
  channelId: string;
  threadTs: string;
  problem: string;
}

// Short keys: the problem gets as much of the 2000 characters as possible.
const valueSchema = z.object({
  c: z.string().regex(/^[CDG][A-Z0-9]{2,30}$/),
  t: z.string().regex(/^\d{1,12}\.\d{1,8}$/),
  p: z.string().refine((problem) => charCount(problem) <= PROBLEM_MAX_CHARS),
});

function encode(start: MentionStart): string {
  return JSON.stringify({ c: start.channelId, t: start.threadTs, p: start.problem });
}

/**
 * The "Start review" button's value. The problem is first cut cleanly to the checklist's limit,
 * then shortened further until the JSON (quotes and backslashes escaped, astral characters two
 * UTF-16 units) fits a button value.
 */
export function encodeMentionStart(start: MentionStart): string {
  let problem = cutCleanly(start.problem, PROBLEM_MAX_CHARS);
  let value = encode({ ...start, problem });
  if (value.length <= BUTTON_VALUE_MAX_CHARS) return value;
  let low = 0;
  let high = charCount(problem);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (encode({ ...start, problem: cutCleanly(problem, mid) }).length <= BUTTON_VALUE_MAX_CHARS) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  problem = low > 0 ? cutCleanly(problem, low) : '';
  value = encode({ ...start, problem });
  return value;
}

/** Reads a "Start review" button's value; null when it is not one this app wrote. */
export function decodeMentionStart(value: string): MentionStart | null {
  const start = parseJsonWith(valueSchema, value);
  return start && { channelId: start.c, threadTs: start.t, problem: start.p };
}

/**
 * The text of an app mention without the mentions of the bot itself (`<@U123>` or
 * `<@U123|name>`); when the bot's id is unknown, a leading mention is dropped.
 */
export function mentionProblemText(text: string, botUserId: string | undefined): string {
  const withoutBot = botUserId
    ? text.replace(new RegExp(`<@${escapeRegExp(botUserId)}(\\|[^>]*)?>`, 'g'), ' ')
    : text.replace(/^\s*<@[A-Z0-9]+(\|[^>]*)?>/, ' ');
  return cutCleanly(plainTextFromSlack(withoutBot).replace(/[ \t]{2,}/g, ' '), PROBLEM_MAX_CHARS);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
