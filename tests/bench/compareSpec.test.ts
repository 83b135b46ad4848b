import { describe, expect, it } from 'vitest';
import {
  assertDistinctLabels,
  describePaired,
  pairedSummary,
  parseServerSpec,
} from '../../bench/compareSpec.js';

describe('parseServerSpec', () => {
  it('reads a label, a built bundle, environment and Node.js options', () => {
    expect(
      parseServerSpec('after=dist/ftrag.js,LOG_LEVEL=warn,node:--max-semi-space-size=32'),
    ).toEqual({
      label: 'after',
      entry: 'dist/ftrag.js',
      env: { LOG_LEVEL: 'warn' },
      nodeArgs: ['--max-semi-space-size=32'],
    });
  });

  it('keeps an = inside a value', () => {
    expect(parseServerSpec('pg=dist/ftrag.js,DATABASE_URL=postgres://x/test?a=b').env).toEqual({
      DATABASE_URL: 'postgres://x/test?a=b',
    });
  });

  it('takes bolt alone, or under a label, for the bare Bolt reference', () => {
    expect(parseServerSpec('bolt')).toEqual({
      label: 'bolt',
      entry: 'bolt',
      env: {},
      nodeArgs: [],
    });
    expect(parseServerSpec('bolt64=bolt,node:--max-semi-space-size=64')).toMatchObject({
      label: 'bolt64',
      entry: 'bolt',
      nodeArgs: ['--max-semi-space-size=64'],
    });
  });

  it.each([
    ['dist/ftrag.js', /label=entry/],
    ['=dist/ftrag.js', /label=entry/],
    ['a b=dist/ftrag.js', /label=entry/],
    ['a=', /label=entry/],
    ['a=src/index.ts', /built bundle/],
    ['a=dist/ftrag.js,log_level=warn', /KEY=value or node:--option/],
    ['a=dist/ftrag.js,--inspect', /KEY=value or node:--option/],
  ])('refuses %s', (arg, message) => {
    expect(() => parseServerSpec(arg)).toThrow(message);
  });
});

describe('assertDistinctLabels', () => {
  it('refuses two servers under one label', () => {
    const a = parseServerSpec('a=dist/ftrag.js');
    expect(() => assertDistinctLabels([a, parseServerSpec('b=dist/ftrag.js')])).not.toThrow();
    expect(() => assertDistinctLabels([a, a])).toThrow(/two servers are labelled a/);
  });
});

describe('pairedSummary', () => {
  it('takes the ratio pair by pair, so a drift both servers share cancels', () => {
    // The machine slows down over the run; the other server is 10 % cheaper in every pair.
    const reference = [300, 400, 500, 600];
    const other = reference.map((cpu) => cpu * 0.9);
    const summary = pairedSummary(other, reference);
    expect(summary.median).toBeCloseTo(0.9, 10);
    expect(summary.lower).toBeCloseTo(0.9, 10);
    expect(summary.upper).toBeCloseTo(0.9, 10);
    expect(summary).toMatchObject({ below: 4, pairs: 4 });
  });

  it('is not the ratio of the medians', () => {
    // Pair ratios 0.9, 1.1, 0.9; the medians' ratio would say 220 / 200 = 1.1.
    const summary = pairedSummary([90, 220, 360], [100, 200, 400]);
    expect(summary.median).toBeCloseTo(0.9, 10);
    expect(summary.below).toBe(2);
  });

  it('gives the quartiles and how many pairs came out below 1', () => {
    const summary = pairedSummary([80, 90, 100, 110, 120], [100, 100, 100, 100, 100]);
    expect(summary).toEqual({ median: 1, lower: 0.9, upper: 1.1, below: 2, pairs: 5 });
    expect(describePaired(summary)).toBe('1.000× (quartiles 0.900–1.100; below 1 in 2 of 5)');
  });

  it('refuses rounds that do not pair up', () => {
    expect(() => pairedSummary([1, 2, 3], [1, 2])).toThrow(/same rounds/);
  });
});
