import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUTTON_VALUE_MAX_CHARS,
  decodeMentionStart,
  encodeMentionStart,
  mentionProblemText,
} from '../../src/checklist/mentionStart.js';
import { charCount, PROBLEM_MAX_CHARS } from '../../src/decision/answers.js';

const where = { channelId: 'C0123456789ABCDEF', threadTs: '1700000000.123456' };

// Characters that cost the most in JSON: escaped quotes and backslashes, astral emoji.
const costly = fc
  .array(fc.constantFrom('"', '\\', '😀', 'é', '<', '\n', 'a', ' '), { maxLength: 3000 })
  .map((chars) => chars.join(''));

describe('the Start review button value', () => {
  it('fits Slack’s 2000 characters and decodes to a problem within the checklist’s limit', () => {
    fc.assert(
      fc.property(fc.oneof(costly, fc.string({ maxLength: 3000 })), (text) => {
        const value = encodeMentionStart({ ...where, problem: text });
        expect(value.length).toBeLessThanOrEqual(BUTTON_VALUE_MAX_CHARS);
        const decoded = decodeMentionStart(value);
        expect(decoded).not.toBeNull();
        expect(decoded?.channelId).toBe(where.channelId);
        expect(decoded?.threadTs).toBe(where.threadTs);
        expect(charCount(decoded?.problem ?? '')).toBeLessThanOrEqual(PROBLEM_MAX_CHARS);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a short problem whole and cuts a costly one cleanly, with an ellipsis', () => {
    const short = decodeMentionStart(encodeMentionStart({ ...where, problem: 'It breaks JSON' }));
    expect(short?.problem).toBe('It breaks JSON');

    const quoted = '"a" '.repeat(400);
    const cut = decodeMentionStart(encodeMentionStart({ ...where, problem: quoted }))?.problem;
    expect(cut?.endsWith('…')).toBe(true);
    expect(quoted.startsWith((cut ?? '').slice(0, -1).trimEnd())).toBe(true);
    expect(charCount(cut ?? '')).toBeGreaterThan(200);
  });

  it.each([
    ['not JSON', 'nope'],
    ['a forged channel', JSON.stringify({ c: '<!channel>', t: where.threadTs, p: '' })],
    ['a bad thread ts', JSON.stringify({ c: where.channelId, t: 'x', p: '' })],
    [
      'a problem over the limit',
      JSON.stringify({ ...{ c: where.channelId, t: where.threadTs }, p: 'x'.repeat(1001) }),
    ],
  ])('rejects %s', (_name, value) => {
    expect(decodeMentionStart(value)).toBeNull();
  });
});

describe('the text of a mention', () => {
  it('drops the mentions of the bot, and reads the rest as plain text', () => {
    expect(mentionProblemText('<@U0BOT> should we   fine-tune? <@U0OTHER>', 'U0BOT')).toBe(
      'should we fine-tune? @U0OTHER',
    );
    expect(mentionProblemText('hey <@U0BOT|ftrag>, <!channel> look', 'U0BOT')).toBe(
      'hey , @channel look',
    );
    expect(mentionProblemText('<@U0BOT> Q&amp;A bot says &lt;b&gt;', 'U0BOT')).toBe(
      'Q&A bot says <b>',
    );
    expect(mentionProblemText('<@U0BOT> why', undefined)).toBe('why');
    expect(mentionProblemText('<@U0BOT>', 'U0BOT')).toBe('');
  });

  it('cuts long text cleanly to the problem limit', () => {
    const text = mentionProblemText(`<@U0BOT> ${'word '.repeat(400)}`, 'U0BOT');
    expect(charCount(text)).toBeLessThanOrEqual(PROBLEM_MAX_CHARS);
    expect(text.endsWith('word…')).toBe(true);
  });
});
