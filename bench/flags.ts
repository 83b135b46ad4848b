/**
 * The `--name=value` flags the benchmark scripts take, read one way: a value that is not what the
 * flag needs stops the script with a message naming the flag.
 */
import { buildWorkloads, type WorkloadName } from './workloads.js';

/** The value of `--name=value`, or undefined when the flag is not given. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

/** `--name=N` as a positive number (a whole one with `whole`), or `fallback` when not given. */
export function positiveFlag(
  argv: readonly string[],
  name: string,
  fallback: number,
  whole = false,
): number {
  const raw = flagValue(argv, name);
  const parsed = raw === undefined ? fallback : Number(raw);
  if (!(parsed > 0) || (whole && !Number.isInteger(parsed))) {
    throw new Error(`--${name} needs a positive ${whole ? 'whole number' : 'number'}`);
  }
  return parsed;
}

/** `--name=a,b` as workload names, each one the benchmarks know. */
export function workloadsFlag(
  argv: readonly string[],
  name: string,
  fallback: readonly WorkloadName[],
): WorkloadName[] {
  const known = Object.keys(buildWorkloads());
  const raw = flagValue(argv, name);
  const names = raw === undefined ? [...fallback] : raw.split(',');
  for (const workload of names) {
    if (!known.includes(workload)) {
      throw new Error(`--${name}: no workload ${workload} (${known.join(', ')})`);
    }
  }
  return names as WorkloadName[];
}

/** `--name=a` as one workload name. */
export function workloadFlag(
  argv: readonly string[],
  name: string,
  fallback: WorkloadName,
): WorkloadName {
  const [workload, ...more] = workloadsFlag(argv, name, [fallback]);
  if (!workload || more.length > 0) throw new Error(`--${name} takes one workload`);
  return workload;
}
