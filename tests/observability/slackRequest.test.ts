import { parse as parseQueryString } from 'node:querystring';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSslCheck, parseBody, parseForm } from '../../src/observability/slackRequest.js';

describe('parseForm and parseBody', () => {
  it('read forms exactly as node:querystring does', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }))),
        (fields) => {
          const params = new URLSearchParams();
          for (const [key, value] of Object.entries(fields)) {
            for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
          }
          const text = params.toString();
          expect({ ...parseForm(text) }).toEqual({ ...parseQueryString(text) });
        },
      ),
    );
  });

  it('fall back to lenient decoding for malformed escapes', () => {
    expect({ ...parseForm('a=%E0%A4%A&b=%zz&c=ok') }).toEqual({
      ...parseQueryString('a=%E0%A4%A&b=%zz&c=ok'),
    });
  });

  it('take a form’s payload as JSON, other forms as fields, other types as JSON', () => {
    const form = 'application/x-www-form-urlencoded';
    const payload = new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission' }) });
    expect(parseBody(form, Buffer.from(payload.toString()))).toEqual({ type: 'view_submission' });
    expect({
      ...(parseBody(`${form}; charset=utf-8`, Buffer.from('command=%2Fftrag')) as object),
    }).toEqual({
      command: '/ftrag',
    });
    expect(parseBody('application/json', Buffer.from('{"type":"event_callback"}'))).toEqual({
      type: 'event_callback',
    });
    expect(() => parseBody(form, Buffer.from('payload=%7Bnot-json'))).toThrow();
    expect(() => parseBody(undefined, Buffer.from('nope'))).toThrow();
  });

  it('never let a form key reach Object.prototype', () => {
    const parsed = parseForm('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(parsed)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('recognize Slack’s SSL check', () => {
    const form = 'application/x-www-form-urlencoded';
    expect(isSslCheck(form, Buffer.from('ssl_check=1&token=abc'))).toBe(true);
    expect(isSslCheck(form, Buffer.from('ssl_check=0'))).toBe(false);
    expect(isSslCheck('application/json', Buffer.from('ssl_check=1'))).toBe(false);
  });
});
