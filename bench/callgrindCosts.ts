/**
 * Reads a callgrind dump made with `--dump-instr=yes` (costs per instruction address) into costs
 * per function, naming V8's generated code through the map Node.js writes with
 * `--perf-basic-prof` (`/tmp/perf-<pid>.map`): callgrind alone sees JavaScript only as addresses
 * in an anonymous mapping. Pure; bench/instructions.ts runs the servers.
 */

/** One piece of generated code: where it starts, its size, V8's name for it. */
interface PerfMapEntry {
  start: number;
  size: number;
  name: string;
}

/** Entries sorted by start address. */
export type PerfMap = PerfMapEntry[];

/** Parses `<start hex> <size hex> <name>` lines; a later entry for the same start wins. */
export function parsePerfMap(text: string): PerfMap {
  const byStart = new Map<number, PerfMapEntry>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.+)$/i.exec(line);
    if (!match?.[1] || !match[2] || !match[3]) continue;
    const start = Number.parseInt(match[1], 16);
    byStart.set(start, { start, size: Number.parseInt(match[2], 16), name: match[3] });
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** The name of the code at `address`, or undefined when no entry covers it. */
export function perfMapLookup(map: PerfMap, address: number): string | undefined {
  let low = 0;
  let high = map.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const entry = map[middle];
    if (!entry) break;
    if (address < entry.start) high = middle - 1;
    else if (address >= entry.start + entry.size) low = middle + 1;
    else return entry.name;
  }
  return undefined;
}

/** Where a cost is charged: the function's name, its object file, the instruction's address. */
export type NameOf = (fn: string, object: string, address: number) => string;

export interface CallgrindCosts {
  /** The events counted (`Ir`, `I1mr`, …), in the order of each cost array. */
  events: string[];
  /** Self cost by the name {@link NameOf} gave, one number per event. */
  costs: Map<string, number[]>;
}

const COMPRESSED_NAME = /^\((\d+)\)(?: (.*))?$/;

/**
 * Sums the self cost of every cost line by name. Call costs (the line after `calls=`) are
 * inclusive of the callee, so they are skipped. Positions may be absolute (`0x…`, decimal),
 * relative to the previous line (`+n`, `-n`) or the same (`*`); names may be compressed (`(id)`).
 */
export function parseCallgrind(text: string, nameOf: NameOf): CallgrindCosts {
  let events: string[] = [];
  let positionCount = 1;
  const positions: number[] = [0, 0];
  const names = new Map<string, string>();
  const costs = new Map<string, number[]>();
  let fn = '';
  let object = '';
  let skipNext = false;

  const expand = (kind: 'fn' | 'ob', value: string): string => {
    const match = COMPRESSED_NAME.exec(value);
    if (!match) return value;
    const key = `${kind}${match[1]}`;
    if (match[2] !== undefined) names.set(key, match[2]);
    return names.get(key) ?? value;
  };

  for (const line of text.split('\n')) {
    const first = line.charCodeAt(0);
    const isCostLine =
      (first >= 0x30 && first <= 0x39) || line[0] === '+' || line[0] === '-' || line[0] === '*';
    if (isCostLine) {
      const fields = line.trim().split(/\s+/);
      for (let index = 0; index < positionCount; index++) {
        const field = fields[index] ?? '*';
        const previous = positions[index] ?? 0;
        if (field === '*') continue;
        const value =
          field[0] === '+'
            ? previous + Number(field.slice(1))
            : field[0] === '-'
              ? previous - Number(field.slice(1))
              : Number(field);
        positions[index] = value;
      }
      if (skipNext) {
        skipNext = false;
        continue;
      }
      const name = nameOf(fn, object, positions[0] ?? 0);
      let total = costs.get(name);
      if (!total) {
        total = new Array<number>(events.length).fill(0);
        costs.set(name, total);
      }
      for (let index = positionCount; index < fields.length; index++) {
        const event = index - positionCount;
        total[event] = (total[event] ?? 0) + Number(fields[index]);
      }
      continue;
    }
    const equals = line.indexOf('=');
    const key = equals === -1 ? '' : line.slice(0, equals);
    const value = line.slice(equals + 1).trim();
    if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/);
    else if (line.startsWith('positions:')) {
      positionCount = line.slice(10).trim().split(/\s+/).length;
    } else if (key === 'fn') fn = expand('fn', value);
    else if (key === 'ob') object = expand('ob', value);
    else if (key === 'cfn') expand('fn', value);
    else if (key === 'cob') expand('ob', value);
    else if (key === 'calls') skipNext = true;
  }
  return { events, costs };
}

/** A perf map name as V8 writes it: `JS:<tier><name> <url>:<line>:<column>`, tier `*~^+` or none. */
export function parseJsCodeName(
  name: string,
): { functionName: string; url: string; line: number; column: number } | undefined {
  const match = /^JS:[*~^+]?(\S*) (.*):(\d+):(\d+)$/.exec(name);
  if (!match || match[2] === undefined) return undefined;
  return {
    functionName: match[1] ?? '',
    url: match[2],
    line: Number(match[3]),
    column: Number(match[4]),
  };
}

/**
 * What kind of work a function is: V8 compiling (its optimizing compilers), the collector,
 * JavaScript (generated code the perf map named, other than V8's builtins), V8's builtins and
 * runtime, or other native code (Node.js, libuv, OpenSSL, the C library). `generated` says the
 * name came from the perf map rather than from a symbol.
 */
export function costCategory(name: string, generated: boolean): string {
  if (generated) return name.startsWith('Builtin:') ? 'V8 builtins' : 'JavaScript';
  if (/v8::internal::(compiler|maglev|baseline)::|Compil(e|ation)|Turbofan/.test(name)) {
    return 'V8 compiling';
  }
  if (
    /Marking|Sweep|Scaveng|Evacuat|heap::base|Heap::|MemoryChunk|RememberedSet|SlotSet|GCTracer/.test(
      name,
    )
  ) {
    return 'collector';
  }
  if (name.startsWith('Builtins_')) return 'V8 builtins';
  if (name.includes('v8::')) return 'V8 runtime';
  return 'other native';
}
