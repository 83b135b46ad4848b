/**
 * `npm run bench:instructions` — instructions per request, counted by valgrind's callgrind: ftrag
 * against bare Bolt on the same requests. Unlike CPU time, which moves by a tenth or more from run
 * to run on a shared VM, two processes of one build count within 0.01 % of each other, so changes
 * of 1–2 % show. Instructions are not time (cache misses and the collector's memory traffic are not in
 * them), so the throughput targets stay with `npm run bench`. Not part of `npm test` or CI.
 *
 *   npm run bench:instructions                                step and slash, written to docs/benchmarks.md
 *   npm run bench:instructions -- --workloads=step --no-write
 *   npm run bench:instructions -- --warm=1000 --requests=600  requests warming up, then counted
 *
 * Each server runs under valgrind (about 50 times slower), answers `--warm` requests so the
 * JIT has settled, then the counters are zeroed, `--requests` requests are sent and counted.
 * Work that runs on a timer (ftrag's event-loop delay metric) runs 50 times as often per request
 * under valgrind, which counts against ftrag.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeSlack } from '../tests/support/fakeSlack.js';
import { repoRoot } from '../tests/support/paths.js';
import { positiveFlag, workloadsFlag } from './flags.js';
import { runLoad } from './load.js';
import { buildServers, builtEntry, FTRAG_ENTRY, launch, serverEnv } from './processes.js';
import { machineLine, writeSection } from './report.js';
import { buildWorkloads, type WorkloadName } from './workloads.js';

const SECRET = 'instructions-signing-secret-0123456789';
const CONNECTIONS = 10;
const READY_TIMEOUT_MS = 180_000;

interface Settings {
  workloads: WorkloadName[];
  warm: number;
  requests: number;
  write: boolean;
}

function settingsFrom(argv: string[]): Settings {
  return {
    workloads: workloadsFlag(argv, 'workloads', ['step', 'slash']),
    warm: positiveFlag(argv, 'warm', 1000, true),
    requests: positiveFlag(argv, 'requests', 600, true),
    write: !argv.includes('--no-write'),
  };
}

function valgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** The total of a callgrind dump (`summary:` or `totals:` line). */
function dumpTotal(file: string): number | null {
  const match = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(file, 'utf8'));
  return match?.[1] ? Number(match[1]) : null;
}

interface Target {
  name: string;
  entry: string;
  env: (dir: string) => Record<string, string>;
}

async function count(
  target: Target,
  workloadName: WorkloadName,
  settings: Settings,
  work: string,
  baseEnv: Record<string, string>,
): Promise<{ requests: number; errors: number; perRequest: number }> {
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
      `--callgrind-out-file=${dir}/callgrind.%p`,
    ],
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
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
    if (spawnSync('callgrind_control', ['--dump', pid]).status !== 0) {
      throw new Error('callgrind_control --dump failed');
    }
    // The dump after zeroing is the first numbered part: callgrind.<pid>.1
    const dump = path.join(dir, `callgrind.${pid}.1`);
    const total = existsSync(dump) ? dumpTotal(dump) : null;
    if (total === null) throw new Error(`no callgrind dump for ${target.name} in ${dir}`);
    return {
      requests: result.requests,
      errors: result.errors,
      perRequest: total / result.requests,
    };
  } finally {
    await server.stop(30_000);
  }
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2));
  if (!valgrindAvailable()) {
    process.stderr.write('bench:instructions needs valgrind (Debian package valgrind)\n');
    process.exit(1);
  }
  buildServers();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ftrag-instructions-'));
  const fake = await startFakeSlack({ lightweight: true });
  const baseEnv = serverEnv(fake, SECRET);
  const targets: Target[] = [
    {
      name: 'ftrag (SQLite)',
      entry: FTRAG_ENTRY,
      env: (dir) => ({ DATABASE_URL: `sqlite:${path.join(dir, 'ftrag.db')}` }),
    },
    { name: 'bare Bolt', entry: builtEntry('bench/bareBolt.ts'), env: () => ({}) },
  ];
  const labels = buildWorkloads();
  const rows: string[] = [];
  try {
    for (const workloadName of settings.workloads) {
      const counted = new Map<string, number>();
      for (const target of targets) {
        const result = await count(target, workloadName, settings, work, baseEnv);
        if (result.errors > 0) throw new Error(`${target.name}: ${result.errors} errors`);
        counted.set(target.name, result.perRequest);
        process.stdout.write(
          `${labels[workloadName].label}, ${target.name}: ${(result.perRequest / 1000).toFixed(1)} thousand instructions per request\n`,
        );
      }
      const ftrag = counted.get('ftrag (SQLite)') ?? 0;
      const bolt = counted.get('bare Bolt') ?? 0;
      rows.push(
        `| ${labels[workloadName].label} | ${(ftrag / 1000).toFixed(0)} | ${(bolt / 1000).toFixed(0)} | ${(ftrag / bolt).toFixed(3)}× |`,
      );
    }
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
  const markdown = [
    '## Instructions per request (callgrind)',
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench:instructions\`: each server under valgrind's callgrind, ${settings.warm} requests to warm up, then ${settings.requests} counted (${CONNECTIONS} connections). Two processes of one build counted within 0.01 % of each other; instructions, not time (cache misses and the collector's memory traffic are not in them).`,
    '',
    `- ${machineLine()}`,
    '',
    '| Workload | ftrag (SQLite), thousand instructions | bare Bolt, thousand instructions | ftrag ÷ bare Bolt |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  if (settings.write) {
    writeSection(path.join(repoRoot, 'docs', 'benchmarks.md'), 'instructions', markdown);
    process.stdout.write('written to docs/benchmarks.md\n');
  }
}

await main();
