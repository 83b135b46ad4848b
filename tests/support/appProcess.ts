/**
 * Runs the real app (`node --import tsx src/index.ts`) as a child process for end-to-end tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.js';

export interface StartAppOptions {
  /** Entry file relative to the repository root (default `src/index.ts`). */
  entry?: string;
  /** Use this port instead of picking a free one. */
  port?: number;
  /** Time to wait for `GET /healthz` to answer 200 (default 20 s). */
  readyTimeoutMs?: number;
  /** Health path (default `/healthz`). */
  healthPath?: string;
  /** Grace period for `stop()` before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /** Extra node arguments placed before `--import tsx`. */
  nodeArgs?: string[];
  /** Also write the child's output to this process's stderr (debugging). */
  echo?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  baseUrl: string;
  port: number;
  pid: number;
  /** stdout and stderr interleaved in arrival order. */
  logs(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves when the combined output matches (already or later). */
  waitForLog(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Set once the process has exited. */
  exited(): ExitInfo | undefined;
  /** Sends `signal`, waits for exit (SIGKILL after the stop timeout). */
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
  });
  if (!port) throw new Error('freePort: could not get a port');
  return port;
}

function tsxLoaderUrl(): string {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  return pathToFileURL(require.resolve('tsx')).href;
}

/**
 * Node's arguments to run `entry`: compiled JavaScript (the production build) as `npm start` runs
 * it, TypeScript through tsx.
 */
export function entryArgs(entry: string): string[] {
  return entry.endsWith('.js')
    ? ['--enable-source-maps', entry]
    : ['--import', tsxLoaderUrl(), entry];
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A failed test must not leave app processes (and their ports) behind.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Spawns the app with `env` merged over a minimal env (PATH, HOME, NODE_ENV=test) plus PORT, and
 * resolves once `GET /healthz` answers 200. Rejects with the captured output if the process exits
 * first or is not ready in time.
 */
export async function startApp(
  env: Record<string, string>,
  options: StartAppOptions = {},
): Promise<AppProcess> {
  installExitHook();
  const fixedPort = options.port ?? (env.PORT ? Number(env.PORT) : undefined);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, options, fixedPort ?? (await freePort()));
    } catch (error) {
      // freePort() can race with another process grabbing the port; try another one.
      const clash = error instanceof Error && error.message.includes('EADDRINUSE');
      if (!clash || fixedPort !== undefined || attempt >= 3) throw error;
    }
  }
}

async function startOnce(
  env: Record<string, string>,
  options: StartAppOptions,
  port: number,
): Promise<AppProcess> {
  const entry = options.entry ?? 'src/index.ts';
  const baseUrl = `http://127.0.0.1:${port}`;
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'test',
    ...env,
    PORT: String(port),
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entryArgs(entry)], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);

  let combined = '';
  let out = '';
  let err = '';
  const logWaiters = new Set<() => void>();
  const onChunk = (stream: 'out' | 'err') => (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    combined += text;
    if (stream === 'out') out += text;
    else err += text;
    if (options.echo) process.stderr.write(`[app ${child.pid ?? '?'}] ${text}`);
    for (const w of [...logWaiters]) w();
  };
  child.stdout?.on('data', onChunk('out'));
  child.stderr?.on('data', onChunk('err'));

  let exitInfo: ExitInfo | undefined;
  const exitPromise = new Promise<ExitInfo>((resolve) => {
    // 'close', not 'exit': at 'exit' the child's stdout may still hold its last lines, and a test
    // reading the logs of an exited app must see them all.
    child.on('close', (code, signal) => {
      exitInfo = { code, signal };
      running.delete(child);
      for (const w of [...logWaiters]) w();
      resolve(exitInfo);
    });
  });
  const spawnError = new Promise<Error>((resolve) => {
    child.on('error', resolve);
  });

  const describe = (why: string): Error =>
    new Error(`startApp(${entry}) ${why}\n--- app output ---\n${combined || '(none)'}\n---`);

  const healthUrl = `${baseUrl}${options.healthPath ?? '/healthz'}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  let ready = false;
  while (!ready) {
    if (exitInfo) {
      throw describe(
        `exited before it was ready (code ${exitInfo.code}, signal ${exitInfo.signal})`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exitPromise;
      throw describe(
        `was not healthy at ${healthUrl} within ${options.readyTimeoutMs ?? 20_000} ms`,
      );
    }
    const raced = await Promise.race([healthy(healthUrl), spawnError.then((e) => e)]);
    if (raced instanceof Error) throw describe(`could not be spawned: ${raced.message}`);
    ready = raced;
    if (!ready) await sleep(100);
  }

  const pid = child.pid;
  if (pid === undefined) throw describe('has no pid');

  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const app: AppProcess = {
    baseUrl,
    port,
    pid,
    logs: () => combined,
    stdout: () => out,
    stderr: () => err,
    exited: () => exitInfo,
    waitForLog(pattern, timeoutMs = 5000) {
      const matches = (): boolean =>
        typeof pattern === 'string' ? combined.includes(pattern) : pattern.test(combined);
      if (matches()) return Promise.resolve(combined);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (matches()) {
            done();
            resolve(combined);
          } else if (exitInfo) {
            done();
            reject(describe(`exited before logging ${String(pattern)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(describe(`did not log ${String(pattern)} within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          logWaiters.delete(check);
        };
        logWaiters.add(check);
      });
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (exitInfo) return exitInfo;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const info = await exitPromise;
      clearTimeout(timer);
      return info;
    },
    async kill() {
      if (!exitInfo) child.kill('SIGKILL');
      await exitPromise;
    },
  };
  return app;
}
