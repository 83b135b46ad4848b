import { describe, expect, it } from 'vitest';
import { describeRoundRatios, roundRatios } from '../../bench/roundRatios.js';

describe('roundRatios', () => {
  it('divides round by round, not the means', () => {
    // Means: 2,600 / 3,200 = 0.8125; the rounds say one of them reached 0.9.
    const spread = roundRatios([2800, 2400], [2800, 3600], 0.9);
    expect(spread.ratios).toEqual([1, 2400 / 3600]);
    expect(spread.min).toBeCloseTo(0.6667, 4);
    expect(spread.max).toBe(1);
    expect(spread.reached).toBe(1);
  });

  it('counts a round exactly at the target as reached', () => {
    expect(roundRatios([900, 899], [1000, 1000], 0.9).reached).toBe(1);
  });

  it('refuses lists of different rounds, or none', () => {
    expect(() => roundRatios([1, 2], [1], 0.9)).toThrow(/same rounds/);
    expect(() => roundRatios([], [], 0.9)).toThrow(/same rounds/);
  });

  it('describes the spread for the targets table', () => {
    const spread = roundRatios([2799, 2904, 2489, 2475], [3801, 3838, 3634, 2593], 0.9);
    expect(describeRoundRatios(spread, 0.9)).toBe('rounds 0.685–0.954, 1 of 4 at 0.9 or above');
  });
});
