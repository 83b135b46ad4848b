import { afterEach, describe, expect, it } from 'vitest';
import { type AppProcess, freePort, startApp } from '../support/appProcess.js';

const entry = 'tests/support-tests/fixtures/tinyServer.ts';
let app: AppProcess | undefined;

afterEach(async () => {
  await app?.kill();
  app = undefined;
});

describe('freePort', () => {
  it('returns a usable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});

describe('startApp', () => {
  it('starts the entry with a minimal env plus PORT and waits for /healthz', async () => {
    process.env.FTRAG_PARENT_ONLY = 'leaked';
    try {
      app = await startApp({ SLACK_API_URL: 'http://127.0.0.1:9/api/' }, { entry });
    } finally {
      delete process.env.FTRAG_PARENT_ONLY;
    }
    expect(app.baseUrl).toBe(`http://127.0.0.1:${app.port}`);
    expect(app.pid).toBeGreaterThan(0);
    const env: unknown = await (await fetch(`${app.baseUrl}/env`)).json();
    expect(env).toEqual({
      PORT: String(app.port),
      NODE_ENV: 'test',
      HOME: true,
      PATH: true,
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    });
    await app.waitForLog(`tiny server listening on ${app.port}`);
    expect(app.stdout()).toContain('listening');

    const exit = await app.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.logs()).toContain('tiny server: shutting down');
    expect(app.exited()).toEqual(exit);
  });

  it('rejects with the output when the process exits early', async () => {
    await expect(startApp({ TINY_EXIT_EARLY: '1' }, { entry })).rejects.toThrow(
      /exited before it was ready \(code 3[\s\S]*refusing to start/,
    );
  });

  it('rejects when never healthy, and kills the process', async () => {
    // Long enough for tsx to start the fixture and print "listening" on a loaded machine.
    await expect(
      startApp({ TINY_NEVER_HEALTHY: '1' }, { entry, readyTimeoutMs: 5000 }),
    ).rejects.toThrow(
      /was not healthy at http:\/\/127\.0\.0\.1:\d+\/healthz within 5000 ms[\s\S]*listening/,
    );
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    app = await startApp({ TINY_IGNORE_SIGTERM: '1' }, { entry, stopTimeoutMs: 500 });
    const exit = await app.stop();
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(app.logs()).toContain('ignoring SIGTERM');
  });

  it('kill() ends the process at once', async () => {
    app = await startApp({}, { entry });
    await app.kill();
    expect(app.exited()?.signal).toBe('SIGKILL');
    await expect(fetch(`${app.baseUrl}/healthz`)).rejects.toThrow();
  });
});
