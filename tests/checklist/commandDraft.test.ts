import { describe, expect, it } from 'vitest';
import { draftFromCommandText } from '../../src/checklist/commandDraft.js';
import { startChecklist } from '../../src/checklist/state.js';
import { charCount, PROBLEM_MAX_CHARS, TITLE_MAX_CHARS } from '../../src/decision/answers.js';
import { buildChecklistStepView } from '../../src/views/checklistModal.js';
import { checkView } from '../support/blockKitLimits.js';

const LONG =
  'A support assistant that answers billing questions from our current price list and refund policy, in the house voice, with a link to the policy section it used, for the EU & <US> teams';

describe('draftFromCommandText', () => {
  it('takes a short text as the title alone', () => {
    expect(draftFromCommandText('Support bot')).toEqual({ title: 'Support bot' });
    expect(draftFromCommandText('   ')).toEqual({});
  });

  it('keeps all of a text too long for the title in the problem, while the title keeps the cut', () => {
    const typed = LONG.replace('&', '&amp;').replace('<US>', '&lt;US&gt;');
    expect(charCount(LONG)).toBeGreaterThan(TITLE_MAX_CHARS);
    const draft = draftFromCommandText(typed);
    expect(draft.title).toMatch(/…$/);
    expect(charCount(draft.title ?? '')).toBeLessThanOrEqual(TITLE_MAX_CHARS);
    expect(LONG.startsWith((draft.title ?? '').slice(0, -1))).toBe(true);
    // Slack's entities come back as what the person typed, as in the title.
    expect(draft.problem).toBe(LONG);
  });

  it('turns mentions into plain text and cuts the problem to its limit', () => {
    const draft = draftFromCommandText(`<@U0ABC|ana> <!channel> ${'word '.repeat(400)}`);
    expect(draft.problem?.startsWith('@ana @channel word')).toBe(true);
    expect(draft.problem).not.toContain('<');
    expect(charCount(draft.problem ?? '')).toBeLessThanOrEqual(PROBLEM_MAX_CHARS);
  });

  it('pre-fills the first step with both, within Slack’s limits', () => {
    const draft = draftFromCommandText(`${'x '.repeat(900)}${LONG}`);
    const view = buildChecklistStepView(
      startChecklist({
        origin: 'command',
        channelId: 'C0TEST',
        threadTs: null,
        responseUrl: null,
        draft,
      }),
    );
    expect(checkView(view)).toEqual([]);
    const json = JSON.stringify(view);
    expect(json).toContain(JSON.stringify(draft.title).slice(1, -1));
    expect(json).toContain(JSON.stringify(draft.problem).slice(1, -1));
  });
});
