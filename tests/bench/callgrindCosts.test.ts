import { describe, expect, it } from 'vitest';
import {
  costCategory,
  parseCallgrind,
  parseJsCodeName,
  parsePerfMap,
  perfMapLookup,
} from '../../bench/callgrindCosts.js';

describe('parsePerfMap and perfMapLookup', () => {
  const map = parsePerfMap(
    [
      '7f0000001000 40 JS:*decodeState file:///repo/dist/ftrag.js:4:100',
      '7f0000000800 10 Builtin:ArgumentsAdaptorTrampoline',
      'not a line',
      '7f0000001000 20 JS:^decodeState file:///repo/dist/ftrag.js:4:100',
      '',
    ].join('\n'),
  );

  it('sorts by start, and a later entry for the same start replaces the earlier', () => {
    expect(map.map((entry) => entry.name)).toEqual([
      'Builtin:ArgumentsAdaptorTrampoline',
      'JS:^decodeState file:///repo/dist/ftrag.js:4:100',
    ]);
  });

  it('finds the entry covering an address, its first and last bytes included', () => {
    expect(perfMapLookup(map, 0x7f0000000800)).toBe('Builtin:ArgumentsAdaptorTrampoline');
    expect(perfMapLookup(map, 0x7f000000080f)).toBe('Builtin:ArgumentsAdaptorTrampoline');
    expect(perfMapLookup(map, 0x7f000000101f)).toBe(
      'JS:^decodeState file:///repo/dist/ftrag.js:4:100',
    );
  });

  it('finds nothing between entries, before the first or after the last', () => {
    expect(perfMapLookup(map, 0x7f0000000810)).toBeUndefined();
    expect(perfMapLookup(map, 0x10)).toBeUndefined();
    expect(perfMapLookup(map, 0x7f0000001020)).toBeUndefined();
    expect(perfMapLookup([], 0x10)).toBeUndefined();
  });
});

const DUMP = `# callgrind format
version: 1
positions: instr line
events: Ir I1mr Bcm
summary: 1000 10 5

ob=(1) /usr/bin/node
fl=(1) ???
fn=(1) v8::internal::JsonStringifier::SerializeString
0x100 0 10 1
+4 0 20 0 2
* 0 5
cob=(2) ???
cfn=(2) 0x0000000000a00000
calls=3 0xa00000 0
+2 0 999 99 99
-6 0 1

ob=(2)
fn=(2)
0xa00000 0 7 1 1
+16 0 3
fn=(3) 0x0000000000b00000
0xb00000 0 100
`;

describe('parseCallgrind', () => {
  const seen: [string, string, number][] = [];
  const costs = parseCallgrind(DUMP, (fn, object, address) => {
    seen.push([fn, object, address]);
    return object === '???' ? `jit@${address.toString(16)}` : fn;
  });

  it('reads the events and sums self costs by name, a short line counting as zeros after it', () => {
    expect(costs.events).toEqual(['Ir', 'I1mr', 'Bcm']);
    expect(costs.costs.get('v8::internal::JsonStringifier::SerializeString')).toEqual([36, 1, 2]);
  });

  it('leaves out the inclusive cost of a call', () => {
    const total = [...costs.costs.values()].reduce((sum, cost) => sum + (cost[0] ?? 0), 0);
    expect(total).toBe(36 + 7 + 3 + 100);
  });

  it('follows absolute, relative and repeated positions, the line after a call included', () => {
    expect(seen.map(([, , address]) => address)).toEqual([
      0x100,
      0x104,
      0x104,
      0x100, // 0x104 + 2 (the call's line) - 6
      0xa00000,
      0xa00010,
      0xb00000,
    ]);
  });

  it('expands compressed names defined in ob=, cob=, fn= and cfn= lines', () => {
    expect(costs.costs.get('jit@a00000')).toEqual([7, 1, 1]);
    expect(costs.costs.get('jit@a00010')).toEqual([3, 0, 0]);
    expect(costs.costs.get('jit@b00000')).toEqual([100, 0, 0]);
    expect(seen.at(-1)?.slice(0, 2)).toEqual(['0x0000000000b00000', '???']);
  });
});

describe('parseJsCodeName', () => {
  it.each([
    [
      'JS:*eT file:///repo/dist/ftrag.js:4:39944',
      { functionName: 'eT', url: 'file:///repo/dist/ftrag.js', line: 4, column: 39944 },
    ],
    [
      'JS:~processTicksAndRejections node:internal/process/task_queues:67:35',
      {
        functionName: 'processTicksAndRejections',
        url: 'node:internal/process/task_queues',
        line: 67,
        column: 35,
      },
    ],
    ['JS: :3:17', { functionName: '', url: '', line: 3, column: 17 }],
  ])('%s', (name, parsed) => {
    expect(parseJsCodeName(name)).toEqual(parsed);
  });

  it('is undefined for what is not JavaScript', () => {
    expect(parseJsCodeName('Builtin:LoadIC')).toBeUndefined();
    expect(parseJsCodeName('RegExp:^[\\w./:-]{1,100}$')).toBeUndefined();
  });
});

describe('costCategory', () => {
  it.each([
    ['v8::internal::compiler::GraphReducer::ReduceTop()', 'V8 compiling'],
    ['v8::internal::maglev::MaglevGraphBuilder::Build()', 'V8 compiling'],
    ['v8::internal::ConcurrentMarking::RunMajor(v8::JobDelegate*)', 'collector'],
    ['v8::internal::Scavenger::Process(v8::JobDelegate*)', 'collector'],
    ['Builtins_LoadIC', 'V8 builtins'],
    [
      'v8::internal::JsonStringifier::SerializeString(v8::internal::Handle<v8::internal::String>)',
      'V8 runtime',
    ],
    ['sha256_block_data_order_avx2', 'other native'],
    ['uv__io_poll', 'other native'],
  ])('the symbol %s is %s', (name, category) => {
    expect(costCategory(name, false)).toBe(category);
  });

  it.each([
    ['node parse querystring:317', 'JavaScript'],
    ['ftrag decodeState state.ts:73', 'JavaScript'],
    ['RegExp:^[\\w./:-]{1,100}$', 'JavaScript'],
    ['(eval) (anonymous) :3', 'JavaScript'],
    ['Builtin:InterpreterEntryTrampoline', 'V8 builtins'],
  ])('generated code named %s is %s', (name, category) => {
    expect(costCategory(name, true)).toBe(category);
  });
});
