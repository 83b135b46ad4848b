/**
 * `npm run bench:compare` — two or more builds (or ftrag and bare Bolt) under one workload, in
 * short rounds that take turns, each ratio taken pair by pair. On a shared VM a server's CPU per
 * request drifts by a fifth over minutes, far more than most changes are worth; within a pair of
 * rounds seconds apart it mostly cancels. For judging a change, not for the targets (`npm run
 * bench` reports those). Prints; writes nothing.
 *
 *   npm run build && mkdir -p .bench/before && cp dist/ftrag.js* .bench/before/
 *   (change something)
 *   npm run bench:compare -- before=.bench/before/ftrag.js after=dist/ftrag.js bolt
 *   npm run bench:compare -- --workload=final --pairs=10 a=dist/ftrag.js b=dist/ftrag.js,LOG_LEVEL=warn
 *
 * A server is `label=entry[,KEY=value|node:--option]…`, or `bolt` for the bare Bolt reference;
 * the first is the one the others are compared with. Copies of a bundle must stay inside the
 * repository (`.bench/` is ignored by git): the bundle loads Bolt and the drivers from
 * node_modules. Flags: --workload=step|slash|final|session|mixed (step), --pairs=N (16),
 * --duration=S seconds a round (2), --connections=N (50), --first=slash,… (none) and
 * --first-seconds=S (20): other workloads each server runs, unmeasured, before its rounds (the full
 * run measures steps in processes that have answered slash commands). Builds first, as `npm run
 * bench` does.
 *
 * Two processes of one build differ too (a process keeps its heap and its code's layout): name
 * the same build twice (`a=dist/ftrag.js a2=dist/ftrag.js`) to see the noise floor. On the ninth
 * session's VM it was about ±5 % by the paired median (docs/benchmarks.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeSlack } from '../tests/support/fakeSlack.js';
import {
  assertDistinctLabels,
  BARE_BOLT,
  describePaired,
  pairedSummary,
  parseServerSpec,
  type ServerSpec,
} from './compareSpec.js';
import { positiveFlag, workloadFlag, workloadsFlag } from './flags.js';
import { cpuMicrosPerRequest, median, runLoadAndSettle } from './load.js';
import { buildServers, builtEntry, launch, type Server, serverEnv } from './processes.js';
import { roundOrder } from './roundOrder.js';
import { log, runScript } from './script.js';
import { buildWorkloads, type WorkloadName } from './workloads.js';

const SECRET = 'compare-signing-secret-0123456789abcdef';
const WARM_SECONDS = 3;
/** Unmeasured load right before each round: a server idle while the others ran starts cold. */
const REWARM_SECONDS = 0.5;

interface Settings {
  workload: WorkloadName;
  pairs: number;
  seconds: number;
  connections: number;
  first: WorkloadName[];
  firstSeconds: number;
  servers: ServerSpec[];
}

function settingsFrom(argv: string[]): Settings {
  const servers = argv.filter((arg) => !arg.startsWith('--')).map(parseServerSpec);
  if (servers.length < 2) throw new Error('name two servers or more (see bench/compare.ts)');
  assertDistinctLabels(servers);
  return {
    workload: workloadFlag(argv, 'workload', 'step'),
    pairs: positiveFlag(argv, 'pairs', 16, true),
    seconds: positiveFlag(argv, 'duration', 2),
    connections: positiveFlag(argv, 'connections', 50, true),
    first: workloadsFlag(argv, 'first', []),
    firstSeconds: positiveFlag(argv, 'first-seconds', 20),
    servers,
  };
}

interface Rounds {
  rps: number[];
  cpuPerRequest: number[];
  p99: number[];
  errors: number;
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2));
  buildServers();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ftrag-compare-'));
  const fake = await startFakeSlack({ lightweight: true });
  const workloads = buildWorkloads();
  const workload = workloads[settings.workload];
  const servers: Server[] = [];
  const rounds = new Map<string, Rounds>(
    settings.servers.map(({ label }) => [
      label,
      { rps: [], cpuPerRequest: [], p99: [], errors: 0 },
    ]),
  );
  try {
    for (const [index, spec] of settings.servers.entries()) {
      servers.push(
        await launch({
          name: spec.label,
          entry: spec.entry === BARE_BOLT ? builtEntry('bench/bareBolt.ts') : spec.entry,
          env: {
            ...serverEnv(fake, SECRET),
            DATABASE_URL: `sqlite:${path.join(work, `server-${index}.db`)}`,
            ...spec.env,
          },
          logFile: path.join(work, `${spec.label}.log`),
          nodeArgs: spec.nodeArgs,
        }),
      );
    }
    log(
      `${settings.workload}: ${settings.pairs} rounds of ${settings.seconds} s per server, ${settings.connections} connections`,
    );
    const load = (server: Server, seconds: number) =>
      runLoadAndSettle(fake, server.baseUrl, workload, SECRET, {
        connections: settings.connections,
        duration: seconds,
      });
    for (const name of settings.first) {
      log(`first: ${settings.firstSeconds} s of ${name} on each server`);
      for (const server of servers) {
        await runLoadAndSettle(fake, server.baseUrl, workloads[name], SECRET, {
          connections: settings.connections,
          duration: settings.firstSeconds,
        });
      }
    }
    for (const server of servers) await load(server, WARM_SECONDS);

    for (let pair = 0; pair < settings.pairs; pair++) {
      for (const server of roundOrder(servers, pair)) {
        await load(server, REWARM_SECONDS);
        const cpuBefore = server.cpuSeconds();
        const result = await load(server, settings.seconds);
        const cpuAfter = server.cpuSeconds();
        const record = rounds.get(server.name);
        if (!record) continue;
        record.rps.push(result.rps);
        record.p99.push(result.p99);
        record.errors += result.errors;
        record.cpuPerRequest.push(cpuMicrosPerRequest(cpuBefore, cpuAfter, result.requests));
      }
      log(`  pair ${pair + 1} of ${settings.pairs} done`);
    }

    log('\n| Server | req/s (median) | CPU µs/req (median) | p99 ms (median) | errors |');
    log('| --- | ---: | ---: | ---: | ---: |');
    for (const [label, r] of rounds) {
      log(
        `| ${label} | ${median(r.rps).toFixed(0)} | ${median(r.cpuPerRequest).toFixed(0)} | ${median(r.p99).toFixed(0)} | ${r.errors} |`,
      );
    }
    const [reference, ...others] = [...rounds.entries()];
    if (!reference) return;
    log(`\nPair by pair, against ${reference[0]}:`);
    for (const [label, r] of others) {
      log(
        `- ${label}: CPU per request ${describePaired(pairedSummary(r.cpuPerRequest, reference[1].cpuPerRequest))}`,
      );
      log(
        `  ${' '.repeat(label.length)}  requests a second ${describePaired(pairedSummary(r.rps, reference[1].rps))}`,
      );
    }
  } finally {
    for (const server of servers) await server.stop();
    await fake.close();
  }
  if ([...rounds.values()].some((r) => r.errors > 0))
    log(`\nErrors: the servers' logs are in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

await runScript('bench:compare', main);
