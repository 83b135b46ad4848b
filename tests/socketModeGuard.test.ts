import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardSocketModeServer } from '../src/app.js';
import { capturedLog } from './support/capturedLog.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server whose request listener is `listener`, guarded, listening on a free port. */
async function guarded(listener: () => unknown) {
  const { log, lines } = capturedLog();
  server = new Server(listener);
  guardSocketModeServer(server, log);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    lines,
    get: (path: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) }),
  };
}

describe('guardSocketModeServer', () => {
  it('answers 500, and logs it, when the listener throws synchronously', async () => {
    const { lines, get } = await guarded(() => {
      throw new Error('sync failure');
    });
    const response = await get('/healthz');
    expect(response.status).toBe(500);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'the HTTP server for /healthz and /metrics failed on a request',
      }),
    ]);
  });

  it('answers 500, and logs it, when the listener rejects', async () => {
    const { lines, get } = await guarded(async () => {
      throw new Error('async failure');
    });
    expect((await get('/metrics')).status).toBe(500);
    expect(lines).toHaveLength(1);
  });

  it('answers 404 a path it can’t parse, without calling the listener', async () => {
    let called = false;
    const { get } = await guarded(() => {
      called = true;
    });
    expect((await get('//')).status).toBe(404);
    expect(called).toBe(false);
  });
});
