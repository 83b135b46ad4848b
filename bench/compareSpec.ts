/**
 * What `npm run bench:compare` is asked to compare, and how it sums up paired rounds. Pure, so
 * tests cover it; bench/compare.ts runs the servers.
 */
import { median, percentile } from './load.js';
import { roundRatios } from './roundRatios.js';

/** The bare Bolt reference, by name in place of an entry. */
export const BARE_BOLT = 'bolt';

export interface ServerSpec {
  label: string;
  /** A built ftrag bundle (dist/ftrag.js or a copy inside the repository), or {@link BARE_BOLT}. */
  entry: string;
  env: Record<string, string>;
  nodeArgs: string[];
}

const LABEL = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * `label=entry[,KEY=value|node:--option]…`, or `bolt` alone: `warn=dist/ftrag.js,LOG_LEVEL=warn`,
 * `young=dist/ftrag.js,node:--max-semi-space-size=32`.
 */
export function parseServerSpec(arg: string): ServerSpec {
  if (arg === BARE_BOLT) return { label: BARE_BOLT, entry: BARE_BOLT, env: {}, nodeArgs: [] };
  const [head = '', ...extras] = arg.split(',');
  const equals = head.indexOf('=');
  const label = head.slice(0, equals);
  const entry = head.slice(equals + 1);
  if (equals <= 0 || !LABEL.test(label) || entry === '') {
    throw new Error(`"${arg}": expected label=entry (letters, digits, _ . - in the label) or bolt`);
  }
  if (entry !== BARE_BOLT && !entry.endsWith('.js')) {
    throw new Error(`"${arg}": the entry is a built bundle (dist/ftrag.js) or bolt`);
  }
  const env: Record<string, string> = {};
  const nodeArgs: string[] = [];
  for (const extra of extras) {
    if (extra.startsWith('node:--')) {
      nodeArgs.push(extra.slice('node:'.length));
      continue;
    }
    const split = extra.indexOf('=');
    const name = extra.slice(0, split);
    if (split <= 0 || !ENV_NAME.test(name)) {
      throw new Error(`"${extra}" in "${arg}": expected KEY=value or node:--option`);
    }
    env[name] = extra.slice(split + 1);
  }
  return { label, entry, env, nodeArgs };
}

/** Labels must tell the servers apart in the report. */
export function assertDistinctLabels(specs: readonly ServerSpec[]): void {
  const seen = new Set<string>();
  for (const { label } of specs) {
    if (seen.has(label)) throw new Error(`two servers are labelled ${label}`);
    seen.add(label);
  }
}

export interface PairedSummary {
  /** The median, first and third quartile of the pair-by-pair ratios. */
  median: number;
  lower: number;
  upper: number;
  /** Pairs in which the ratio was below 1 (for CPU per request: cheaper than the reference). */
  below: number;
  pairs: number;
}

/**
 * `other[i] / reference[i]` pair by pair, summed up by its quartiles. Both ran in every pair, a few
 * seconds apart, so the machine's drift over a run cancels out of each ratio.
 */
export function pairedSummary(
  other: readonly number[],
  reference: readonly number[],
): PairedSummary {
  const { ratios } = roundRatios(other, reference, 1);
  return {
    median: median(ratios),
    lower: percentile(ratios, 25),
    upper: percentile(ratios, 75),
    below: ratios.filter((ratio) => ratio < 1).length,
    pairs: ratios.length,
  };
}

export function describePaired(summary: PairedSummary): string {
  const { median, lower, upper, below, pairs } = summary;
  return `${median.toFixed(3)}× (quartiles ${lower.toFixed(3)}–${upper.toFixed(3)}; below 1 in ${below} of ${pairs})`;
}
