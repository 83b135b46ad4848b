/**
 * `npm run bench:profile` — where a request's CPU goes, in ftrag and in bare Bolt under the same
 * load: each server runs with `node --cpu-prof`, and its profile's self time is summed by origin
 * (ftrag's own sources, each npm package, Node.js, the collector) and divided by the requests
 * answered. ftrag's bundle is mapped back to its sources through its source map. Prints; writes
 * nothing. A profile's attribution moves with inlining, so it points at places; ablations (`npm
 * run bench:compare`) decide.
 *
 *   npm run bench:profile                          step submissions, 10 s after 3 s of warm-up
 *   npm run bench:profile -- --workload=final --duration=8 --top=40
 *   npm run bench:profile -- --keep=.bench/profiles   also keeps both .cpuprofile files there
 *
 * The profiles cover each process's whole life, start-up included (a few µs per request).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeSlack } from '../tests/support/fakeSlack.js';
import { flagValue, positiveFlag, workloadFlag } from './flags.js';
import { runLoadAndSettle } from './load.js';
import { buildServers, builtEntry, FTRAG_ENTRY, launch, serverEnv } from './processes.js';
import {
  type CpuProfile,
  largest,
  type ProfileSummary,
  summarizeProfile,
} from './profileSummary.js';
import { log, runScript } from './script.js';
import { sourceMapper } from './sourceMaps.js';
import { buildWorkloads, type WorkloadName } from './workloads.js';

const SECRET = 'profile-signing-secret-0123456789abcdef';
const WARM_SECONDS = 3;

interface Settings {
  workload: WorkloadName;
  seconds: number;
  top: number;
  keep: string | undefined;
}

function settingsFrom(argv: string[]): Settings {
  return {
    workload: workloadFlag(argv, 'workload', 'step'),
    seconds: positiveFlag(argv, 'duration', 10),
    top: positiveFlag(argv, 'top', 25, true),
    keep: flagValue(argv, 'keep'),
  };
}

interface Profiled {
  label: string;
  requests: number;
  summary: ProfileSummary;
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2));
  buildServers();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ftrag-profile-'));
  const fake = await startFakeSlack({ lightweight: true });
  const workload = buildWorkloads()[settings.workload];
  const sourceOf = sourceMapper();
  const profiled: Profiled[] = [];
  try {
    for (const [label, entry] of [
      ['ftrag', FTRAG_ENTRY],
      ['bare Bolt', builtEntry('bench/bareBolt.ts')],
    ] as const) {
      const profileDir = path.join(work, label.replace(/\W/g, ''));
      const server = await launch({
        name: label,
        entry,
        env: { ...serverEnv(fake, SECRET), DATABASE_URL: `sqlite:${path.join(work, 'ftrag.db')}` },
        logFile: path.join(work, `${label}.log`),
        nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir],
      });
      let requests = 0;
      for (const seconds of [WARM_SECONDS, settings.seconds]) {
        const result = await runLoadAndSettle(fake, server.baseUrl, workload, SECRET, {
          connections: 50,
          duration: seconds,
        });
        requests += result.requests;
      }
      // The profile is written as the process exits (ftrag and the reference stop on SIGTERM).
      await server.stop();
      const [file] = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
      if (!file) throw new Error(`${label} wrote no CPU profile`);
      if (settings.keep) {
        mkdirSync(settings.keep, { recursive: true });
        const kept = path.join(settings.keep, `${label.replace(/\W/g, '')}.cpuprofile`);
        copyFileSync(path.join(profileDir, file), kept);
        log(`${label}: profile kept in ${kept}`);
      }
      const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
      profiled.push({ label, requests, summary: summarizeProfile(profile, sourceOf) });
      log(`${label}: ${requests.toLocaleString('en')} requests profiled`);
    }
  } finally {
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
  report(settings, profiled);
}

function report(settings: Settings, profiled: Profiled[]): void {
  const [ftrag, bolt] = profiled;
  if (!ftrag || !bolt) return;
  const perRequest = (p: Profiled, micros: number | undefined) => (micros ?? 0) / p.requests;
  log(
    `\n${settings.workload}: profiled self time, µs per request (ftrag ${perRequest(ftrag, ftrag.summary.totalMicros).toFixed(0)}, bare Bolt ${perRequest(bolt, bolt.summary.totalMicros).toFixed(0)})\n`,
  );
  log('| Origin | ftrag | bare Bolt | difference |');
  log('| --- | ---: | ---: | ---: |');
  const origins = new Set([...ftrag.summary.byOrigin.keys(), ...bolt.summary.byOrigin.keys()]);
  const rows = [...origins]
    .map((origin) => {
      const mine = perRequest(ftrag, ftrag.summary.byOrigin.get(origin));
      const theirs = perRequest(bolt, bolt.summary.byOrigin.get(origin));
      return { origin, mine, theirs, difference: mine - theirs };
    })
    .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference))
    .slice(0, settings.top);
  for (const row of rows) {
    log(
      `| ${row.origin} | ${row.mine.toFixed(1)} | ${row.theirs.toFixed(1)} | ${row.difference >= 0 ? '+' : ''}${row.difference.toFixed(1)} |`,
    );
  }
  log(
    `\nftrag's ${settings.top} largest functions by self time, µs per request (bare Bolt's in the same function):\n`,
  );
  log('| Function | ftrag | bare Bolt |');
  log('| --- | ---: | ---: |');
  for (const [name, micros] of largest(ftrag.summary.byFunction, settings.top)) {
    const theirs = bolt.summary.byFunction.get(name);
    log(
      `| ${name} | ${perRequest(ftrag, micros).toFixed(1)} | ${theirs === undefined ? '' : perRequest(bolt, theirs).toFixed(1)} |`,
    );
  }
}

await runScript('bench:profile', main);
