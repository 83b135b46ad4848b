import { describe, expect, it } from 'vitest';
import { runPurge } from '../../src/cli/purge.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: () => out.join(''),
    err: () => err.join(''),
    io: {
      stdin: process.stdin,
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => err.push(text),
      readFile: async () => '',
    },
  };
}

const noDatabase = () => {
  throw new Error('this purge must not look for a database');
};

describe('ftrag purge arguments', () => {
  it('refuses an Enterprise Grid org id: reviews are stored under the workspace id', async () => {
    const { io, out, err } = capture();
    expect(await runPurge(['--team', 'E0123456789'], io, noDatabase)).toBe(2);
    expect(out()).toBe('');
    expect(err()).toContain('E0123456789 is an Enterprise Grid organization id');
    expect(err()).toContain('workspace id (T…)');
  });

  it.each([[['--help']], [['-h']], [['--team', 'T0123456789', '--help']]])(
    '%j prints the usage and exits 0',
    async (args) => {
      const { io, out, err } = capture();
      expect(await runPurge(args, io, noDatabase)).toBe(0);
      expect(out()).toContain('usage: ftrag purge --team T0123456789');
      expect(err()).toBe('');
    },
  );
});
