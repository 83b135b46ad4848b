import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveFetch } from '../../src/observability/slackFetch.js';

/** A server that answers `/ok`, never answers `/silent`, and stalls `/stall` after its headers. */
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (req.url === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('keepAliveFetch', () => {
  const fetch = keepAliveFetch(200);
  const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', body: 'token=x' });

  it('answers with the status and body Slack sent', async () => {
    const response = await post('/ok');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('fails a call that gets no answer within the timeout', async () => {
    const started = performance.now();
    await expect(post('/silent')).rejects.toThrow(/no answer from Slack within 200 ms/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('fails a call whose answer stops halfway', async () => {
    await expect(post('/stall')).rejects.toThrow();
  });

  it('still answers on a kept-alive connection after a timeout', async () => {
    await expect(post('/silent')).rejects.toThrow();
    expect((await post('/ok')).status).toBe(200);
  });
});
