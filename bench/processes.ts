/**
 * Starts a server under test the way production would (the build in dist/, run by plain Node.js as
 * `npm start` runs it), with its output in a log file, and reports how long it took to answer
 * GET /healthz.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { entryArgs, freePort } from '../tests/support/appProcess.js';
import { repoRoot } from '../tests/support/paths.js';

export interface Server {
  name: string;
  pid: number;
  port: number;
  baseUrl: string;
  /** Milliseconds from spawn to the first 200 from GET /healthz. */
  readyMs: number;
  logFile: string;
  /** Resident set size in bytes (Linux /proc), or null where unavailable. */
  rss(): number | null;
  /** CPU time used so far (user + system), in seconds (Linux /proc), or null. */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  exited(): boolean;
}

const agent = new http.Agent({ keepAlive: false });

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** An interrupted benchmark must not leave servers behind. */
function killChildrenOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/** GET `url`; resolves with the status (0 when nothing answered). */
export function getStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** GET `url` and return the body text. */
export async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

function rssOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

// Linux reports CPU times in clock ticks, 100 per second on every mainstream kernel.
const CLOCK_TICKS_PER_SECOND = 100;

function cpuOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start with the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return Number.isFinite(user + system) ? (user + system) / CLOCK_TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/** `npm run build`: compiles src/ and the reference servers to dist/, which the benchmarks run. */
export function buildServers(): void {
  const built = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

/** What every server under test is given: the fake Slack, the signing secret, info-level logs. */
export function serverEnv(
  fake: { botToken: string; apiUrl: string },
  signingSecret: string,
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: fake.apiUrl,
    LOG_LEVEL: 'info',
  };
}

/** What `npm start` runs: the build's bundle of ftrag (scripts/bundle.mjs). */
export const FTRAG_ENTRY = 'dist/ftrag.js';

/** Where the build puts a source file's JavaScript: `bench/bareBolt.ts` → `dist/bench/bareBolt.js`. */
export function builtEntry(source: string): string {
  return path.join('dist', source.replace(/\.ts$/, '.js'));
}

export interface LaunchOptions {
  name: string;
  /** Entry file relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  logFile: string;
  nodeArgs?: string[];
  /** Runs Node.js under this command and its options (say, valgrind); its pid is the server's. */
  wrapper?: string[];
  readyTimeoutMs?: number;
}

export async function launch(options: LaunchOptions): Promise<Server> {
  const port = await freePort();
  const out = openSync(options.logFile, 'a');
  const started = performance.now();
  const [command = process.execPath, ...args] = [
    ...(options.wrapper ?? []),
    process.execPath,
    ...(options.nodeArgs ?? []),
    ...entryArgs(options.entry),
  ];
  const child: ChildProcess = spawn(command, args, {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      ...options.env,
      PORT: String(port),
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  killChildrenOnExit();
  children.add(child);
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exitCode = code;
      children.delete(child);
      resolve(code);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not spawn`);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = started + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(
        `${options.name} exited (code ${exitCode}) before it was ready; see ${options.logFile}`,
      );
    }
    if ((await getStatus(`${baseUrl}/healthz`, 500)) === 200) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready within the timeout; see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const readyMs = performance.now() - started;
  return {
    name: options.name,
    pid,
    port,
    baseUrl,
    readyMs,
    logFile: options.logFile,
    rss: () => rssOf(pid),
    cpuSeconds: () => cpuOf(pid),
    exited: () => exitCode !== undefined,
    async stop(timeoutMs = 15_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
