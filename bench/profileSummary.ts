/**
 * Sums up a V8 CPU profile (`node --cpu-prof`) by where the code comes from: ftrag's own sources,
 * each npm package, Node.js itself, the collector. Pure; bench/profile.ts runs the servers.
 */

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas: number[];
}

/**
 * Where a frame's code is: its original file and 1-based line (and the function's original name
 * when a source map has it), or its URL and line unmapped.
 */
export type SourceOf = (frame: CallFrame) => { source: string; line: number; name?: string };

export interface ProfileSummary {
  /** Microseconds of self time the profile recorded, idle left out. */
  totalMicros: number;
  /** Self time by origin ({@link originOf}), in microseconds. */
  byOrigin: Map<string, number>;
  /** Self time by function: "origin function file:line". */
  byFunction: Map<string, number>;
}

/**
 * The origin a frame is charged to: `ftrag` for the project's own sources (`bench` for the
 * reference servers'), the package name for code under node_modules, `node` for Node.js's own
 * JavaScript, and V8's pseudo-frames by name (`(garbage collector)`, `(program)`); native code
 * without a source is `native`.
 */
export function originOf(source: string, functionName: string): string {
  if (source === '') return functionName.startsWith('(') ? functionName : 'native';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (inPackage?.[1]) return inPackage[1];
  if (source.startsWith('node:')) return 'node';
  if (/(^|\/)src\//.test(source)) return 'ftrag';
  if (/(^|\/)bench\//.test(source)) return 'bench';
  return source;
}

function fileName(source: string): string {
  return source.slice(source.lastIndexOf('/') + 1);
}

/**
 * A frame's origin ({@link originOf}) and how the summaries name it: "origin name file:line",
 * with the original name and source where `sourceOf` maps the frame.
 */
export function describeFrame(
  frame: CallFrame,
  sourceOf: SourceOf,
): { origin: string; name: string } {
  const mapped = sourceOf(frame);
  const origin = originOf(mapped.source, frame.functionName);
  const name = mapped.name ?? (frame.functionName || '(anonymous)');
  const where = mapped.source === '' ? '' : ` ${fileName(mapped.source)}:${mapped.line}`;
  return { origin, name: `${origin} ${name}${where}` };
}

export function summarizeProfile(profile: CpuProfile, sourceOf: SourceOf): ProfileSummary {
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMicros = 0;
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id);
    if (micros === undefined || node.callFrame.functionName === '(idle)') continue;
    const { origin, name } = describeFrame(node.callFrame, sourceOf);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + micros);
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    totalMicros += micros;
  }
  return { totalMicros, byOrigin, byFunction };
}

/** The largest entries of `totals` first, at most `count`. */
export function largest(totals: Map<string, number>, count: number): [string, number][] {
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
}
