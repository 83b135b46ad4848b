import { describe, expect, it } from 'vitest';
import {
  type CallFrame,
  type CpuProfile,
  describeFrame,
  largest,
  originOf,
  summarizeProfile,
} from '../../bench/profileSummary.js';

describe('originOf', () => {
  it.each([
    ['../src/checklist/state.ts', 'decodeState', 'ftrag'],
    ['file:///repo/dist/bench/bareBolt.js', '', 'bench'],
    ['file:///repo/node_modules/@slack/bolt/dist/App.js', 'processEvent', '@slack/bolt'],
    ['../node_modules/zod/v4/core/schemas.js', 'parse', 'zod'],
    ['file:///repo/node_modules/some-lib/src/index.js', 'f', 'some-lib'],
    ['node:internal/crypto/hash', 'Hmac', 'node'],
    ['', '(garbage collector)', '(garbage collector)'],
    ['', 'writev', 'native'],
  ])('%s (%s) is charged to %s', (source, functionName, origin) => {
    expect(originOf(source, functionName)).toBe(origin);
  });
});

const frame = (functionName: string, url: string, lineNumber = 0): CallFrame => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

describe('summarizeProfile', () => {
  // Three nodes sampled 1, 2 and 2 times; idle leaves the totals out.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(idle)', '') },
      { id: 2, callFrame: frame('CI', 'file:///repo/dist/ftrag.js', 4) },
      {
        id: 3,
        callFrame: frame('processEvent', 'file:///repo/node_modules/@slack/bolt/App.js', 9),
      },
      { id: 4, callFrame: frame('(garbage collector)', '') },
      { id: 5, callFrame: frame('never sampled', 'node:events') },
    ],
    samples: [1, 2, 3, 3, 1, 4, 4],
    timeDeltas: [500, 10, 20, 30, 500, 5, 7],
  };
  // The minified bundle's frames map to their sources and original names, as a source map would.
  const sourceOf = (f: CallFrame) =>
    f.url.endsWith('ftrag.js')
      ? { source: '../src/checklist/state.ts', line: 60, name: 'decodeState' }
      : { source: f.url, line: f.lineNumber + 1 };

  it('sums self time by origin, without idle', () => {
    const summary = summarizeProfile(profile, sourceOf);
    expect(summary.totalMicros).toBe(10 + 20 + 30 + 5 + 7);
    expect(Object.fromEntries(summary.byOrigin)).toEqual({
      ftrag: 10,
      '@slack/bolt': 50,
      '(garbage collector)': 12,
    });
  });

  it('names functions by origin, name and their source line', () => {
    const { byFunction } = summarizeProfile(profile, sourceOf);
    expect(largest(byFunction, 2)).toEqual([
      ['@slack/bolt processEvent App.js:10', 50],
      ['(garbage collector) (garbage collector)', 12],
    ]);
    expect(byFunction.get('ftrag decodeState state.ts:60')).toBe(10);
  });
});

describe('describeFrame', () => {
  it('names a mapped frame by its original name and source', () => {
    const sourceOf = () => ({ source: '../src/views/text.ts', line: 7, name: 'escapeMrkdwn' });
    expect(describeFrame(frame('Ze', 'file:///repo/dist/ftrag.js', 3), sourceOf)).toEqual({
      origin: 'ftrag',
      name: 'ftrag escapeMrkdwn text.ts:7',
    });
  });

  it('names an unmapped frame by its own name, and native code without a place', () => {
    const unmapped = (f: CallFrame) => ({ source: f.url, line: f.lineNumber + 1 });
    expect(describeFrame(frame('parse', 'node:querystring', 316), unmapped).name).toBe(
      'node parse node:querystring:317',
    );
    expect(describeFrame(frame('', ''), unmapped).name).toBe('native (anonymous)');
  });
});
