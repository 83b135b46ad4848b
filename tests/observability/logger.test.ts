import { describe, expect, it } from 'vitest';
import {
  BoltLogger,
  reportUnhandledRejection,
  scrubSecrets,
  serializeError,
} from '../../src/observability/logger.js';
import { capturedLog } from '../support/capturedLog.js';

describe('serializeError', () => {
  it('keeps the Slack error name and drops request details', () => {
    const error = Object.assign(new Error('An API error occurred: channel_not_found'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'channel_not_found' },
      headers: { authorization: 'Bearer xoxb-1234-secret' },
    });
    const serialized = serializeError(error);
    expect(serialized).toMatchObject({
      type: 'Error',
      code: 'slack_webapi_platform_error',
      slackError: 'channel_not_found',
    });
    expect(JSON.stringify(serialized)).not.toContain('xoxb-1234-secret');
  });

  it('describes a rejection with a plain object instead of printing [object Object]', () => {
    const serialized = serializeError({ code: 'ECONNREFUSED', token: 'xoxb-99-secret' });
    expect(serialized.type).toBe('object');
    expect(serialized.message).toContain('ECONNREFUSED');
    expect(serialized.message).not.toContain('xoxb-99-secret');
    expect(serializeError('plain text').message).toBe('plain text');
  });

  it('scrubs tokens and Bearer credentials from text', () => {
    expect(scrubSecrets('token xoxb-1-2-abc and xapp-1-A-b, Bearer abc.def')).toBe(
      'token [token] and [token], Bearer [token]',
    );
  });
});

describe('scrubSecrets on OAuth arguments', () => {
  it('masks client_secret and code in a JSON body, and leaves the other fields', () => {
    expect(
      scrubSecrets(
        'http request body: {"client_id":"123.456","client_secret":"cs-0123\\"abc","code":"77.88.aa","redirect_uri":"https://x/y"}',
      ),
    ).toBe(
      'http request body: {"client_id":"123.456","client_secret":"[secret]","code":"[secret]","redirect_uri":"https://x/y"}',
    );
    expect(scrubSecrets('{ "code" : "77.88.aa" }')).toBe('{ "code" : "[secret]" }');
  });

  it('masks them in a form body and a query string', () => {
    expect(scrubSecrets('client_id=123.456&client_secret=cs-0123&code=77.88.aa&x=1')).toBe(
      'client_id=123.456&client_secret=[secret]&code=[secret]&x=1',
    );
    expect(scrubSecrets('GET /slack/oauth_redirect?code=77.88.aa&state=s1')).toBe(
      'GET /slack/oauth_redirect?code=[secret]&state=s1',
    );
    expect(scrubSecrets('body: code=77.88.aa')).toBe('body: code=[secret]');
  });

  it('leaves words that only end in code, and other text, as they are', () => {
    const text = 'zipcode=12345 and barcode: "9" with no secrets, status code 500';
    expect(scrubSecrets(text)).toBe(text);
  });

  it('keeps them out of a BoltLogger debug line', async () => {
    const { log, lines } = capturedLog();
    log.level = 'debug';
    new BoltLogger(log).debug('http request body: {"client_secret":"cs-9999","code":"1.2.3"}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.stringify(lines)).not.toMatch(/cs-9999|1\.2\.3/);
  });
});

describe('BoltLogger', () => {
  it('logs the errors it was told to expect at debug, and every other error as an error', async () => {
    const { log, lines } = capturedLog();
    log.level = 'debug';
    const bolt = new BoltLogger(log);
    bolt.error('WebSocket error occurred: before');
    bolt.demoteErrors(/^WebSocket error/);
    bolt.error('WebSocket error occurred: ');
    bolt.error('An unhandled error occurred while Bolt processed an event');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => `${line.level} ${line.msg}`)).toEqual([
      'error WebSocket error occurred: before',
      'debug WebSocket error occurred: ',
      'error An unhandled error occurred while Bolt processed an event',
    ]);
  });

  it('logs the warnings it was told to expect at debug, and errors that match them as errors', async () => {
    const { log, lines } = capturedLog();
    log.level = 'debug';
    const bolt = new BoltLogger(log);
    bolt.demoteWarnings(/^Authorization of incoming event did not succeed/);
    bolt.warn('Authorization of incoming event did not succeed. No listeners will be called.');
    bolt.error('Authorization of incoming event did not succeed, as an error');
    bolt.warn('Some other warning');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => `${line.level} ${line.msg}`)).toEqual([
      'debug Authorization of incoming event did not succeed. No listeners will be called.',
      'error Authorization of incoming event did not succeed, as an error',
      'warn Some other warning',
    ]);
  });

  it('logs an Error alone at debug once told to, and an Error with text as an error', async () => {
    const { log, lines } = capturedLog();
    log.level = 'debug';
    const bolt = new BoltLogger(log);
    bolt.demoteBareErrors();
    bolt.error(new Error('User cancelled the OAuth installation flow!'));
    bolt.error('An unhandled error', new Error('boom'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => `${line.level} ${line.msg}`)).toEqual([
      'debug User cancelled the OAuth installation flow!',
      'error An unhandled error',
    ]);
  });

  it('drops a demoted error when debug is off', async () => {
    const { log, lines } = capturedLog();
    const bolt = new BoltLogger(log);
    bolt.demoteErrors(/^WebSocket error/);
    bolt.error('WebSocket error! SMWebsocketError');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
  });
});

describe('reportUnhandledRejection', () => {
  it('logs the rejection’s error once serialized, and counts it', async () => {
    const { log, lines } = capturedLog();
    let counted = 0;
    const report = reportUnhandledRejection(log, () => {
      counted += 1;
    });
    report(new TypeError('boom xoxb-1-2-secret'));
    report({ code: 'ECONNRESET' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(counted).toBe(2);
    expect(lines.map((line) => line.err)).toEqual([
      expect.objectContaining({ type: 'TypeError', message: 'boom [token]' }),
      expect.objectContaining({ type: 'object', message: expect.stringContaining('ECONNRESET') }),
    ]);
    expect(lines.every((line) => line.level === 'error')).toBe(true);
  });
});

describe('Bolt’s lines about requests it did not route', () => {
  it('name the path without its query string, cut short', async () => {
    const { log, lines } = capturedLog();
    const bolt = new BoltLogger(log);
    const query = `?q=${'typed-by-anyone '.repeat(200)}`;
    bolt.info(`Unhandled HTTP request (GET) made to /nowhere${query}`);
    bolt.info(`An unhandled HTTP request (POST) made to /${'x'.repeat(500)} was ignored`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => line.msg)).toEqual([
      'Unhandled HTTP request (GET) made to /nowhere (query left out)',
      `An unhandled HTTP request (POST) made to /${'x'.repeat(99)}… was ignored`,
    ]);
  });
});
