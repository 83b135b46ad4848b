/**
 * SIGTERM in the middle of a final submission: the verdict is posted before the process exits, or
 * (when Slack is too slow for the shutdown timeout) stays pending for App Home's "post again" —
 * never lost — and the exit code is 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  answerUntilLastStep,
  logLines,
  openChecklist,
  type Running,
  startRunning,
  submitStep,
} from '../observability/support.js';
import { reviewsIn, stopWithOneQueued } from './support.js';

let running: Running | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refusesConnections(baseUrl: string): Promise<boolean> {
  try {
    await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe('graceful shutdown', () => {
  it('finishes a delivery caught by SIGTERM, refusing new connections meanwhile, and exits 0', async () => {
    running = await startRunning();
    const { fake, app } = running;
    const review = { title: 'Shutdown mid-delivery', problem: 'SIGTERM while posting' };
    const viewId = await openChecklist(running, review);
    await answerUntilLastStep(running, viewId, review);

    // Slack takes its time with the verdict: the app is still posting when SIGTERM arrives.
    const held = fake.holdNext('chat.postMessage');
    const before = fake.calls.length;
    const submitted = await submitStep(running, viewId, review);
    expect(submitted.status).toBe(200);
    await held.arrived;
    const exit = app.stop('SIGTERM');

    await app.waitForLog('shutting down');
    expect(await refusesConnections(app.baseUrl)).toBe(true);
    await sleep(300);
    expect(app.exited()).toBeUndefined();

    held.release();
    expect(await exit).toEqual({ code: 0, signal: null });
    const reply = await fake.waitFor(
      'chat.postMessage',
      (call) => call.index >= before && call.args.thread_ts !== undefined,
    );
    expect(reply.response?.ok).toBe(true);
    const [saved] = await reviewsIn(running.databaseUrl);
    expect(saved?.status).toBe('posted');
    expect(saved?.answers.title).toBe(review.title);
    expect(logLines(app).map((line) => line.msg)).toContain('stopped');
  });

  it('waits for a request still in its listener (views.open after the ack)', async () => {
    running = await startRunning();
    const { fake, app } = running;
    const held = fake.holdNext('views.open');
    const opened = openChecklist(running, { title: 'Opened while stopping', problem: '' });
    await held.arrived;
    const exit = app.stop('SIGTERM');
    await app.waitForLog('shutting down');
    held.release();
    await opened;
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(fake.callsTo('views.open').at(-1)?.response?.ok).toBe(true);
  });

  it('leaves the review pending (never lost) when Slack is slower than the shutdown timeout', async () => {
    running = await startRunning({ SHUTDOWN_TIMEOUT_MS: '500' });
    const { fake, app } = running;
    const review = { title: 'Shutdown timeout', problem: 'Slack never answers in time' };
    const viewId = await openChecklist(running, review);
    await answerUntilLastStep(running, viewId, review);

    const held = fake.holdNext('chat.postMessage');
    const submitted = await submitStep(running, viewId, review);
    expect(submitted.status).toBe(200);
    await held.arrived;
    const started = performance.now();
    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(5_000);
    held.release();

    const [saved] = await reviewsIn(running.databaseUrl);
    expect(saved?.status).toBe('pending');
    expect(saved?.answers.title).toBe(review.title);
    expect(app.logs()).toContain('shutdown timeout reached');
  });

  it('lets the postings already running finish, but starts none of those waiting their turn', async () => {
    running = await startRunning({ SHUTDOWN_TIMEOUT_MS: '8000' });
    const { fake, app } = running;
    const exit = stopWithOneQueued(running, 'Queued at shutdown');
    expect(await exit).toEqual({ code: 0, signal: null });
    const saved = await reviewsIn(running.databaseUrl);
    const byStatus = (status: string) => saved.filter((review) => review.status === status);
    expect(byStatus('posted')).toHaveLength(8);
    const [waiting] = byStatus('pending');
    expect(byStatus('pending')).toHaveLength(1);
    // Never posted: it stays pending, for App Home's Post again (here or on another instance).
    const verdicts = fake
      .callsTo('chat.postMessage')
      .filter((call) => call.args.thread_ts === undefined);
    expect(verdicts).toHaveLength(8);
    expect(JSON.stringify(verdicts.map((call) => call.args))).not.toContain(
      waiting?.answers.title ?? '?',
    );
    expect(app.logs()).toContain(`review ${waiting?.id} was not posted: the instance is stopping`);
  }, 60_000);

  it('exits 0 on SIGINT when idle', async () => {
    running = await startRunning();
    expect(await running.app.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('with SHUTDOWN_DELAY_MS, keeps answering Slack while /healthz says 503, then stops', async () => {
    // Long enough for the checks below on a busy machine; the harness kills only after 10 s.
    running = await startRunning({ SHUTDOWN_DELAY_MS: '6000' });
    const { app } = running;
    const exit = app.stop('SIGTERM');
    await app.waitForLog('shutting down soon');

    // A load balancer's health check on a new connection sees the instance going away…
    const health = await fetch(`${app.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    expect(health.status).toBe(503);
    expect(health.headers.get('connection')).toBe('close');
    // …while a request it still routes here is served as usual.
    const viewId = await openChecklist(running, {
      title: 'Routed here while draining',
      problem: '',
    });
    expect(viewId).toBeTruthy();
    expect(app.exited()).toBeUndefined();

    expect(await exit).toEqual({ code: 0, signal: null });
    const messages = logLines(app).map((line) => line.msg);
    expect(
      messages.indexOf(
        'shutting down: no new requests; finishing requests and deliveries in flight',
      ),
    ).toBeGreaterThan(messages.findIndex((msg) => String(msg).startsWith('shutting down soon')));
  });

  it('does not wait for the load balancer on SIGINT (someone at a terminal)', async () => {
    running = await startRunning({ SHUTDOWN_DELAY_MS: '60000' });
    expect(await running.app.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(running.app.logs()).not.toContain('shutting down soon');
  });
});
