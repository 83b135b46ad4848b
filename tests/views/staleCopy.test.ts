import { describe, expect, it } from 'vitest';
import {
  buildStaleCopyMessage,
  type StaleCopyAction,
  type StaleCopyRefusal,
  staleCopyNoticeText,
} from '../../src/views/staleCopy.js';
import { checkMessage } from '../support/blockKitLimits.js';

const HOSTILE = '<!channel> <@U999EVIL> <https://evil.test|click> & co';
const LINKED = {
  channelId: 'C0CHAN',
  permalink: 'https://t.slack.com/archives/C0CHAN/p1700000000000100',
  inAskersDm: false,
};
const IN_ASKERS_DM = {
  channelId: 'D0ASKER',
  permalink: 'https://t.slack.com/archives/D0ASKER/p1700000000000200',
  inAskersDm: true,
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
    expect(
      buildStaleCopyMessage('T', { channelId: 'C0CHAN', permalink: null, inAskersDm: false }).text,
    ).toContain('the current verdict in <#C0CHAN>');
    const dm = buildStaleCopyMessage('T', {
      channelId: 'D0ASKER',
      permalink: null,
      inAskersDm: false,
    }).text;
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
    const text = staleCopyNoticeText(LINKED, { action, copy: 'pointed', byAsker: false });
    expect(text).toContain(`<${LINKED.permalink}|the current verdict> is the one to use`);
    expect(text).toMatch(says);
  });

  it('tells the clicker of a refused re-run why first, then where the current verdict is and, when they can open it, to challenge it there', () => {
    const why =
      'Only the person who asked for this review can re-run it, until someone challenges it. ';
    const challenge =
      ' Challenge the current one with your reason first, then anyone can re-run it.';
    const notice = (current: typeof LINKED, byAsker: boolean) =>
      staleCopyNoticeText(current, {
        action: 'rerun-refused',
        copy: current.inAskersDm && !byAsker ? 'refreshed' : 'pointed',
        byAsker,
      });
    expect(notice(LINKED, false)).toBe(
      `${why}You clicked an out-of-date copy of this verdict: <${LINKED.permalink}|the current verdict> is the one to use, and the copy now points to it.${challenge}`,
    );
    expect(notice(IN_ASKERS_DM, true)).toBe(
      `${why}You clicked an out-of-date copy of this verdict: <${IN_ASKERS_DM.permalink}|the current verdict>, sent to you by DM, is the one to use, and the copy now points to it.${challenge}`,
    );
    // Nobody else can open the asker's DM: the copy they clicked is where they challenge it.
    expect(notice(IN_ASKERS_DM, false)).toBe(
      `${why}You clicked an out-of-date copy of this verdict: the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, and shows the verdict as it is now. Challenge it on this copy with your reason first, then anyone can re-run it.`,
    );
  });

  it('says so when the copy could not be changed', () => {
    const text = staleCopyNoticeText(LINKED, {
      action: 'agree',
      copy: 'unchanged',
      byAsker: false,
    });
    expect(text).toContain('I couldn’t change the copy, so its buttons are still there.');
    expect(text).not.toContain('now points to it');
  });

  it('says the current verdict went to the asker by DM, linked for the asker only', () => {
    const pointer = buildStaleCopyMessage('T', IN_ASKERS_DM);
    expect(JSON.stringify(pointer.blocks)).toContain(
      `The current verdict was sent to the asker by DM: <${IN_ASKERS_DM.permalink}|open it there> if you are the asker.`,
    );
    expect(pointer.text).toBe(
      'This copy of the verdict on T is out of date: the current verdict was sent to the asker by DM.',
    );
    expect(JSON.stringify(pointer)).not.toContain('Sign off and discuss on');
    const unlinked = buildStaleCopyMessage('T', { ...IN_ASKERS_DM, permalink: null });
    expect(JSON.stringify(unlinked.blocks)).toContain(
      'The current verdict was sent to the asker by DM, in their messages with ftrag.',
    );
    expect(checkMessage(pointer)).toEqual([]);

    const toAsker = staleCopyNoticeText(IN_ASKERS_DM, {
      action: 'agree',
      copy: 'pointed',
      byAsker: true,
    });
    expect(toAsker).toBe(
      `:information_source: You clicked an out-of-date copy of this verdict: <${IN_ASKERS_DM.permalink}|the current verdict>, sent to you by DM, is the one to use, and the copy now points to it. Your agreement was recorded on it.`,
    );
  });

  it('tells anyone but the asker, when the current verdict is in the asker’s DM, that the copy they clicked keeps its buttons for them, never that it points away', () => {
    const dmWhere =
      'You clicked an out-of-date copy of this verdict: the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else';
    const notice = (action: StaleCopyAction | StaleCopyRefusal | undefined, refreshed = true) =>
      staleCopyNoticeText(IN_ASKERS_DM, {
        action,
        copy: refreshed ? 'refreshed' : 'unchanged',
        byAsker: false,
      });
    const upToDate = `${dmWhere}, and shows the verdict as it is now.`;
    const notUpToDate = `${dmWhere}, though I couldn’t bring it up to date.`;
    expect(notice('agree')).toBe(
      `:information_source: ${upToDate} Your agreement was recorded on it.`,
    );
    expect(notice('challenge')).toBe(
      `:information_source: ${upToDate} Once you post your challenge, it counts on the current one, and your reason goes to the asker in its thread.`,
    );
    expect(notice('rerun-here')).toBe(
      `:information_source: ${upToDate} Once you finish the checklist, the re-run is posted in the thread of the copy you clicked.`,
    );
    expect(notice('export-here')).toBe(
      `:information_source: ${upToDate} The decision record is posted in the thread of the copy you clicked.`,
    );
    expect(notice(undefined)).toBe(`:information_source: ${upToDate}`);
    expect(notice('agree', false)).toBe(
      `:information_source: ${notUpToDate} Your agreement was recorded on it.`,
    );
    // Refused because the copy showed the verdict before an edit: agree again once it shows it.
    expect(notice('agree-not-recorded')).toBe(
      `:pencil2: This verdict was edited after you saw it, so your agreement was not recorded. ${upToDate} Agree with it or challenge it on this copy.`,
    );
    expect(notice('agree-not-recorded', false)).toBe(
      `:pencil2: This verdict was edited after you saw it, so your agreement was not recorded. ${notUpToDate}`,
    );
    for (const action of [
      'agree',
      'challenge',
      'rerun-here',
      'export-here',
      'agree-not-recorded',
      'rerun-refused',
      undefined,
    ] as const) {
      expect(notice(action)).not.toContain('points to it');
      expect(notice(action, false)).not.toContain('points to it');
    }
  });
});
