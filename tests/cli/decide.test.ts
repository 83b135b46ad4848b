import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CliIo, DECIDE_USAGE, formatIssuePath, runDecide } from '../../src/cli/decide.js';
import { type AnswersInput, PROMPT_TRIED_OPTIONS } from '../../src/decision/answers.js';
import { decide } from '../../src/decision/engine.js';
import { renderDecisionRecord } from '../../src/decision/render.js';
import {
  answersLikeArb,
  answersWithRepeatsArb,
  parseAnswers,
  slackChecklistAnswers,
  validAnswersInputArb,
} from '../decision/arbitraries.js';

const refund = {
  title: 'What does our refund policy say?',
  promptTried: 'still-unreliable',
  gap: 'knowledge',
  knowledge: { changesOften: true, citationsNeeded: true },
} satisfies AnswersInput;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], files: Record<string, string> = {}, stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    readFile: async (path) => {
      const content = files[path];
      if (content === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
        });
      }
      return content;
    },
  };
  const code = await runDecide(args, io);
  return { code, stdout, stderr };
}

const files = { 'refund.json': JSON.stringify(refund) };

describe('runDecide output formats', () => {
  it('prints readable text by default', async () => {
    const result = await run(['refund.json'], files);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Verdict: RAG');
    expect(result.stdout.startsWith(`${refund.title}\n`)).toBe(true);
  });

  it.each([[['--json', 'refund.json']], [['refund.json', '--json']]])(
    'prints exactly the verdict object with %j',
    async (args) => {
      const result = await run(args, files);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${JSON.stringify(decide(parseAnswers(refund)), null, 2)}\n`);
    },
  );

  it.each([[['--markdown', 'refund.json']], [['refund.json', '--markdown']]])(
    'prints the decision record with %j',
    async (args) => {
      const result = await run(args, files);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^# What does our refund policy say\?\n/);
      expect(result.stdout).toContain('- **RAG** (chosen)');
    },
  );

  it('reads stdin for -', async () => {
    const result = await run(['-', '--json'], {}, JSON.stringify(refund));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ verdict: 'rag' });
  });

  it('accepts a byte-order mark', async () => {
    const result = await run(['bom.json'], { 'bom.json': `\uFEFF${JSON.stringify(refund)}` });
    expect(result.code).toBe(0);
  });

  it('prints usage for --help', async () => {
    const result = await run(['--help']);
    expect(result).toEqual({ code: 0, stdout: `${DECIDE_USAGE}\n`, stderr: '' });
  });
});

describe('runDecide with knowledge.fitsInPrompt', () => {
  const offices = {
    title: 'Our 12 office addresses',
    promptTried: 'not-yet',
    gap: 'knowledge',
    knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: true },
  } satisfies AnswersInput;

  it('puts a few pages of stable facts in the prompt, and records the answer', async () => {
    const text = await run(['in.json'], { 'in.json': JSON.stringify(offices) });
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain('Verdict: Prompt');
    expect(text.stdout).toContain('  - Facts fit in the prompt: yes');
    const markdown = await run(['--markdown', 'in.json'], { 'in.json': JSON.stringify(offices) });
    expect(markdown.stdout).toContain('- Facts fit in the prompt: yes\n');
    expect(markdown.stdout).toContain('- **Prompt** (chosen)');
  });

  it('sets the prompt against RAG in the trade-offs, and keeps the facts in it once a prompt fell short', async () => {
    const input = JSON.stringify({ ...offices, promptTried: 'still-unreliable' });
    const text = await run(['in.json'], { 'in.json': input });
    expect(text.stdout).toContain('Verdict: Prompt');
    expect(text.stdout).toContain(
      '  Update a fact\n    Prompt:      Edit the facts in the prompt; live with the next prompt version\n    RAG:         Edit the source; live at once\n',
    );
    expect(text.stdout).not.toContain('Fine-tuning:');
    const markdown = await run(['--markdown', 'in.json'], { 'in.json': input });
    expect(markdown.stdout).toContain('| Aspect | Prompt | RAG |\n');
  });

  it('decides as before without it: input written for earlier versions still works', async () => {
    const { fitsInPrompt: _left, ...notAsked } = offices.knowledge;
    const input = JSON.stringify({ ...offices, knowledge: notAsked });
    const result = await run(['--markdown', 'in.json'], { 'in.json': input });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('- **RAG** (chosen)');
    expect(result.stdout).not.toContain('Facts fit in the prompt');
  });
});

describe('runDecide with restrictedData', () => {
  const triage = {
    title: 'Ticket triage on customer tickets',
    promptTried: 'scored-falls-short',
    gap: 'behavior',
    behavior: { kinds: ['classification'], labeledExamples: 500, trainingBudget: true },
  } satisfies AnswersInput;

  it('warns a fine-tune that weights keep no access control, and records the answer', async () => {
    const input = JSON.stringify({ ...triage, restrictedData: true });
    const text = await run(['in.json'], { 'in.json': input });
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain('Verdict: Fine-tune\n');
    expect(text.stdout).toContain('  ! No access control in weights: ');
    expect(text.stdout).toContain('Choose what to tune: where the data must stay in-house');
    const markdown = await run(['--markdown', 'in.json'], { 'in.json': input });
    expect(markdown.stdout).toContain(
      '- Restricted data: yes (personal or customer data, or per-user access)\n',
    );
  });

  it('decides as before without it, and names the field when it is not true or false', async () => {
    const without = await run(['--json', 'in.json'], { 'in.json': JSON.stringify(triage) });
    const saidNo = await run(['--json', 'in.json'], {
      'in.json': JSON.stringify({ ...triage, restrictedData: false }),
    });
    expect(saidNo.stdout).toBe(without.stdout);
    expect(without.stdout).not.toContain('access control');
    const wrong = await run(['in.json'], {
      'in.json': JSON.stringify({ ...triage, restrictedData: 'yes' }),
    });
    expect(wrong).toEqual({
      code: 2,
      stdout: '',
      stderr: 'restrictedData: expected true or false\n',
    });
  });
});

describe('runDecide on whether the prompt was scored', () => {
  const tone = (promptTried: string, labeledExamples: number) =>
    JSON.stringify({
      title: 'House voice',
      promptTried,
      gap: 'behavior',
      behavior: { kinds: ['tone'], labeledExamples, trainingBudget: true },
    });

  it('an older "still unreliable", never said to be scored, gets no fine-tune and is told to score it', async () => {
    const result = await run(['in.json'], { 'in.json': tone('still-unreliable', 60) });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Verdict: Prompt\n');
    expect(result.stdout).toContain('  - Prompt: yes, still unreliable, scoring not asked. ');
    expect(result.stdout).toContain('  ! Score it first: ');
    expect(result.stdout).not.toMatch(/\bmeasured\b|The eval says/);
  });

  it('a prompt scored short fine-tunes, warned when the examples leave no held-out set', async () => {
    const result = await run(['in.json'], { 'in.json': tone('scored-falls-short', 60) });
    expect(result.stdout).toContain('Verdict: Fine-tune\n');
    expect(result.stdout).toContain('  ! No room for a held-out set: 60 labeled examples meet');
  });

  it('ships examples that give the prompt answers the checklist offers today', async () => {
    const dir = fileURLToPath(new URL('../../examples/', import.meta.url));
    const names = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const input = JSON.parse(readFileSync(`${dir}${name}`, 'utf8'));
      expect(PROMPT_TRIED_OPTIONS, name).toContain(input.promptTried);
      const result = await run(['in.json'], { 'in.json': JSON.stringify(input) });
      expect(result.code, name).toBe(0);
    }
  });
});

describe('runDecide records what the Slack checklist would', () => {
  const stray = {
    title: 'Strict JSON replies',
    promptTried: 'not-yet',
    gap: 'behavior',
    knowledge: { changesOften: true, citationsNeeded: true },
    behavior: { kinds: ['format', 'format'], labeledExamples: 3, trainingBudget: true },
  };

  it('drops answers the gap does not ask for and lists each behavior kind once', async () => {
    const markdown = await run(['--markdown', 'in.json'], { 'in.json': JSON.stringify(stray) });
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('- Behavior kinds: format\n');
    expect(markdown.stdout).not.toMatch(/Knowledge changes often|Citations needed/);
    const text = await run(['in.json'], { 'in.json': JSON.stringify(stray) });
    expect(text.stdout).toContain('Behavior kinds: format. ');
  });

  it('names the gap by its checklist label', async () => {
    const unsure = { title: 'Undiagnosed', promptTried: 'not-yet', gap: 'unsure' };
    const result = await run(['--markdown', 'in.json'], { 'in.json': JSON.stringify(unsure) });
    expect(result.stdout).toContain('- Gap: Not sure yet\n');
  });

  it('gives the record the Slack checklist would, for any answers', async () => {
    await fc.assert(
      fc.asyncProperty(answersWithRepeatsArb, async (value) => {
        const result = await run(['-', '--markdown'], {}, JSON.stringify(value));
        const slackAnswers = slackChecklistAnswers(value);
        expect(result.stdout).toBe(renderDecisionRecord(slackAnswers, decide(slackAnswers)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('runDecide with bad usage', () => {
  it.each([
    [[], 'missing FILE'],
    [['--yaml', 'refund.json'], 'unknown option --yaml'],
    [['-j', 'refund.json'], 'unknown option -j'],
    [['a.json', 'b.json'], 'expected one FILE, got 2'],
    [['--json', '--markdown', 'refund.json'], 'choose one of --json and --markdown'],
  ])('%j: exit 2 with the reason and a usage line', async (args, reason) => {
    const result = await run(args, files);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`ftrag decide: ${reason}\n${DECIDE_USAGE}\n`);
  });

  it('treats everything after -- as the file name', async () => {
    const result = await run(['--', '--json'], { '--json': JSON.stringify(refund) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Verdict: RAG');
  });
});

describe('runDecide with bad input', () => {
  it('names a missing file in one line', async () => {
    const result = await run(['nope.json']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ftrag decide: cannot read nope.json: no such file\n',
    });
  });

  it('reports bad JSON in one line', async () => {
    const result = await run(['bad.json'], { 'bad.json': '{"title": ' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ftrag decide: bad\.json is not valid JSON \(.+\)\n$/);
  });

  it('reports empty stdin as bad JSON', async () => {
    const result = await run(['-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ftrag decide: stdin is not valid JSON/);
  });

  it.each([
    [
      { ...refund, gap: 'behavior', behavior: { labeledExamples: -3, trainingBudget: true } },
      ['behavior.labeledExamples: expected a whole number ≥ 0'],
    ],
    [
      { ...refund, gap: 'behavior', behavior: { labeledExamples: 2.5, trainingBudget: 'yes' } },
      [
        'behavior.labeledExamples: expected a whole number ≥ 0',
        'behavior.trainingBudget: expected true or false',
      ],
    ],
    [
      {
        ...refund,
        gap: 'behavior',
        behavior: { kinds: ['format', 'vibe'], labeledExamples: 1, trainingBudget: true },
      },
      ['behavior.kinds[1]: expected one of format, tone, classification, skill'],
    ],
    [
      { ...refund, knowledge: undefined },
      [
        'knowledge: required when gap is knowledge: expected { changesOften, citationsNeeded, fitsInPrompt? }',
      ],
    ],
    [
      { ...refund, knowledge: { ...refund.knowledge, fitsInPrompt: 'a few pages' } },
      ['knowledge.fitsInPrompt: expected true or false'],
    ],
    [
      { ...refund, title: 'x'.repeat(151), gap: 'guess' },
      [
        'title: expected text of 1–150 characters',
        'gap: expected one of knowledge, behavior, both, neither, unsure',
      ],
    ],
    [[refund], ['(root): expected an object with the checklist answers, got an array']],
    [null, ['(root): expected an object with the checklist answers, got null']],
    ['refund', ['(root): expected an object with the checklist answers, got text']],
  ])('%j: exit 2, nothing on stdout, one line per problem', async (input, lines) => {
    const result = await run(['in.json', '--json'], { 'in.json': JSON.stringify(input) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(lines.map((line) => `${line}\n`).join(''));
  });

  it('ignores unknown keys', async () => {
    const result = await run(['in.json'], {
      'in.json': JSON.stringify({
        ...refund,
        owner: 'ada',
        knowledge: { ...refund.knowledge, x: 1 },
      }),
    });
    expect(result.code).toBe(0);
  });

  it('formats issue paths the way people write them', () => {
    expect(formatIssuePath([])).toBe('(root)');
    expect(formatIssuePath(['behavior', 'kinds', 2])).toBe('behavior.kinds[2]');
  });
});

describe('runDecide never crashes', () => {
  const noTrace = (result: Run) => {
    expect(result.stderr).not.toContain('    at ');
    expect([0, 2]).toContain(result.code);
    if (result.code === 0) {
      expect(result.stdout.length).toBeGreaterThan(0);
      expect(result.stderr).toBe('');
    } else {
      expect(result.stdout).toBe('');
      expect(result.stderr.length).toBeGreaterThan(0);
      expect(result.stderr.endsWith('\n')).toBe(true);
    }
  };

  it('on arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue(),
        fc.constantFrom([], ['--json'], ['--markdown']),
        async (value, flags) => {
          noTrace(await run(['in.json', ...flags], { 'in.json': JSON.stringify(value) }));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on answer-shaped JSON that may be wrong anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(answersLikeArb, async (value) => {
        noTrace(await run(['in.json', '--json'], { 'in.json': JSON.stringify(value) }));
      }),
      { numRuns: 300 },
    );
  });

  it('on arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (text) => {
        noTrace(await run(['-'], {}, text));
      }),
      { numRuns: 100 },
    );
  });

  it('and succeeds on every valid input', async () => {
    await fc.assert(
      fc.asyncProperty(validAnswersInputArb, async (value) => {
        const result = await run(['-', '--json'], {}, JSON.stringify(value));
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual(decide(parseAnswers(value)));
      }),
      { numRuns: 100 },
    );
  });
});
