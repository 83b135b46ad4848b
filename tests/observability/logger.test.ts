import { describe, expect, it } from 'vitest';
import { scrubSecrets, serializeError } from '../../src/observability/logger.js';

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
