/**
 * `npm run bench:instructions` — instructions per request, counted by valgrind's callgrind: ftrag
 * against bare Bolt on the same requests. Unlike CPU time, which moves by a tenth or more from run
 * to run on a shared VM, two processes of one build count within about 1 % of each other once V8
 * compiling and the collector are left out, so changes of 2 % show. Instructions are not time
 * (cache misses and mispredicted branches are not in them), so the throughput targets stay with
 * `npm run bench`. Not part of `npm test` or CI.
 *
 *   npm run bench:instructions                     step and slash, written to docs/benchmarks.md
 *   npm run bench:instructions -- --workloads=step --no-write
 *   npm run bench:instructions -- --warm=6000 --requests=1000   requests warming up, then counted
 *   npm run bench:instructions -- --workloads=step --no-write --by-function=40 --sort=I1mr
 *
 * Each server runs under valgrind (about 50 times slower), answers `--warm` requests so the JIT
 * has settled, then the counters are zeroed, `--requests` requests are sent and counted. What V8
 * still spends compiling, and the collector (whose major cycles fall in a window or not), is
 * reported apart: the count without them is the steady state's.
 *
 * `--by-function[=N]` also simulates the caches and branch prediction and prints, by function,
 * the N largest differences between ftrag and bare Bolt (in `--sort`'s event: Ir, I1mr, D1mr,
 * D1mw, Bcm…), JavaScript named through Node's `--perf-basic-prof` map and ftrag's bundle mapped
 * to its sources. Simulated misses are not the machine's, but they show where code is cold.
 *
 * Work that runs on a timer (ftrag's event-loop delay metric) runs 50 times as often per request
 * under valgrind, which counts against ftrag.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeSlack } from '../tests/support/fakeSlack.js';
import { repoRoot } from '../tests/support/paths.js';
import {
  type CallgrindCosts,
  costCategory,
  type NameOf,
  parseCallgrind,
  parseJsCodeName,
  parsePerfMap,
  perfMapLookup,
} from './callgrindCosts.js';
import { flagValue, positiveFlag, workloadsFlag } from './flags.js';
import { runLoad } from './load.js';
import { buildServers, builtEntry, FTRAG_ENTRY, launch, serverEnv } from './processes.js';
import { describeFrame, type SourceOf } from './profileSummary.js';
import { machineLine, writeSection } from './report.js';
import { log, runScript } from './script.js';
import { sourceMapper } from './sourceMaps.js';
import { buildWorkloads, type WorkloadName } from './workloads.js';

const SECRET = 'instructions-signing-secret-0123456789';
const CONNECTIONS = 10;
const READY_TIMEOUT_MS = 180_000;
/** What callgrind counts with its cache and branch simulation on. */
const SIMULATED_EVENTS = [
  'Ir',
  'Dr',
  'Dw',
  'I1mr',
  'D1mr',
  'D1mw',
  'ILmr',
  'DLmr',
  'DLmw',
  'Bc',
  'Bcm',
  'Bi',
  'Bim',
];
/** Not the machine's work: left out of the steady-state count. */
const WARMING_CATEGORIES = new Set(['V8 compiling', 'collector']);

interface Settings {
  workloads: WorkloadName[];
  warm: number;
  requests: number;
  write: boolean;
  /** Functions to list, or null for totals only. */
  byFunction: number | null;
  sortEvent: string;
}

function settingsFrom(argv: string[]): Settings {
  const byFunction = argv.includes('--by-function')
    ? 40
    : flagValue(argv, 'by-function') === undefined
      ? null
      : positiveFlag(argv, 'by-function', 40, true);
  // Checked before the run, which takes many minutes under valgrind.
  const sortEvent = flagValue(argv, 'sort') ?? 'Ir';
  if (!SIMULATED_EVENTS.includes(sortEvent)) {
    throw new Error(`--sort needs one of ${SIMULATED_EVENTS.join(', ')}`);
  }
  return {
    workloads: workloadsFlag(argv, 'workloads', ['step', 'slash']),
    warm: positiveFlag(argv, 'warm', 6000, true),
    requests: positiveFlag(argv, 'requests', 1000, true),
    write: !argv.includes('--no-write'),
    byFunction,
    sortEvent,
  };
}

function valgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

interface Target {
  name: string;
  entry: string;
  env: (dir: string) => Record<string, string>;
}

/** Costs per request, by function and by category. */
interface Counted {
  events: string[];
  byFunction: Map<string, number[]>;
  byCategory: Map<string, number[]>;
}

/**
 * Names generated code through the perf map, and ftrag's bundle through its source map, as
 * bench:profile names functions: "origin name file:line". The names it gave generated code go
 * into `generated`.
 */
function namer(perfMapText: string, sourceOf: SourceOf, generated: Set<string>): NameOf {
  const perfMap = parsePerfMap(perfMapText);
  const nameOfCode = (address: number): string => {
    const code = perfMapLookup(perfMap, address);
    if (code === undefined) return '(unnamed generated code)';
    const js = parseJsCodeName(code);
    if (!js) return code;
    if (js.url === '') return `(eval) ${js.functionName || '(anonymous)'} :${js.line}`;
    const frame = {
      functionName: js.functionName,
      url: js.url,
      lineNumber: js.line - 1,
      columnNumber: js.column - 1,
    };
    return describeFrame(frame, sourceOf).name;
  };
  return (fn, object, address) => {
    // Generated code lives in anonymous mappings, which callgrind calls ???.
    if (object !== '???') return fn;
    const name = nameOfCode(address);
    generated.add(name);
    return name;
  };
}

function perRequest(costs: CallgrindCosts, requests: number): Counted['byFunction'] {
  const out = new Map<string, number[]>();
  for (const [name, cost] of costs.costs) {
    out.set(
      name,
      cost.map((value) => value / requests),
    );
  }
  return out;
}

function byCategory(
  byFunction: Map<string, number[]>,
  generated: Set<string>,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [name, cost] of byFunction) {
    const category = costCategory(name, generated.has(name));
    const sum = out.get(category) ?? [];
    cost.forEach((value, index) => {
      sum[index] = (sum[index] ?? 0) + value;
    });
    out.set(category, sum);
  }
  return out;
}

async function count(
  target: Target,
  workloadName: WorkloadName,
  settings: Settings,
  work: string,
  baseEnv: Record<string, string>,
  sourceOf: SourceOf,
): Promise<Counted> {
  const dir = path.join(work, `${target.name.replaceAll(/\W+/g, '-')}-${workloadName}`);
  mkdirSync(dir);
  const server = await launch({
    name: target.name,
    entry: target.entry,
    env: { ...baseEnv, ...target.env(dir) },
    logFile: path.join(dir, 'server.log'),
    wrapper: [
      'valgrind',
      '--tool=callgrind',
      // V8 writes and rewrites its machine code at run time.
      '--smc-check=all-non-file',
      // Costs per instruction: generated code has no symbols, only addresses in the perf map.
      '--dump-instr=yes',
      ...(settings.byFunction === null ? [] : ['--cache-sim=yes', '--branch-sim=yes']),
      `--callgrind-out-file=${dir}/callgrind.%p`,
    ],
    // --perf-basic-prof also starts V8's log, which would land in the repository as isolate-*.log.
    nodeArgs: [
      '--perf-basic-prof',
      `--logfile=${path.join(dir, 'v8.log')}`,
      '--no-logfile-per-isolate',
    ],
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  const perfMapFile = `/tmp/perf-${server.pid}.map`;
  try {
    const workload = buildWorkloads()[workloadName];
    const load = (amount: number) =>
      runLoad(server.baseUrl, workload, SECRET, { connections: CONNECTIONS, amount });
    await load(settings.warm);
    const pid = String(server.pid);
    if (spawnSync('callgrind_control', ['--zero', pid]).status !== 0) {
      throw new Error('callgrind_control --zero failed');
    }
    const result = await load(settings.requests);
    if (result.errors > 0) throw new Error(`${target.name}: ${result.errors} errors`);
    if (spawnSync('callgrind_control', ['--dump', pid]).status !== 0) {
      throw new Error('callgrind_control --dump failed');
    }
    // The dump after zeroing is the first numbered part: callgrind.<pid>.1
    const dump = path.join(dir, `callgrind.${pid}.1`);
    if (!existsSync(dump)) throw new Error(`no callgrind dump for ${target.name} in ${dir}`);
    const perfMapText = existsSync(perfMapFile) ? readFileSync(perfMapFile, 'utf8') : '';
    const generated = new Set<string>();
    const costs = parseCallgrind(
      readFileSync(dump, 'utf8'),
      namer(perfMapText, sourceOf, generated),
    );
    const functions = perRequest(costs, result.requests);
    return {
      events: costs.events,
      byFunction: functions,
      byCategory: byCategory(functions, generated),
    };
  } finally {
    await server.stop(30_000);
    rmSync(perfMapFile, { force: true });
  }
}

const thousands = (value: number) => (value / 1000).toFixed(1);

function total(counted: Counted, event: string, skip?: Set<string>): number {
  const index = counted.events.indexOf(event);
  let sum = 0;
  for (const [category, cost] of counted.byCategory) {
    if (!skip?.has(category)) sum += cost[index] ?? 0;
  }
  return sum;
}

function printTotals(label: string, ftrag: Counted, bolt: Counted): void {
  log(`\n${label}: per request, ftrag / bare Bolt`);
  for (const event of ftrag.events) {
    const a = total(ftrag, event);
    const b = total(bolt, event);
    log(`  ${event.padEnd(5)} ${thousands(a)}k / ${thousands(b)}k  (${(a / b).toFixed(3)}×)`);
  }
  log('\n| Kind of work | ftrag, thousand Ir | bare Bolt, thousand Ir | difference |');
  log('| --- | ---: | ---: | ---: |');
  const ir = ftrag.events.indexOf('Ir');
  const irOf = (counted: Counted, category: string) => counted.byCategory.get(category)?.[ir] ?? 0;
  const categories = [...new Set([...ftrag.byCategory.keys(), ...bolt.byCategory.keys()])];
  for (const category of categories.sort((a, b) => irOf(ftrag, b) - irOf(ftrag, a))) {
    const a = irOf(ftrag, category);
    const b = irOf(bolt, category);
    log(`| ${category} | ${thousands(a)} | ${thousands(b)} | ${thousands(a - b)} |`);
  }
}

function printFunctions(ftrag: Counted, bolt: Counted, settings: Settings): void {
  const rows = settings.byFunction;
  if (rows === null) return;
  const shown = ['Ir', 'I1mr', 'D1mr', 'Bcm'].filter((event) => ftrag.events.includes(event));
  const of = (counted: Counted, name: string, event: string) =>
    counted.byFunction.get(name)?.[counted.events.indexOf(event)] ?? 0;
  const names = [...new Set([...ftrag.byFunction.keys(), ...bolt.byFunction.keys()])];
  const difference = (name: string) =>
    of(ftrag, name, settings.sortEvent) - of(bolt, name, settings.sortEvent);
  names.sort((a, b) => difference(b) - difference(a));
  log(
    `\nThe ${rows} functions where ftrag's ${settings.sortEvent} per request most exceeds bare Bolt's (ftrag, and the difference):`,
  );
  log(`\n| Function | ${shown.map((event) => `${event} | ± ${event}`).join(' | ')} |`);
  log(`| --- | ${shown.map(() => '---: | ---:').join(' | ')} |`);
  for (const name of names.slice(0, rows)) {
    const cells = shown.map((event) => {
      const a = of(ftrag, name, event);
      const delta = a - of(bolt, name, event);
      return `${a.toFixed(0)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(0)}`;
    });
    log(`| ${name.replaceAll('|', '\\|').slice(0, 110)} | ${cells.join(' | ')} |`);
  }
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2));
  if (!valgrindAvailable()) throw new Error('needs valgrind (Debian package valgrind)');
  buildServers();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ftrag-instructions-'));
  const fake = await startFakeSlack({ lightweight: true });
  const baseEnv = serverEnv(fake, SECRET);
  const sourceOf = sourceMapper();
  const ftragTarget: Target = {
    name: 'ftrag (SQLite)',
    entry: FTRAG_ENTRY,
    env: (dir) => ({ DATABASE_URL: `sqlite:${path.join(dir, 'ftrag.db')}` }),
  };
  const boltTarget: Target = {
    name: 'bare Bolt',
    entry: builtEntry('bench/bareBolt.ts'),
    env: () => ({}),
  };
  const labels = buildWorkloads();
  const rows: string[] = [];
  try {
    for (const workloadName of settings.workloads) {
      const [ftrag, bolt] = [
        await count(ftragTarget, workloadName, settings, work, baseEnv, sourceOf),
        await count(boltTarget, workloadName, settings, work, baseEnv, sourceOf),
      ];
      const label = labels[workloadName].label;
      printTotals(label, ftrag, bolt);
      printFunctions(ftrag, bolt, settings);
      const all = [total(ftrag, 'Ir'), total(bolt, 'Ir')] as const;
      const steady = [
        total(ftrag, 'Ir', WARMING_CATEGORIES),
        total(bolt, 'Ir', WARMING_CATEGORIES),
      ] as const;
      rows.push(
        `| ${label} | ${(all[0] / 1000).toFixed(0)} | ${(all[1] / 1000).toFixed(0)} | ${(all[0] / all[1]).toFixed(3)}× | ${(steady[0] / 1000).toFixed(0)} / ${(steady[1] / 1000).toFixed(0)} = ${(steady[0] / steady[1]).toFixed(3)}× |`,
      );
    }
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
  const markdown = [
    '## Instructions per request (callgrind)',
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench:instructions\`: each server under valgrind's callgrind, ${settings.warm} requests to warm up, then ${settings.requests} counted (${CONNECTIONS} connections). Instructions, not time (cache misses and mispredicted branches are not in them). The last column leaves out V8 compiling and the collector, which depend on where the counted window falls (a major collection in it or not): what is left is the steady state's work, and two processes of one build count it within about 1 % of each other.`,
    '',
    `- ${machineLine()}`,
    '',
    '| Workload | ftrag (SQLite), thousand instructions | bare Bolt, thousand instructions | ftrag ÷ bare Bolt | without compiling and the collector, ftrag / bare Bolt |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  log(`\n${markdown}`);
  if (settings.write) {
    writeSection(path.join(repoRoot, 'docs', 'benchmarks.md'), 'instructions', markdown);
    log('written to docs/benchmarks.md');
  }
}

await runScript('bench:instructions', main);
