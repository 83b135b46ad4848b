/**
 * The ceiling for the benchmark: a plain node:http server that only checks Slack's request
 * signature (and the timestamp's age) and answers 200 with an empty body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const secret = process.env.SLACK_SIGNING_SECRET;
if (!secret) throw new Error('bench/ceiling.ts needs SLACK_SIGNING_SECRET');
const signingSecret: string = secret;

function header(req: http.IncomingMessage, name: string): string {
  const value = req.headers[name];
  return typeof value === 'string' ? value : '';
}

function verified(req: http.IncomingMessage, body: Buffer): boolean {
  const timestamp = Number(header(req, 'x-slack-request-timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  const expected = Buffer.from(`v0=${hmac.digest('hex')}`);
  const actual = Buffer.from(header(req, 'x-slack-signature'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (req.method !== 'POST' || req.url !== '/slack/events') {
    res.writeHead(404);
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    res.writeHead(verified(req, Buffer.concat(chunks)) ? 200 : 401);
    res.end();
  });
});

server.listen(Number(process.env.PORT ?? 3000));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
