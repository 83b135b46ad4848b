import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charCount } from '../../src/decision/answers.js';
import {
  cleanTypedText,
  cutCleanly,
  escapeMrkdwn,
  escapeToFit,
  mentionChannel,
  mentionUser,
  plainTextFromSlack,
  truncate,
} from '../../src/views/text.js';

describe('reading a message as Slack sends it', () => {
  it('turns mentions, channels, links and dates into what a reader saw', () => {
    expect(
      plainTextFromSlack(
        '<!channel> <!here|here> <@U1ALICE|alice> <@U2BOB> <#C1|general> <#C2> <!subteam^S1|@devs> <!subteam^S2>',
      ),
    ).toBe('@channel @here @alice @U2BOB #general #C2 @devs @S2');
    expect(plainTextFromSlack('due <!date^1700000000^{date_short}|Nov 14, 2023>')).toBe(
      'due Nov 14, 2023',
    );
    expect(
      plainTextFromSlack(
        '<https://x.test/doc|the doc> <https://x.test> <https://x.test|x.test> <http://y.test|y.test> <mailto:a@b.test|a@b.test>',
      ),
    ).toBe('the doc (https://x.test/doc) https://x.test x.test y.test a@b.test');
  });

  it('decodes Slack’s entities once, and leaves what a person typed', () => {
    expect(plainTextFromSlack('Q&amp;A &lt;b&gt; &amp;lt; 1 &gt; 0')).toBe('Q&A <b> &lt; 1 > 0');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (typed) => {
        // Slack's client escapes &, < and > in what was typed before sending it.
        expect(plainTextFromSlack(escapeMrkdwn(typed))).toBe(typed);
      }),
    );
  });
});

describe('escaping typed text for mrkdwn', () => {
  it('escapes &, < and > so nothing typed becomes a mention or a link', () => {
    expect(escapeMrkdwn('<!channel> & <@U123|bob> <https://x.test|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U123|bob&gt; &lt;https://x.test|y&gt;',
    );
    expect(escapeMrkdwn('&amp;')).toBe('&amp;amp;');
  });

  it('never leaves a raw < or > in any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(escapeMrkdwn(text)).not.toMatch(/[<>]/);
      }),
    );
  });

  it('fits escaped text into a limit without splitting an entity or a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('&', '<', 'a', '😀', ' '), maxLength: 400 }),
        fc.integer({ min: 2, max: 300 }),
        (text, max) => {
          const fitted = escapeToFit(text, max);
          expect(fitted.length).toBeLessThanOrEqual(Math.max(max, 1));
          expect(fitted).not.toMatch(/&(?!amp;|lt;|gt;)/);
          expect(fitted).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        },
      ),
    );
  });

  it('truncates by characters, not UTF-16 units', () => {
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
    expect(charCount(truncate('x'.repeat(200), 150))).toBe(150);
  });
});

describe('cleaning typed text', () => {
  it('keeps newlines and tabs, drops invisible control characters, mends broken surrogates', () => {
    expect(cleanTypedText('a\r\nb\rc\td\u0000e\u0007f')).toBe('a\nb\nc\tdef');
    expect(cleanTypedText('x\uD800y')).toBe('x\uFFFDy');
  });

  it('cuts pre-filled text to a field’s limit at a word boundary', () => {
    const text = 'word '.repeat(300);
    const cut = cutCleanly(text, 1000);
    expect(charCount(cut)).toBeLessThanOrEqual(1000);
    expect(cut.endsWith('word…')).toBe(true);
    expect(cutCleanly('  short  ', 1000)).toBe('short');
  });
});

describe('mentions', () => {
  it('are built only from well-formed ids', () => {
    expect(mentionUser('U0123ABC')).toBe('<@U0123ABC>');
    expect(mentionUser('W0123ABC')).toBe('<@W0123ABC>');
    expect(mentionUser('!channel')).toBe('someone');
    expect(mentionChannel('C0123ABC')).toBe('<#C0123ABC>');
    expect(mentionChannel('C0123>|<!here')).toBe('the channel');
  });
});
