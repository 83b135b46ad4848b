/** What the benchmark scripts share as programs: a line of output, and a failure said in one line. */

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs a script's `main`; a failure prints `name: message` and sets exit code 1. */
export async function runScript(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
