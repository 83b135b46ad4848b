/**
 * GatedApp's look at each request before Bolt dispatches it, driven through Bolt's own
 * processEvent with a receiver of the test's (as Socket Mode's receiver would call it).
 */
import type { Receiver, ReceiverEvent } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { GatedApp, UnusablePayloadError } from '../../src/observability/gatedApp.js';
import { RequestRecord } from '../../src/observability/slackEndpoint.js';
import { capturedLog } from '../support/capturedLog.js';

class TestReceiver implements Receiver {
  init(): void {}
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

function gatedApp() {
  const { log, lines } = capturedLog();
  const app = new GatedApp(
    {
      token: 'xoxb-test-token',
      receiver: new TestReceiver(),
      // Given both, Bolt's single-workspace authorize never calls auth.test.
      botId: 'B0GATED01',
      botUserId: 'U0GATEDBOT',
      convoStore: false,
    },
    { log, metrics: null },
  );
  const contexts: Record<string, unknown>[] = [];
  app.command('/ftrag', async ({ ack, context }) => {
    contexts.push(context);
    await ack();
  });
  return { app, lines, contexts };
}

const slashCommand = {
  command: '/ftrag',
  text: 'typed text',
  team_id: 'T0GATED01',
  user_id: 'U0GATED01',
  channel_id: 'C0GATED01',
  trigger_id: '1.2.3',
};

function event(body: Record<string, unknown>, customProperties?: Record<string, unknown>) {
  const acks: unknown[] = [];
  const received: ReceiverEvent = {
    body,
    ack: async (response) => {
      acks.push(response);
    },
    ...(customProperties ? { customProperties } : {}),
  };
  return { received, acks };
}

describe('GatedApp', () => {
  it('puts the kind and ids on the request’s record, and keeps the record out of the context', async () => {
    const { app, contexts, lines } = gatedApp();
    const record = new RequestRecord(() => {});
    const { received, acks } = event(slashCommand, { ftragRequestRecord: record, region: 'eu' });
    await app.processEvent(received);
    expect(acks).toHaveLength(1);
    expect(record.facts).toEqual({
      kind: 'slash_command',
      team: 'T0GATED01',
      user: 'U0GATED01',
      command: '/ftrag',
    });
    expect(contexts[0]).toMatchObject({ region: 'eu' });
    expect(contexts[0]).not.toHaveProperty('ftragRequestRecord');
    // Over HTTP the endpoint writes the line once the answer is sent, not dispatch.
    expect(lines.filter((line) => line.msg === 'slack request')).toHaveLength(0);
  });

  it('keeps an HTTP request in flight until its listeners finish, work after the ack included', async () => {
    const { app } = gatedApp();
    let release: () => void = () => {};
    const afterAck = new Promise<void>((resolve) => {
      release = resolve;
    });
    app.command('/later', async ({ ack }) => {
      await ack();
      await afterAck;
    });
    const done: RequestRecord[] = [];
    const record = new RequestRecord((finished) => done.push(finished));
    const { received, acks } = event(
      { ...slashCommand, command: '/later' },
      { ftragRequestRecord: record },
    );
    const processing = app.processEvent(received);
    await new Promise((resolve) => setTimeout(resolve, 20));
    record.settle(); // the endpoint's part: the answer has been sent
    expect(acks).toHaveLength(1);
    expect(done).toHaveLength(0);
    release();
    await processing;
    expect(done).toEqual([record]);
    // The 20 ms wait counts from the event loop's whole-millisecond clock: up to 1 ms less here.
    expect(record.durationMs).toBeGreaterThanOrEqual(19);
    record.settle();
    expect(done).toHaveLength(1);
  });

  it('refuses what Bolt could not dispatch when it came over HTTP', async () => {
    const { app } = gatedApp();
    for (const [body, reason] of [
      [{ type: 'mystery_payload' }, 'unknown payload type'],
      [[], 'body is not an object'],
    ] as const) {
      const record = new RequestRecord(() => {});
      const { received } = event(body as unknown as Record<string, unknown>, {
        ftragRequestRecord: record,
      });
      await expect(app.processEvent(received)).rejects.toThrow(UnusablePayloadError);
      expect(record.refused).toBe(reason);
    }
  });

  it('times and reports a request with no record (Socket Mode) itself', async () => {
    const { app, lines } = gatedApp();
    const { received, acks } = event(slashCommand);
    await app.processEvent(received);
    expect(acks).toHaveLength(1);
    const requests = lines.filter((line) => line.msg === 'slack request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ kind: 'slash_command', team: 'T0GATED01' });
    expect(typeof requests[0]?.durationMs).toBe('number');
    expect(JSON.stringify(requests[0])).not.toContain('typed text');
  });

  it('counts a Socket Mode envelope as waiting for its ack until the ack is sent, not until its listeners end', async () => {
    const { app } = gatedApp();
    let read: () => void = () => {};
    const reading = new Promise<void>((resolve) => {
      read = resolve;
    });
    let finish: () => void = () => {};
    const afterAck = new Promise<void>((resolve) => {
      finish = resolve;
    });
    app.command('/reads-first', async ({ ack }) => {
      await reading;
      await ack();
      await afterAck;
    });
    const { received, acks } = event({ ...slashCommand, command: '/reads-first' });
    const processing = app.processEvent(received);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(app.unacknowledged.size).toBe(1);
    const acked = app.unacknowledged.drain(1_000);
    read();
    expect(await acked).toBe(true);
    expect(acks).toHaveLength(1);
    expect(app.socketRequests.size).toBe(1);
    finish();
    await processing;
    expect(app.socketRequests.size).toBe(0);
  });

  it('stops waiting for an ack once the listeners end without one', async () => {
    const { app } = gatedApp();
    app.command('/fails', async () => {
      throw new Error('failed before its ack');
    });
    const errors: string[] = [];
    app.error(async (error) => {
      errors.push(error.message);
    });
    const { received, acks } = event({ ...slashCommand, command: '/fails' });
    await app.processEvent(received);
    expect(errors).toEqual(['failed before its ack']);
    expect(acks).toHaveLength(0);
    expect(app.unacknowledged.size).toBe(0);
  });
});
