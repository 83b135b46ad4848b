import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTs } from '../support/runTs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = join(root, 'src/cli/main.ts');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI the way npm run ftrag does: node with the tsx loader. */
function cli(args: string[], stdin?: string): Promise<Result> {
  return runTs(main, args, { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdin });
}

const refund = {
  title: 'What does our refund policy say?',
  promptTried: 'still-unreliable',
  gap: 'knowledge',
  knowledge: { changesOften: true, citationsNeeded: true },
};

let dir = '';
let validFile = '';
let invalidFile = '';
let badJsonFile = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftrag-cli-'));
  validFile = join(dir, 'refund.json');
  invalidFile = join(dir, 'invalid.json');
  badJsonFile = join(dir, 'bad.json');
  await writeFile(validFile, JSON.stringify(refund));
  await writeFile(
    invalidFile,
    JSON.stringify({
      ...refund,
      gap: 'behavior',
      behavior: { labeledExamples: -1, trainingBudget: true },
    }),
  );
  await writeFile(badJsonFile, '{ "title": "unfinished"');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectNoTrace(result: Result): void {
  expect(result.stderr).not.toContain('    at ');
}

describe('the ftrag CLI, spawned', () => {
  it('decide FILE prints readable text and exits 0', async () => {
    const result = await cli(['decide', validFile]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Verdict: RAG');
  });

  it.each([
    ['before', (file: string) => ['decide', '--json', file]],
    ['after', (file: string) => ['decide', file, '--json']],
  ])('--json %s FILE prints the verdict object', async (_where, args) => {
    const result = await cli(args(validFile));
    expect(result.code).toBe(0);
    const decision = JSON.parse(result.stdout) as { verdict: string; rulesVersion: string };
    expect(decision.verdict).toBe('rag');
    expect(decision.rulesVersion).toMatch(/^\d{4}-/);
  });

  it('--markdown prints the decision record', async () => {
    const result = await cli(['decide', '--markdown', validFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# What does our refund policy say\?\n/);
    expect(result.stdout).toContain('## Considered options');
  });

  it('decide - reads stdin', async () => {
    const result = await cli(['decide', '-', '--json'], JSON.stringify(refund));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ verdict: 'rag' });
  });

  it('an invalid field: exit 2, empty stdout, the field path on stderr', async () => {
    const result = await cli(['decide', invalidFile]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('behavior.labeledExamples: expected a whole number ≥ 0\n');
  });

  it('a missing file: exit 2, one line, no stack trace', async () => {
    const result = await cli(['decide', join(dir, 'missing.json')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('cannot read');
    expectNoTrace(result);
  });

  it('bad JSON: exit 2, one line, no stack trace', async () => {
    const result = await cli(['decide', badJsonFile]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/is not valid JSON/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expectNoTrace(result);
  });

  it('a directory instead of a file: exit 2, no stack trace', async () => {
    const result = await cli(['decide', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a directory');
    expectNoTrace(result);
  });

  it('help and no arguments print usage and exit 0', async () => {
    for (const args of [[], ['help']]) {
      const result = await cli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('ftrag decide');
    }
  });

  it('help lists every subcommand, and each prints its usage for --help and -h', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    const commands = ['decide', 'preview', 'purge', 'visibility'];
    for (const command of commands) expect(help.stdout).toContain(`ftrag ${command} `);
    const results = await Promise.all(
      commands.flatMap((command) => ['--help', '-h'].map((flag) => cli([command, flag]))),
    );
    for (const [index, result] of results.entries()) {
      const command = commands[Math.floor(index / 2)];
      expect({ command, ...result }).toMatchObject({ command, code: 0, stderr: '' });
      expect(result.stdout).toContain(`usage: ftrag ${command}`);
    }
  });

  it('an unknown subcommand prints usage on stderr and exits 2', async () => {
    const result = await cli(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('unknown command "deploy"');
    expect(result.stderr).toContain('usage:');
  });

  it('decide without FILE prints a usage line and exits 2', async () => {
    const result = await cli(['decide']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: ftrag decide');
    expectNoTrace(result);
  });
});
