import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript entry point as its own process, the way npm scripts do (node + tsx). Pass the
 * loader's URL as `loader` when `cwd` is outside the repository, where `tsx` would not resolve.
 */
export function runTs(
  entry: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string; loader?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', options.loader ?? 'tsx', entry, ...args], {
      cwd: options.cwd,
      env: options.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
