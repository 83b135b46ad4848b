/**
 * Maps code positions in the project's own builds back to their sources, through the source map
 * beside each build (`<file>.map`), for the benchmark scripts that name functions.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CallFrame, SourceOf } from './profileSummary.js';

/**
 * Frames of the project's own builds that have a source map beside them are mapped to their
 * sources, with the function's original name where the map has it (the bundle is minified);
 * others stay as they are. Packages keep their own paths: Bolt ships maps to its `src/`.
 */
export function sourceMapper(): SourceOf {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string): SourceMap | null => {
    if (!maps.has(url)) {
      let map: SourceMap | null = null;
      try {
        const file = fileURLToPath(url);
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        // Not a file, or no map beside it.
      }
      maps.set(url, map);
    }
    return maps.get(url) ?? null;
  };
  return (frame: CallFrame) => {
    const unmapped = { source: frame.url, line: frame.lineNumber + 1 };
    if (!frame.url.startsWith('file:') || frame.url.includes('/node_modules/')) return unmapped;
    if (frame.lineNumber < 0) return unmapped;
    const entry = mapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (!entry || !('originalSource' in entry)) return unmapped;
    // Node.js 20.x's maps give the original name too, though its types don't have it yet.
    const name: unknown = Reflect.get(entry, 'name');
    return {
      source: entry.originalSource,
      line: entry.originalLine + 1,
      ...(typeof name === 'string' && name !== '' ? { name } : {}),
    };
  };
}
