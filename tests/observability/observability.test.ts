import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signSlackRequest, unixSeconds } from '../support/signing.js';
import {
  answerUntilLastStep,
  logLines,
  openChecklist,
  type Running,
  SIGNING_SECRET,
  sample,
  scrape,
  startRunning,
  submitStep,
} from './support.js';

const TITLE = 'Zebra-llama support assistant 7f3a';
const PROBLEM = 'It forgets the quokka refund window 91c2';
const review = { title: TITLE, problem: PROBLEM };

let running: Running;

beforeAll(async () => {
  running = await startRunning();
});

afterAll(async () => {
  await running?.close();
});

async function postReview(): Promise<void> {
  const viewId = await openChecklist(running, review);
  await answerUntilLastStep(running, viewId, review);
  const before = running.fake.calls.length;
  const posted = await submitStep(running, viewId, review);
  expect(posted.status).toBe(200);
  await running.fake.waitFor('chat.getPermalink', (call) => call.index >= before);
}

/** A request sent as written: fetch() would resolve `..`, `%2e` and `//` in the path first. */
function rawRequest(
  method: string,
  target: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(running.app.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path: target, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('GET /metrics', () => {
  it('serves Prometheus text with every ftrag metric named', async () => {
    const response = await fetch(`${running.app.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const name of [
      'ftrag_requests_total',
      'ftrag_request_ack_seconds',
      'ftrag_request_handling_seconds',
      'ftrag_reviews_delivered_total',
      'ftrag_slack_api_calls_total',
      'ftrag_slack_api_errors_total',
      'ftrag_slack_api_call_seconds',
      'ftrag_db_query_seconds',
      'ftrag_in_flight',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // Over HTTP there is no Socket Mode connection to report, not even as down.
    expect(text).not.toContain('ftrag_socket_mode_');
  });

  it('moves after a review: requests by kind, Web API calls, queries, deliveries by verdict', async () => {
    const before = await scrape(running);
    await postReview();
    // A delivery is counted when it is recorded, right after the permalink.
    await expect
      .poll(async () => sample(await scrape(running), 'ftrag_reviews_delivered_total'))
      .toBe(sample(before, 'ftrag_reviews_delivered_total') + 1);
    const after = await scrape(running);
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);

    expect(moved('ftrag_requests_total', { kind: 'slash_command', status: '200' })).toBe(1);
    expect(moved('ftrag_requests_total', { kind: 'view_submission', status: '200' })).toBe(6);
    expect(moved('ftrag_request_ack_seconds_count', { kind: 'view_submission' })).toBe(6);
    expect(moved('ftrag_slack_api_calls_total', { method: 'views.open', result: 'ok' })).toBe(1);
    expect(moved('ftrag_slack_api_calls_total', { method: 'chat.postMessage', result: 'ok' })).toBe(
      2,
    );
    expect(moved('ftrag_slack_api_call_seconds_count', { method: 'chat.getPermalink' })).toBe(1);
    expect(moved('ftrag_db_query_seconds_count', { operation: 'insert' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(moved('ftrag_db_query_seconds_count', { operation: 'update' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(moved('ftrag_reviews_delivered_total', { status: 'posted' })).toBe(1);
    expect(sample(after, 'ftrag_reviews_delivered_total', { verdict: 'rag+fine-tune' })).toBe(1);
  });

  it('counts Slack errors by method and error name', async () => {
    const before = await scrape(running);
    running.fake.failNext('chat.getPermalink', { error: 'message_not_found' });
    await postReview();
    await expect
      .poll(async () =>
        sample(await scrape(running), 'ftrag_slack_api_errors_total', {
          method: 'chat.getPermalink',
          error: 'message_not_found',
        }),
      )
      .toBe(
        sample(before, 'ftrag_slack_api_errors_total', {
          method: 'chat.getPermalink',
          error: 'message_not_found',
        }) + 1,
      );
  });

  it('counts refused requests', async () => {
    const before = await scrape(running);
    const forged = await running.slack.slashCommand({ command: '/ftrag' }, { forge: true });
    expect(forged.status).toBe(401);
    const after = await scrape(running);
    expect(
      sample(after, 'ftrag_requests_total', { kind: 'invalid', status: '401' }) -
        sample(before, 'ftrag_requests_total', { kind: 'invalid', status: '401' }),
    ).toBe(1);
  });
});

describe('logs', () => {
  it('are JSON lines; each Slack request gets one with kind, team, user, ids, status and timings', async () => {
    await postReview();
    // A request's line is written once it is done, and reaches the test through stdout.
    await running.e2e.settleLogs();
    const lines = logLines(running.app);
    const requests = lines.filter((line) => line.msg === 'slack request');
    const command = requests.find((line) => line.kind === 'slash_command');
    expect(command).toMatchObject({
      level: 'info',
      team: 'T0FAKETEAM',
      user: 'U0OBSERVE1',
      command: '/ftrag',
      status: 200,
    });
    expect(typeof command?.ackMs).toBe('number');
    expect(typeof command?.durationMs).toBe('number');
    const step = requests.find((line) => line.kind === 'view_submission');
    expect(step).toMatchObject({
      team: 'T0FAKETEAM',
      user: 'U0OBSERVE1',
      callbackId: 'ftrag_checklist_step',
      status: 200,
    });
    expect(step?.time).toBeGreaterThan(Date.parse('2020-01-01'));
  });

  it('time a request until its listeners finish, the work after the ack included', async () => {
    const HELD_MS = 300;
    const hold = running.fake.holdNext('views.open');
    const opening = openChecklist(running, {
      title: 'Held modal 4d1e',
      problem: 'Held views.open',
    });
    await hold.arrived;
    await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    hold.release();
    await opening;
    await vi.waitFor(() => {
      const held = logLines(running.app).find(
        (line) =>
          line.msg === 'slack request' &&
          line.kind === 'slash_command' &&
          Number(line.durationMs) >= HELD_MS,
      );
      expect(held?.ackMs).toBeLessThan(HELD_MS);
    });
  });

  it('refuse a signed payload no listener could take at once, and say why', async () => {
    const cases = [
      { payload: JSON.stringify({ type: 'mystery_payload' }), answer: 'unknown payload type' },
      { payload: ' null', answer: 'malformed body' },
      { payload: '[{"type":"view_submission"}]', answer: 'malformed body' },
    ];
    for (const { payload, answer } of cases) {
      const started = performance.now();
      const refused = await running.slack.postForm({ payload });
      expect(refused.status).toBe(400);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(refused.bodyText).toBe(answer);
    }
    // Each line is written once its answer has gone out.
    await vi.waitFor(() => {
      const requests = logLines(running.app).filter((line) => line.msg === 'slack request');
      expect(requests).toContainEqual(
        expect.objectContaining({ kind: 'other', status: 400, refused: 'unknown payload type' }),
      );
      expect(
        requests.filter((line) => line.status === 400 && line.refused === 'body is not an object'),
      ).toHaveLength(2);
    });
  });

  it('give requests Bolt answers itself a line of their kind', async () => {
    const verified = await running.slack.postJson({
      type: 'url_verification',
      token: 'legacy',
      challenge: 'challenge-3f9e',
    });
    expect(verified.json).toEqual({ challenge: 'challenge-3f9e' });
    await running.app.waitForLog('"kind":"url_verification"');
    const requests = logLines(running.app).filter((line) => line.msg === 'slack request');
    expect(requests).toContainEqual(
      expect.objectContaining({ kind: 'url_verification', status: 200 }),
    );
  });

  it('answer Slack’s app_rate_limited notice at once, and warn', async () => {
    const response = await running.slack.postJson({
      token: 'legacy',
      type: 'app_rate_limited',
      team_id: 'T0LIMITED1',
      minute_rate_limited: 1_700_000_040,
      api_app_id: 'A0FTRAG001',
    });
    // Unanswered, Bolt would have given up after 3 s with a 404.
    expect(response.status).toBe(200);
    // This notice's own line: settleLogs() sends such notices too.
    await running.app.waitForLog('"team":"T0LIMITED1"');
    const lines = logLines(running.app);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        team: 'T0LIMITED1',
        minuteRateLimited: 1_700_000_040,
      }),
    );
    // The request's own line follows once its answer has gone out.
    await vi.waitFor(() =>
      expect(logLines(running.app)).toContainEqual(
        // Its own team's: settleLogs' notices write lines of this kind too.
        expect.objectContaining({
          msg: 'slack request',
          kind: 'app_rate_limited',
          team: 'T0LIMITED1',
          status: 200,
        }),
      ),
    );
  });

  it('cover every spelling of the events path Bolt would route, and refuse one it can’t parse', async () => {
    const urlVerifications = () =>
      logLines(running.app).filter(
        (l) => l.msg === 'slack request' && l.kind === 'url_verification',
      ).length;
    const before = urlVerifications();
    const body = JSON.stringify({ type: 'url_verification', challenge: 'dot-segments-7c1' });
    const timestamp = unixSeconds();
    const verified = await rawRequest('POST', '/slack/%2e/events', body, {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, body),
    });
    expect(verified).toMatchObject({ status: 200, body: '{"challenge":"dot-segments-7c1"}' });
    await vi.waitFor(() => expect(urlVerifications()).toBe(before + 1));

    expect((await rawRequest('GET', '//', '', {})).status).toBe(404);
    await running.e2e.settleLogs();
    expect(logLines(running.app).filter((l) => l.level === 'error')).toEqual([]);
  });

  it('say, at warn, why a request was not verified as from Slack, and nothing it claims', async () => {
    const forgedTeam = 'T0UNVERIFY';
    const claims = { team: { id: forgedTeam }, user: { id: 'U0UNVERIFY' } };
    const forged = await running.slack.interactive(
      { type: 'block_actions', ...claims, actions: [{ action_id: 'forged_action_7e1' }] },
      { forge: true },
    );
    const stale = await running.slack.interactive(
      { type: 'block_actions', ...claims, actions: [{ action_id: 'stale_action_7e1' }] },
      { stale: true },
    );
    const unsigned = await running.slack.interactive(
      { type: 'block_actions', ...claims, actions: [{ action_id: 'unsigned_action_7e1' }] },
      { omitSignature: true },
    );
    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    await running.e2e.settleLogs();
    const refused = logLines(running.app).filter(
      (l) => l.msg === 'slack request not verified as from Slack',
    );
    expect(refused.map((l) => [l.level, l.kind, l.status, l.refused])).toEqual(
      expect.arrayContaining([
        ['warn', 'invalid', 401, 'Failed to verify authenticity: signature mismatch'],
        [
          'warn',
          'invalid',
          401,
          expect.stringMatching(/^Failed to verify authenticity: .*request is stale$/),
        ],
        ['warn', 'invalid', 401, 'no x-slack-signature header'],
      ]),
    );
    expect(running.app.logs()).not.toMatch(/UNVERIFY|_action_7e1/);
  });

  it('trust nothing else an unsigned SSL check carries', async () => {
    const smuggled = JSON.stringify({
      type: 'view_submission',
      team: { id: 'T0FORGED01' },
      user: { id: 'U0FORGED01' },
      view: { callback_id: 'forged_callback' },
    });
    const response = await fetch(`${running.app.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `ssl_check=1&payload=${encodeURIComponent(smuggled)}`,
    });
    expect(response.status).toBe(200);
    await running.app.waitForLog('"kind":"ssl_check"');
    const line = logLines(running.app).find(
      (l) => l.msg === 'slack request' && l.kind === 'ssl_check',
    );
    expect(line).toMatchObject({ kind: 'ssl_check', status: 200 });
    expect(JSON.stringify(line)).not.toMatch(/FORGED|forged_callback/);
  });

  it('never show a secret, a token or typed text at info level', async () => {
    await postReview();
    // All the review logged, not just what has reached the test so far.
    await running.e2e.settleLogs();
    const output = running.app.logs();
    expect(output).toContain('slack request');
    expect(output).not.toContain(SIGNING_SECRET);
    expect(output).not.toContain(running.fake.botToken);
    expect(output).not.toContain(TITLE);
    expect(output).not.toContain(PROBLEM);
    expect(output).not.toMatch(/"level":"debug"/);
  });

  it('show typed text at debug level only (so the check above can fail)', async () => {
    const debug = await startRunning({ LOG_LEVEL: 'debug' });
    try {
      const viewId = await openChecklist(debug, review);
      await answerUntilLastStep(debug, viewId, review);
      // Once stopped, all it logged is in: lines come through stdout, maybe after the answers.
      await debug.app.stop();
      const output = debug.app.logs();
      expect(output).toContain(TITLE);
      for (const line of logLines(debug.app)) {
        if (JSON.stringify(line).includes(TITLE)) expect(line.level).toBe('debug');
      }
      expect(output).not.toContain(debug.fake.botToken);
      expect(output).not.toContain(SIGNING_SECRET);
    } finally {
      await debug.close();
    }
  });
});

describe('METRICS_ENABLED=false', () => {
  it('leaves /metrics unserved', async () => {
    const off = await startRunning({ METRICS_ENABLED: 'false' });
    try {
      const response = await fetch(`${off.app.baseUrl}/metrics`);
      expect(response.status).toBe(404);
      expect((await fetch(`${off.app.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});

describe('behind a load balancer', () => {
  it('keeps idle connections open longer than balancers reuse them (65 s, not Node’s 5 s)', async () => {
    const response = await fetch(`${running.app.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('answers a HEAD /healthz health check like GET, without a body or a log line', async () => {
    const response = await fetch(`${running.app.baseUrl}/healthz`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    // What Bolt says of a method no route takes, which would be written before its answer.
    await running.e2e.settleLogs();
    expect(running.app.logs()).not.toContain('Unhandled HTTP request');
  });
});
