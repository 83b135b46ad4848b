import { readFile } from 'node:fs/promises';
import { type CliIo, EXIT_USAGE, runDecide } from './decide.js';
import { runPreview } from './preview.js';
import { runPurge } from './purge.js';
import { runVisibility } from './visibility.js';

interface Subcommand {
  usage: string;
  summary: string;
  run: (args: string[], io: CliIo) => Promise<number>;
}

/** One entry per subcommand; adding one (preview, purge, ...) is adding a row. */
const SUBCOMMANDS: Record<string, Subcommand> = {
  decide: {
    usage: 'decide [--json | --markdown] FILE',
    summary: 'run the checklist answers in FILE (- for stdin) through the rules',
    run: runDecide,
  },
  preview: {
    usage: 'preview [--json]',
    summary:
      'print every modal step, the verdict message, its thread reply and the Home tab as Block Kit Builder links',
    run: runPreview,
  },
  purge: {
    usage: 'purge --team T…',
    summary: 'delete every review of one workspace from the database (DATABASE_URL)',
    run: (args, io) => runPurge(args, io),
  },
  visibility: {
    usage: 'visibility [--dry-run] [--team T…]',
    summary:
      'ask Slack whether the channels of reviews delivered before ftrag asked are public, for App Home (once, after upgrading)',
    run: (args, io) => runVisibility(args, io),
  },
};

function usage(): string {
  const width = Math.max(
    'COMMAND --help'.length,
    ...Object.values(SUBCOMMANDS).map((command) => command.usage.length),
  );
  const rows = Object.values(SUBCOMMANDS).map(
    (command) => `  ftrag ${command.usage.padEnd(width)}  ${command.summary}`,
  );
  return [
    'usage:',
    ...rows,
    `  ftrag ${'COMMAND --help'.padEnd(width)}  show one command's usage`,
    `  ftrag ${'help'.padEnd(width)}  show this message`,
    '',
  ].join('\n');
}

const HELP = new Set(['help', '--help', '-h']);

async function runCli(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || HELP.has(name)) {
    io.stdout(usage());
    return 0;
  }
  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`ftrag: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return EXIT_USAGE;
  }
  return command.run(rest, io);
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
  return message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim() || 'unexpected error';
}

async function main(): Promise<void> {
  // A closed pipe (ftrag ... | head) is the reader's choice, not a failure worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`ftrag: ${describeError(error)}\n`);
    process.exitCode = error.code === 'EPIPE' ? 0 : 1;
  });
  try {
    process.exitCode = await runCli(process.argv.slice(2), {
      stdin: process.stdin,
      stdout: (s) => {
        process.stdout.write(s);
      },
      stderr: (s) => {
        process.stderr.write(s);
      },
      readFile: (path) => readFile(path, 'utf8'),
    });
  } catch (error) {
    process.stderr.write(`ftrag: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}

await main();
