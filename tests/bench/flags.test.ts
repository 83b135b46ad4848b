import { describe, expect, it } from 'vitest';
import { flagValue, positiveFlag, workloadFlag, workloadsFlag } from '../../bench/flags.js';

describe('benchmark flags', () => {
  it('reads --name=value, and nothing from a flag that only starts the same', () => {
    const argv = ['--duration=2.5', '--pairs-extra=9', 'a=dist/ftrag.js'];
    expect(flagValue(argv, 'duration')).toBe('2.5');
    expect(flagValue(argv, 'pairs')).toBeUndefined();
  });

  it('takes positive numbers, whole ones where the flag counts something', () => {
    expect(positiveFlag(['--duration=2.5'], 'duration', 5)).toBe(2.5);
    expect(positiveFlag([], 'duration', 5)).toBe(5);
    expect(positiveFlag(['--pairs=12'], 'pairs', 16, true)).toBe(12);
    expect(() => positiveFlag(['--pairs=1.5'], 'pairs', 16, true)).toThrow(
      '--pairs needs a positive whole number',
    );
    for (const bad of ['0', '-3', 'x', '']) {
      expect(() => positiveFlag([`--duration=${bad}`], 'duration', 5)).toThrow(
        '--duration needs a positive number',
      );
    }
  });

  it('takes the workloads the benchmarks know', () => {
    expect(workloadsFlag(['--workloads=final,step'], 'workloads', ['step'])).toEqual([
      'final',
      'step',
    ]);
    expect(workloadsFlag([], 'workloads', ['step', 'slash'])).toEqual(['step', 'slash']);
    expect(() => workloadsFlag(['--workloads=step,nope'], 'workloads', [])).toThrow(
      /--workloads: no workload nope \(slash, step, final/,
    );
    expect(workloadFlag(['--workload=final'], 'workload', 'step')).toBe('final');
    expect(workloadFlag([], 'workload', 'step')).toBe('step');
    expect(() => workloadFlag(['--workload=step,final'], 'workload', 'step')).toThrow(
      '--workload takes one workload',
    );
  });
});
