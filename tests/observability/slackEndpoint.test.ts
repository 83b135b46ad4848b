/**
 * The guard verifies signatures for Bolt's receiver, which is built not to: it must cover every
 * path the receiver dispatches, or a request on another one would reach listeners unverified.
 */
import { HTTPReceiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { SlackEndpoint } from '../../src/observability/slackEndpoint.js';
import { capturedLog } from '../support/capturedLog.js';

const PATH = '/slack/events';

function endpoint(): SlackEndpoint {
  return new SlackEndpoint({
    signingSecret: 'endpoint-test-secret',
    path: PATH,
    log: capturedLog().log,
    metrics: null,
  });
}

function receiver(endpoints: string | string[]): HTTPReceiver {
  return new HTTPReceiver({
    signingSecret: 'endpoint-test-secret',
    endpoints,
    signatureVerification: false,
  });
}

describe('SlackEndpoint.install', () => {
  it('takes a receiver whose only endpoint is the guarded path, and stands in front of it', () => {
    const guarded = receiver(PATH);
    const bolt = guarded.requestListener;
    endpoint().install(guarded);
    expect(guarded.requestListener).not.toBe(bolt);
  });

  it.each([
    ['another endpoint besides', [PATH, '/slack/actions']],
    ['another endpoint instead', ['/slack/actions']],
    ['the path spelled otherwise', ['/slack/events/']],
  ])('refuses a receiver with %s: Bolt would dispatch it unverified', (_case, endpoints) => {
    const unguarded = receiver(endpoints);
    const bolt = unguarded.requestListener;
    expect(() => endpoint().install(unguarded)).toThrow(/endpoints must be the guarded path/);
    expect(unguarded.requestListener).toBe(bolt);
  });
});
