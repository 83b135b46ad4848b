import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkBlocks,
  checkMessage,
  checkView,
  countChars,
  findMessageViolations,
} from '../support/blockKitLimits.js';
import type { JsonObject } from '../support/json.js';
import { sampleViewsDir } from '../support/paths.js';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const x = (n: number) => 'x'.repeat(n);
const option = (text: string, value: string) => ({ text: plain(text), value });
const options = (n: number) => Array.from({ length: n }, (_, i) => option(`o${i}`, `v${i}`));
const button = (actionId: string, extra: JsonObject = {}) => ({
  type: 'button',
  action_id: actionId,
  text: plain('Go'),
  ...extra,
});
const section = (text = 'hello') => ({ type: 'section', text: mrkdwn(text) });
const input = (element: JsonObject, extra: JsonObject = {}) => ({
  type: 'input',
  label: plain('Label'),
  element,
  ...extra,
});
const modal = (blocks: unknown[], extra: JsonObject = {}) => ({
  type: 'modal',
  title: plain('Title'),
  submit: plain('Submit'),
  blocks,
  ...extra,
});

describe('checkView accepts Slack-written sample views', () => {
  const files = fs
    .readdirSync(sampleViewsDir)
    .filter((f) => /^view_(modal|home)_\d+\.json$/.test(f));

  it('finds the samples', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  it.each(files)('%s has no violations', (file) => {
    const view: unknown = JSON.parse(fs.readFileSync(path.join(sampleViewsDir, file), 'utf8'));
    expect(checkView(view)).toEqual([]);
  });
});

describe('countChars', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(countChars('abc')).toBe(3);
    expect(countChars('🎉🎉')).toBe(2);
    expect('🎉🎉'.length).toBe(4);
  });
});

describe('checkView catches violations', () => {
  const cases: [string, unknown, RegExp][] = [
    ['title over 24', modal([], { title: plain(x(25)) }), /\/title\/text: .*at most 24/],
    ['title missing', { type: 'modal', blocks: [] }, /\/title: title is required/],
    ['title mrkdwn', modal([], { title: mrkdwn('Hi') }), /\/title\/type: .*plain_text/],
    ['empty title', modal([], { title: plain('') }), /\/title\/text: .*empty/],
    ['submit over 24', modal([], { submit: plain(x(25)) }), /\/submit\/text/],
    ['close over 24', modal([], { close: plain(x(25)) }), /\/close\/text/],
    ['101 blocks', modal(Array.from({ length: 101 }, () => section())), /\/blocks: .*at most 100/],
    ['private_metadata 3001', modal([], { private_metadata: x(3001) }), /\/private_metadata/],
    ['callback_id 256', modal([], { callback_id: x(256) }), /\/callback_id/],
    [
      'input without submit',
      { type: 'modal', title: plain('T'), blocks: [input({ type: 'plain_text_input' })] },
      /\/submit: submit is required/,
    ],
    [
      'input without label',
      modal([{ type: 'input', element: { type: 'plain_text_input' } }]),
      /label is required/,
    ],
    ['input without element', modal([{ type: 'input', label: plain('L') }]), /element is required/],
    [
      'input label 2001',
      modal([input({ type: 'plain_text_input' }, { label: plain(x(2001)) })]),
      /\/blocks\/0\/label\/text/,
    ],
    [
      'input hint 2001',
      modal([input({ type: 'plain_text_input' }, { hint: plain(x(2001)) })]),
      /\/blocks\/0\/hint\/text/,
    ],
    [
      'placeholder 151',
      modal([input({ type: 'plain_text_input', placeholder: plain(x(151)) })]),
      /placeholder/,
    ],
    [
      'max_length 3001',
      modal([input({ type: 'plain_text_input', max_length: 3001 })]),
      /max_length must be between 1 and 3000/,
    ],
    [
      'min_length 3001',
      modal([input({ type: 'plain_text_input', min_length: 3001 })]),
      /min_length/,
    ],
    [
      'initial_value over max_length',
      modal([input({ type: 'plain_text_input', max_length: 5, initial_value: 'toolong' })]),
      /initial_value/,
    ],
    ['block_id 256', modal([{ ...section(), block_id: x(256) }]), /block_id must be at most 255/],
    [
      'duplicate block_id',
      modal([
        { ...section(), block_id: 'a' },
        { ...section(), block_id: 'a' },
      ]),
      /duplicate block_id "a"/,
    ],
    [
      'action_id 256',
      modal([{ type: 'actions', elements: [button(x(256))] }]),
      /action_id must be at most 255/,
    ],
    [
      'duplicate action_id in a block',
      modal([{ type: 'actions', elements: [button('a'), button('a')] }]),
      /duplicate action_id "a"/,
    ],
    ['section text 3001', modal([section(x(3001))]), /\/blocks\/0\/text\/text: .*3000/],
    ['section without text or fields', modal([{ type: 'section' }]), /needs text or fields/],
    [
      '11 fields',
      modal([{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }]),
      /at most 10/,
    ],
    ['field 2001', modal([{ type: 'section', fields: [mrkdwn(x(2001))] }]), /\/fields\/0\/text/],
    [
      'header 151',
      modal([{ type: 'header', text: plain(x(151)) }]),
      /header text must be at most 150/,
    ],
    [
      'context 11',
      modal([{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }]),
      /at most 10/,
    ],
    [
      'actions 26',
      modal([{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) }]),
      /at most 25/,
    ],
    [
      'button text 76',
      modal([{ type: 'actions', elements: [button('b', { text: plain(x(76)) })] }]),
      /button text/,
    ],
    [
      'button value 2001',
      modal([{ type: 'actions', elements: [button('b', { value: x(2001) })] }]),
      /button value/,
    ],
    [
      'button url 3001',
      modal([{ type: 'actions', elements: [button('b', { url: x(3001) })] }]),
      /button url/,
    ],
    [
      'option text 76',
      modal([input({ type: 'static_select', options: [option(x(76), 'v')] })]),
      /options\/0\/text\/text: option text/,
    ],
    [
      'option value 151',
      modal([input({ type: 'static_select', options: [option('t', x(151))] })]),
      /options\/0\/value/,
    ],
    ['radio 11', modal([input({ type: 'radio_buttons', options: options(11) })]), /at most 10/],
    ['checkboxes 11', modal([input({ type: 'checkboxes', options: options(11) })]), /at most 10/],
    [
      'static select 101',
      modal([input({ type: 'static_select', options: options(101) })]),
      /at most 100/,
    ],
    [
      'overflow 6',
      modal([
        { type: 'actions', elements: [{ type: 'overflow', action_id: 'o', options: options(6) }] },
      ]),
      /at most 5/,
    ],
    [
      'confirm title 101',
      modal([
        {
          type: 'actions',
          elements: [
            button('b', {
              confirm: {
                title: plain(x(101)),
                text: plain('t'),
                confirm: plain('y'),
                deny: plain('n'),
              },
            }),
          ],
        },
      ]),
      /confirm title/,
    ],
    [
      'image alt_text missing',
      modal([{ type: 'image', image_url: 'https://x.test/a.png' }]),
      /alt_text is required/,
    ],
    [
      'unknown block type',
      modal([{ type: 'sectoin', text: mrkdwn('typo') }]),
      /unknown block type "sectoin"/,
    ],
    ['not a view', { type: 'dialog', blocks: [] }, /view type must be modal or home/],
  ];

  it.each(cases)('%s', (_name, view, pattern) => {
    const violations = checkView(view);
    expect(
      violations.some((v) => pattern.test(v)),
      violations.join('\n'),
    ).toBe(true);
  });

  it('accepts values exactly at the limits', () => {
    const atLimits = modal(
      [
        { ...section(x(3000)), block_id: x(255) },
        { type: 'header', text: plain(x(150)) },
        { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn(x(2000))) },
        { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) },
        {
          type: 'actions',
          elements: Array.from({ length: 25 }, (_, i) =>
            button(i === 0 ? x(255) : `b${i}`, {
              text: plain(x(75)),
              value: x(2000),
              url: x(3000),
            }),
          ),
        },
        input({ type: 'static_select', options: [option(x(75), x(150)), ...options(99)] }),
        input(
          { type: 'radio_buttons', options: options(10) },
          { label: plain(x(2000)), hint: plain(x(2000)) },
        ),
        input({
          type: 'plain_text_input',
          max_length: 3000,
          min_length: 3000,
          placeholder: plain(x(150)),
        }),
        ...Array.from({ length: 92 }, () => ({ type: 'divider' })),
      ],
      {
        title: plain('🎉'.repeat(24)),
        submit: plain(x(24)),
        close: plain(x(24)),
        private_metadata: x(3000),
        callback_id: x(255),
      },
    );
    expect(checkView(atLimits)).toEqual([]);
  });

  it('lets the same action_id appear in different blocks (Slack requires uniqueness per block)', () => {
    const view = modal([
      { type: 'actions', elements: [button('same')] },
      { type: 'actions', elements: [button('same')] },
    ]);
    expect(checkView(view)).toEqual([]);
  });

  it('allows a home view without title and null submit/close as Slack returns them', () => {
    expect(checkView({ type: 'home', blocks: [section()] })).toEqual([]);
    expect(checkView(modal([section()], { close: null, submit: null }))).toEqual([]);
  });

  it('reports only one focus_on_load per view', () => {
    const view = modal([
      input({ type: 'plain_text_input', focus_on_load: true }),
      input({ type: 'plain_text_input', focus_on_load: true }),
    ]);
    expect(checkView(view).join('\n')).toMatch(/focus_on_load/);
  });
});

describe('checkMessage', () => {
  it('accepts a normal message', () => {
    expect(checkMessage({ text: 'hi', blocks: [section()] })).toEqual([]);
    expect(checkMessage({ text: x(40_000) })).toEqual([]);
    expect(checkMessage({ blocks: Array.from({ length: 50 }, () => section()) })).toEqual([]);
  });

  it('maps violations to Slack errors', () => {
    const errors = (m: Parameters<typeof findMessageViolations>[0]) =>
      findMessageViolations(m).map((v) => v.slackError);
    expect(errors({ text: x(40_001) })).toEqual(['msg_too_long']);
    expect(errors({})).toEqual(['no_text']);
    expect(errors({ text: '', blocks: [] })).toEqual(['no_text']);
    expect(errors({ text: 'hi', blocks: Array.from({ length: 51 }, () => section()) })).toEqual([
      'invalid_blocks',
    ]);
    expect(errors({ text: 'hi', blocks: [section(x(3001))] })).toEqual(['invalid_blocks']);
    expect(
      errors({
        text: 'hi',
        blocks: [
          { type: 'markdown', text: x(6000) },
          { type: 'markdown', text: x(6001) },
        ],
      }),
    ).toEqual(['msg_blocks_too_long']);
  });

  it('checkBlocks applies the surface block count', () => {
    const blocks = Array.from({ length: 60 }, () => section());
    expect(checkBlocks(blocks, 'message').join()).toMatch(/at most 50/);
    expect(checkBlocks(blocks, 'modal')).toEqual([]);
  });
});
