import { describe, expect, it } from 'vitest';
import {
  readReviewChoicesLeniently,
  readStep,
  readStepLeniently,
  type StateValues,
} from '../../src/checklist/readStep.js';
import type { Draft } from '../../src/checklist/state.js';
import { ActionId, BlockId } from '../../src/constants.js';

const text = (value: string | null) => ({ type: 'plain_text_input', value });
const picked = (value: string) => ({
  type: 'radio_buttons',
  selected_option: { value, text: { type: 'plain_text' as const, text: value } },
});
const nothing = { type: 'radio_buttons', selected_option: null };

function values(entries: [string, string, StateValues[string][string]][]): StateValues {
  const result: StateValues = {};
  for (const [block, action, value] of entries)
    result[block] = { ...result[block], [action]: value };
  return result;
}

/** Any write to `value` or what it holds then throws (ES modules are strict). */
function deepFreeze(value: object): void {
  for (const inner of Object.values(value))
    if (typeof inner === 'object' && inner) deepFreeze(inner);
  Object.freeze(value);
}

describe('reading a step', () => {
  it('reads the first step, trimming and cleaning typed text', () => {
    const read = readStep(
      'about',
      values([
        [BlockId.title, ActionId.title, text('  Refund bot\u0000 ')],
        [BlockId.problem, ActionId.problem, text('It quotes\r\nold policy')],
        [
          BlockId.leaning,
          ActionId.leaning,
          {
            type: 'static_select',
            selected_option: { value: 'rag', text: { type: 'plain_text', text: 'RAG' } },
          },
        ],
      ]),
      {},
    );
    expect(read).toEqual({
      ok: true,
      draft: { title: 'Refund bot', problem: 'It quotes\nold policy', leaning: 'rag' },
      choices: {},
    });
  });

  it('answers a blank title, an over-long title and a missing choice with errors keyed by block', () => {
    expect(readStep('about', values([[BlockId.title, ActionId.title, text('   ')]]), {})).toEqual({
      ok: false,
      errors: { [BlockId.title]: expect.stringMatching(/what you are building/) },
    });
    const long = readStep(
      'about',
      values([[BlockId.title, ActionId.title, text('x'.repeat(151))]]),
      {},
    );
    expect(long.ok).toBe(false);
    expect(
      readStep('prompt', values([[BlockId.promptTried, ActionId.promptTried, nothing]]), {}),
    ).toEqual({
      ok: false,
      errors: { [BlockId.promptTried]: expect.any(String) },
    });
  });

  it('reads the box on personal or customer data as said when ticked, and as not said otherwise', () => {
    const about = (restricted?: { value: string }[]) =>
      values([
        [BlockId.title, ActionId.title, text('Refund bot')],
        ...(restricted === undefined
          ? []
          : [
              [
                BlockId.restrictedData,
                ActionId.restrictedData,
                {
                  type: 'checkboxes',
                  selected_options: restricted.map(({ value }) => ({
                    value,
                    text: { type: 'plain_text' as const, text: value },
                  })),
                },
              ] as [string, string, StateValues[string][string]],
            ]),
      ]);
    expect(readStep('about', about([{ value: 'restricted' }]), {})).toEqual({
      ok: true,
      draft: { title: 'Refund bot', leaning: 'undecided', restrictedData: true },
      choices: {},
    });
    // Unticked on an edit or after Back: no longer said, not said "no".
    const unticked = readStep('about', about([]), { restrictedData: true });
    expect(unticked.ok && unticked.draft).not.toHaveProperty('restrictedData');
    // A first step built before the question (a checklist left open across the upgrade).
    const older = readStep('about', about(), {});
    expect(older.ok && older.draft).not.toHaveProperty('restrictedData');
    // A value the box never offered (a forged payload).
    const forged = readStep('about', about([{ value: 'yes' }]), {});
    expect(forged.ok && forged.draft).not.toHaveProperty('restrictedData');
    expect(readStepLeniently('about', about([{ value: 'restricted' }]), {})).toMatchObject({
      restrictedData: true,
    });
  });

  it('reads every prompt answer, the older two too: a checklist opened before the upgrade sends them', () => {
    for (const answer of [
      'not-yet',
      'tried-not-scored',
      'scored-good-enough',
      'scored-falls-short',
      'good-enough',
      'still-unreliable',
    ]) {
      const read = readStep(
        'prompt',
        values([[BlockId.promptTried, ActionId.promptTried, picked(answer)]]),
        {},
      );
      expect(read, answer).toEqual({ ok: true, draft: { promptTried: answer }, choices: {} });
    }
  });

  it('ignores option values the modal never offered (a forged payload)', () => {
    const read = readStep('gap', values([[BlockId.gap, ActionId.gap, picked('<!channel>')]]), {});
    expect(read).toEqual({ ok: false, errors: { [BlockId.gap]: expect.any(String) } });
  });

  it.each([
    ['', /how many/],
    ['-3', /whole number/],
    ['2.5', /whole number/],
    ['1e9', /whole number/],
    ['99999999999', /at most 10,000,000/],
    ['10000001', /at most 10,000,000/],
    ['99999999999999999999', /whole number/],
  ])('rejects %j labeled examples', (raw, message) => {
    const read = readStep(
      'behavior',
      values([
        [BlockId.labeledExamples, ActionId.labeledExamples, { type: 'number_input', value: raw }],
        [BlockId.trainingBudget, ActionId.trainingBudget, picked('yes')],
      ]),
      {},
    );
    expect(read).toEqual({
      ok: false,
      errors: { [BlockId.labeledExamples]: expect.stringMatching(message) },
    });
  });

  it('reads behavior details, keeping only known kinds', () => {
    const read = readStep(
      'behavior',
      values([
        [
          BlockId.behaviorKinds,
          ActionId.behaviorKinds,
          {
            type: 'checkboxes',
            selected_options: [
              { value: 'format', text: { type: 'plain_text', text: 'f' } },
              { value: 'evil', text: { type: 'plain_text', text: 'e' } },
            ],
          },
        ],
        [BlockId.labeledExamples, ActionId.labeledExamples, { type: 'number_input', value: '50' }],
        [BlockId.trainingBudget, ActionId.trainingBudget, picked('no')],
      ]),
      { gap: 'behavior' },
    );
    expect(read).toEqual({
      ok: true,
      draft: {
        gap: 'behavior',
        behavior: { kinds: ['format'], labeledExamples: 50, trainingBudget: false },
      },
      choices: {},
    });
  });

  it('reads the knowledge step, whether the facts fit in the prompt included', () => {
    const read = readStep(
      'knowledge',
      values([
        [BlockId.changesOften, ActionId.changesOften, picked('no')],
        [BlockId.citationsNeeded, ActionId.citationsNeeded, picked('yes')],
        [BlockId.fitsInPrompt, ActionId.fitsInPrompt, picked('yes')],
      ]),
      { gap: 'knowledge' },
    );
    expect(read).toEqual({
      ok: true,
      draft: {
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
      },
      choices: {},
    });
  });

  it('requires an answer to whether the facts fit in the prompt when the step shows it', () => {
    const read = readStep(
      'knowledge',
      values([
        [BlockId.changesOften, ActionId.changesOften, picked('no')],
        [BlockId.citationsNeeded, ActionId.citationsNeeded, picked('no')],
        [BlockId.fitsInPrompt, ActionId.fitsInPrompt, nothing],
      ]),
      { gap: 'knowledge' },
    );
    expect(read).toEqual({
      ok: false,
      errors: { [BlockId.fitsInPrompt]: expect.stringMatching(/fit in the prompt/) },
    });
    const forged = readStep(
      'knowledge',
      values([
        [BlockId.changesOften, ActionId.changesOften, picked('no')],
        [BlockId.citationsNeeded, ActionId.citationsNeeded, picked('no')],
        [BlockId.fitsInPrompt, ActionId.fitsInPrompt, picked('maybe')],
      ]),
      { gap: 'knowledge' },
    );
    expect(forged).toEqual({ ok: false, errors: { [BlockId.fitsInPrompt]: expect.any(String) } });
  });

  it('takes a knowledge step built before the question existed as not asked', () => {
    // A checklist opened on the previous version: Slack's state lists only the blocks it showed.
    const oldView = values([
      [BlockId.changesOften, ActionId.changesOften, picked('yes')],
      [BlockId.citationsNeeded, ActionId.citationsNeeded, picked('no')],
    ]);
    const read = readStep('knowledge', oldView, { gap: 'both' });
    expect(read).toEqual({
      ok: true,
      draft: { gap: 'both', knowledge: { changesOften: true, citationsNeeded: false } },
      choices: {},
    });
    expect(read.ok && read.draft.knowledge).not.toHaveProperty('fitsInPrompt');
    expect(readStepLeniently('knowledge', oldView, { gap: 'both' })).toEqual({
      gap: 'both',
      knowledge: { changesOften: true, citationsNeeded: false },
    });
  });

  it('keeps, for Back, the answers a half-done step holds and leaves out the rest', () => {
    const draft: Draft = {
      title: 'Triage',
      gap: 'both',
      behavior: { kinds: ['tone'], labeledExamples: 9, trainingBudget: true },
    };
    deepFreeze(draft);
    const behavior = readStepLeniently(
      'behavior',
      values([
        [BlockId.labeledExamples, ActionId.labeledExamples, { type: 'number_input', value: '-3' }],
        [BlockId.trainingBudget, ActionId.trainingBudget, picked('no')],
      ]),
      draft,
    );
    expect(behavior).toEqual({
      title: 'Triage',
      gap: 'both',
      behavior: { kinds: [], labeledExamples: undefined, trainingBudget: false },
    });
    expect(
      readStepLeniently(
        'about',
        values([[BlockId.title, ActionId.title, text('x'.repeat(151))]]),
        draft,
      ),
    ).toMatchObject({ title: undefined, leaning: 'undecided' });
    expect(readStepLeniently('gap', {}, draft)).toMatchObject({ gap: undefined });
    expect(readStepLeniently('review', {}, draft)).toEqual(draft);
  });

  it('reads the destination and broadcast choices of the last step', () => {
    const read = readStep(
      'review',
      values([
        [
          BlockId.destination,
          ActionId.destination,
          { type: 'conversations_select', selected_conversation: 'C0DEST' },
        ],
        [
          BlockId.broadcast,
          ActionId.broadcast,
          {
            type: 'checkboxes',
            selected_options: [{ value: 'broadcast', text: { type: 'plain_text', text: 'b' } }],
          },
        ],
      ]),
      {},
    );
    expect(read).toEqual({
      ok: true,
      draft: {},
      choices: { destinationChannelId: 'C0DEST', broadcast: true },
    });
  });

  it('reads the last step’s choices leniently for Back, keeping only what was chosen', () => {
    type Entry = [string, string, StateValues[string][string]];
    const destination = (channel: string | null): Entry => [
      BlockId.destination,
      ActionId.destination,
      { type: 'conversations_select', selected_conversation: channel },
    ];
    const broadcast = (ticked: boolean): Entry => [
      BlockId.broadcast,
      ActionId.broadcast,
      {
        type: 'checkboxes',
        selected_options: ticked
          ? [{ value: 'broadcast', text: { type: 'plain_text', text: 'b' } }]
          : [],
      },
    ];
    expect(readReviewChoicesLeniently(values([destination('C0DEST'), broadcast(true)]))).toEqual({
      destinationChannelId: 'C0DEST',
      broadcast: true,
    });
    expect(readReviewChoicesLeniently(values([destination('C0DEST')]))).toEqual({
      destinationChannelId: 'C0DEST',
    });
    // Not a channel: left out, as Back leaves out an answer that isn't valid.
    expect(readReviewChoicesLeniently(values([destination('<!here>'), broadcast(true)]))).toEqual({
      broadcast: true,
    });
    expect(
      readReviewChoicesLeniently(values([destination(null), broadcast(false)])),
    ).toBeUndefined();
    expect(readReviewChoicesLeniently({})).toBeUndefined();
  });

  it('leaves the draft it was given untouched, nested answers included', () => {
    const draft: Draft = {
      title: 'Refund bot',
      gap: 'both',
      knowledge: { changesOften: true, citationsNeeded: false },
      behavior: { kinds: ['format'], labeledExamples: 40 },
    };
    const before = structuredClone(draft);
    deepFreeze(draft);
    const read = readStep(
      'behavior',
      values([
        [BlockId.labeledExamples, ActionId.labeledExamples, text('500')],
        [BlockId.trainingBudget, ActionId.trainingBudget, picked('yes')],
      ]),
      draft,
    );
    expect(read.ok && read.draft.behavior).toEqual({
      kinds: [],
      labeledExamples: 500,
      trainingBudget: true,
    });
    expect(read.ok && read.draft.knowledge).toEqual(before.knowledge);
    expect(draft).toEqual(before);
  });
});
