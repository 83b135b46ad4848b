import type { z } from 'zod';
import { answersSchema, normalizeAnswers } from '../decision/answers.js';
import { decide } from '../decision/engine.js';
import { renderDecisionRecord, renderText } from '../decision/render.js';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (path: string) => Promise<string>;
}

export const DECIDE_USAGE = 'usage: ftrag decide [--json | --markdown] FILE  (FILE - reads stdin)';

/** Exit code for bad usage or bad input, as opposed to 1 for the tool's own failures. */
export const EXIT_USAGE = 2;

type OutputFormat = 'text' | 'json' | 'markdown';

type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'run'; file: string; format: OutputFormat }
  | { kind: 'error'; message: string };

const FORMAT_FLAGS: Record<string, OutputFormat> = {
  '--json': 'json',
  '--markdown': 'markdown',
};

function parseArgs(args: string[]): ParsedArgs {
  const files: string[] = [];
  const formats = new Set<OutputFormat>();
  let optionsEnded = false;
  for (const arg of args) {
    if (optionsEnded || arg === '-' || !arg.startsWith('-')) {
      files.push(arg);
    } else if (arg === '--') {
      optionsEnded = true;
    } else if (arg === '--help' || arg === '-h') {
      return { kind: 'help' };
    } else {
      const format = FORMAT_FLAGS[arg];
      if (!format) return { kind: 'error', message: `unknown option ${arg}` };
      formats.add(format);
    }
  }
  if (formats.size > 1) return { kind: 'error', message: 'choose one of --json and --markdown' };
  const [file, ...extra] = files;
  if (file === undefined) return { kind: 'error', message: 'missing FILE' };
  if (extra.length > 0) return { kind: 'error', message: `expected one FILE, got ${files.length}` };
  const [format = 'text'] = formats;
  return { kind: 'run', file, format };
}

/** One line, whatever the text: file names and error messages can carry newlines. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
};

function describeReadError(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return (code && READ_ERRORS[code]) ?? error.message;
  }
  return String(error);
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

/** A zod issue path as people write it: behavior.kinds[1]. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One line per problem, each naming the field and what was expected. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines = issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    if (issue.path.length === 0 && issue.code === 'invalid_type') {
      return `${path}: expected an object with the checklist answers, got ${describeValue(input)}`;
    }
    return `${path}: ${oneLine(issue.message)}`;
  });
  return [...new Set(lines)];
}

export async function runDecide(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed.kind === 'help') {
    io.stdout(`${DECIDE_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.stderr(`ftrag decide: ${oneLine(parsed.message)}\n${DECIDE_USAGE}\n`);
    return EXIT_USAGE;
  }

  const { file, format } = parsed;
  const name = file === '-' ? 'stdin' : oneLine(file);
  let raw: string;
  try {
    raw = file === '-' ? await readStream(io.stdin) : await io.readFile(file);
  } catch (error) {
    io.stderr(`ftrag decide: cannot read ${name}: ${oneLine(describeReadError(error))}\n`);
    return EXIT_USAGE;
  }

  let input: unknown;
  try {
    input = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch (error) {
    const reason = error instanceof Error ? oneLine(error.message) : 'parse error';
    io.stderr(`ftrag decide: ${name} is not valid JSON (${reason})\n`);
    return EXIT_USAGE;
  }

  const result = answersSchema.safeParse(input);
  if (!result.success) {
    io.stderr(
      formatIssues(result.error.issues, input)
        .map((line) => `${line}\n`)
        .join(''),
    );
    return EXIT_USAGE;
  }

  const answers = normalizeAnswers(result.data);
  const decision = decide(answers);
  if (format === 'json') io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
  else if (format === 'markdown') io.stdout(renderDecisionRecord(answers, decision));
  else io.stdout(renderText(answers, decision));
  return 0;
}
