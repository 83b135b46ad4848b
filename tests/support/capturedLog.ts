import { Writable } from 'node:stream';
import { type AppLogger, createLogger } from '../../src/observability/logger.js';

/** ftrag's logger at `info`, writing into `lines` (one parsed JSON object per log line). */
export function capturedLog(): { log: AppLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}
