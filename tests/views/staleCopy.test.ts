import { describe, expect, it } from 'vitest';
import {
  buildStaleCopyMessage,
  type StaleCopyAction,
  staleCopyNoticeText,
} from '../../src/views/staleCopy.js';
import { checkMessage } from '../support/blockKitLimits.js';

const HOSTILE = '<!channel> <@U999EVIL> <https://evil.test|click> & co';
const LINKED = {
  channelId: 'C0CHAN',
  permalink: 'https://t.slack.com/archives/C0CHAN/p1700000000000100',
};

describe('an out-of-date copy of a verdict', () => {
  it('becomes a pointer without buttons, its title escaped, within Slack’s limits', () => {
    const message = buildStaleCopyMessage(`${HOSTILE} ${'x'.repeat(3000)}`, LINKED);
    expect(message.blocks.map((block) => block.type)).toEqual(['section']);
    const sent = JSON.stringify(message);
    expect(sent).toContain(`<${LINKED.permalink}|the current verdict>`);
    expect(sent).toContain(
      '&lt;!channel&gt; &lt;@U999EVIL&gt; &lt;https://evil.test|click&gt; &amp; co',
    );
    expect(sent).not.toContain('<!channel>');
    expect(sent).not.toContain('<@U999EVIL>');
    expect(checkMessage(message)).toEqual([]);
  });

  it('names the channel, or the asker’s DM, when Slack gave no link', () => {
    expect(buildStaleCopyMessage('T', { channelId: 'C0CHAN', permalink: null }).text).toContain(
      'the current verdict in <#C0CHAN>',
    );
    const dm = buildStaleCopyMessage('T', { channelId: 'D0ASKER', permalink: null }).text;
    expect(dm).toContain('in the asker’s messages with ftrag');
    expect(dm).not.toContain('<#D0ASKER>');
  });

  it.each<[StaleCopyAction | undefined, RegExp]>([
    ['agree', /Your agreement was recorded on it\.$/],
    ['challenge', /your reason goes in its thread\.$/],
    ['rerun', /Once you finish the checklist, the re-run is posted in its thread\.$/],
    ['export', /The decision record is posted in its thread\.$/],
    [undefined, /the copy now points to it\.$/],
  ])('tells the clicker of %s where the current verdict is', (action, says) => {
    const text = staleCopyNoticeText(LINKED, action, true);
    expect(text).toContain(`<${LINKED.permalink}|the current verdict> is the one to use`);
    expect(text).toMatch(says);
  });

  it('says so when the copy could not be changed', () => {
    const text = staleCopyNoticeText(LINKED, 'agree', false);
    expect(text).toContain('I couldn’t change the copy, so its buttons are still there.');
    expect(text).not.toContain('now points to it');
  });
});
