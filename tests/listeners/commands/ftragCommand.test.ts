import { describe, expect, it } from 'vitest';
import { ActionId, MESSAGE_SHORTCUT_NAME } from '../../../src/constants.js';
import type { Answers } from '../../../src/decision/answers.js';
import { decide, VERDICT_LABELS } from '../../../src/decision/index.js';
import { VERDICTS } from '../../../src/decision/types.js';
import { subcommandOf } from '../../../src/listeners/commands/ftragCommand.js';
import { buildHelpMessage, buildTypoMessage } from '../../../src/views/helpMessage.js';
import { buildVerdictMessage } from '../../../src/views/verdictMessage.js';
import { checkMessage } from '../../support/blockKitLimits.js';

describe('what follows /ftrag', () => {
  it.each([
    'help',
    'HELP',
    ' help ',
    '?',
    '??',
    '-h',
    '--help',
    '-help',
    '/help',
    'help?',
    'help!',
    'help me',
    'Help me!',
    'help please',
    'please help',
  ])('%j asks for help', (typed) => {
    expect(subcommandOf(typed)).toEqual({ kind: 'help' });
  });

  it.each(['history', 'History', ' HISTORY '])('%j asks for the history', (typed) => {
    expect(subcommandOf(typed)).toEqual({ kind: 'history' });
  });

  it.each([
    ['histroy', 'history'],
    ['hsitory', 'history'],
    ['histry', 'history'],
    ['hisotry', 'history'],
    ['Histroy', 'history'],
    ['--history', 'history'],
    ['hlep', 'help'],
    ['hepl', 'help'],
    ['halp', 'help'],
    ['hel', 'help'],
  ] as const)('%j is a typo of %s: ftrag asks whether it was meant', (typed, subcommand) => {
    expect(subcommandOf(typed)).toEqual({ kind: 'typo', subcommand, typed: typed.trim() });
  });

  it.each([
    '',
    'Support bot',
    'help desk assistant',
    'history of refunds',
    'helpdesk',
    'story',
    'victory',
    'historic',
    'helm',
    'kelp',
    'yelp',
    'heap',
    'hello',
    'triage',
  ])('%j starts a review', (typed) => {
    expect(subcommandOf(typed)).toEqual({ kind: 'review' });
  });
});

describe('the answer to a mistyped subcommand', () => {
  it('asks whether the subcommand was meant, offers it first, and a review titled with the word', () => {
    const message = buildTypoMessage('history', 'Histroy');
    expect(message.text).toBe('Did you mean `/ftrag history`?');
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain(
      'Did you mean `/ftrag history`? It lists the recent reviews of this conversation.',
    );
    const actions = message.blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        {
          type: 'button',
          action_id: ActionId.runMeantCommand,
          value: 'history',
          style: 'primary',
          text: { type: 'plain_text', text: 'Show the history' },
        },
        {
          type: 'button',
          action_id: ActionId.startCommandReview,
          value: 'Histroy',
          text: { type: 'plain_text', text: expect.stringContaining('Histroy') },
        },
      ],
    });
    expect(actions && 'elements' in actions && actions.elements[1]).not.toHaveProperty('style');
    expect(checkMessage(message)).toEqual([]);
  });

  it('offers the help first for a typo of help', () => {
    const message = buildTypoMessage('help', 'hepl');
    expect(JSON.stringify(message.blocks)).toContain(
      '{"type":"button","action_id":"run_meant_command","text":{"type":"plain_text","text":"Show the help"},"value":"help","style":"primary"}',
    );
    expect(checkMessage(message)).toEqual([]);
  });
});

describe('the help', () => {
  const answers = {
    title: 'Refund bot',
    leaning: 'undecided',
    promptTried: 'still-unreliable',
    gap: 'knowledge',
    knowledge: { changesOften: true, citationsNeeded: true },
  } satisfies Answers;

  /** The labels of the buttons a posted verdict carries, as it is built. */
  function verdictButtonLabels(): string[] {
    const message = buildVerdictMessage({
      answers,
      decision: decide(answers),
      userId: 'U0ASKER',
      signOff: { reviewId: 'r1', votes: [] },
    });
    return message.blocks.flatMap((block) =>
      block.type === 'actions'
        ? block.elements.flatMap((element) =>
            element.type === 'button' ? [element.text.text] : [],
          )
        : [],
    );
  }

  it('says the verdict lands in this channel, or in this direct message when asked in one', () => {
    const inChannel = JSON.stringify(buildHelpMessage('C0CHANNEL1'));
    expect(inChannel).toContain('lands in this channel');
    const inDm = JSON.stringify(buildHelpMessage('D0DIRECT01'));
    expect(inDm).not.toContain('this channel');
    expect(inDm).toContain('this direct message');
  });

  it('offers the message shortcut on any message, not only in a thread', () => {
    const help = JSON.stringify(buildHelpMessage('C0CHANNEL1'));
    expect(help).toContain(`On any message, the message shortcut *${MESSAGE_SHORTCUT_NAME}*`);
    expect(help).toContain('that message’s thread');
  });

  it('explains each button of a verdict, by its label, and what each verdict means', () => {
    const help = JSON.stringify(buildHelpMessage('C0CHANNEL1'));
    const labels = verdictButtonLabels();
    expect(labels).toHaveLength(4);
    for (const label of labels) expect(help).toContain(`*${label}*`);
    for (const verdict of VERDICTS) expect(help).toContain(`*${VERDICT_LABELS[verdict]}*`);
  });

  it('says what each verdict means as the rules decide it', () => {
    const help = JSON.stringify(buildHelpMessage('C0CHANNEL1'));
    // Cited facts that fit in the prompt stay in it: citing alone is no reason for RAG.
    expect(help).toContain(
      `*${VERDICT_LABELS.rag}*: the model lacks knowledge too large for a prompt, or changing weekly or faster; retrieve it at each request.`,
    );
    expect(help).not.toContain('must be cited');
    const prompt = help.match(/• \*Prompt\*: [^•]*/)?.[0] ?? '';
    expect(prompt).toContain('a better prompt does it');
    expect(prompt).toMatch(/gap is not (yet )?diagnosed/);
    expect(prompt).toContain('labeled examples');
    expect(help).toContain('Measure before you trust any of them.');
  });

  it('explains scored, the warnings and the optional Data and access box', () => {
    const help = JSON.stringify(buildHelpMessage('C0CHANNEL1'));
    expect(help).toMatch(
      /\*Scored\* means run on 20 to 50 real inputs[^"]*expected output[^"]*counted/,
    );
    expect(help).toContain(':warning:');
    expect(help).toContain('*Data and access*');
    expect(help).toContain('never changes the verdict');
  });

  it('stays within a message’s limits, in a channel and in a DM', () => {
    expect(checkMessage(buildHelpMessage('C0CHANNEL1'))).toEqual([]);
    expect(checkMessage(buildHelpMessage('D0DIRECT01'))).toEqual([]);
  });
});
