import type { IncomingMessage } from 'node:http';
import { HTTPModuleFunctions } from '@slack/bolt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FORM_CONTENT_TYPE,
  isSslCheck,
  mayParseToObject,
  parseBody,
} from '../../src/observability/slackRequest.js';

/** What Bolt's own receiver makes of a body: the value, or `threw` when it fails to parse. */
function boltParse(contentType: string, body: Buffer): { value: unknown } | 'threw' {
  const request = { headers: { 'content-type': contentType }, rawBody: body };
  try {
    return {
      value: HTTPModuleFunctions.parseHTTPRequestBody(
        request as unknown as IncomingMessage & { rawBody: Buffer },
      ),
    };
  } catch {
    return 'threw';
  }
}

const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const whitespace = fc
  .array(fc.constantFrom(' ', '\t', '\n', '\r'), { maxLength: 3 })
  .map((chars) => chars.join(''));

/** JSON text of any value, awkward ones included, sometimes after whitespace. */
const jsonText = fc
  .tuple(
    whitespace,
    fc.oneof(
      fc.json(),
      fc.constantFrom('null', '0', '"x"', '[]', '[{}]', 'true', '{}', '{"type":"view_submission"}'),
      fc.string({ maxLength: 20 }),
    ),
  )
  .map(([space, text]) => space + text);

/** One way or another of writing a form-encoded text. */
const encoding = fc.constantFrom<(text: string) => string>(
  (text) => new URLSearchParams({ x: text }).toString().slice(2),
  encodeURIComponent,
  (text) => text.replaceAll('&', '%26').replaceAll('=', '%3D'),
  (text) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
);

const payloadKey = fc.constantFrom('payload', 'p%61yload', '%70ayload', 'payload+', 'Payload');

/** Forms with zero, one or several payload fields among other fields, oddly encoded at times. */
const formBody = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc
          .tuple(payloadKey, jsonText, encoding)
          .map(([key, text, encode]) => `${key}=${encode(text)}`),
        fc
          .tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), encoding)
          .map(([key, value, encode]) => `${encode(key)}=${encode(value)}`),
        fc.constantFrom('', 'payload', 'payload=', 'payload=%7', 'payload=%zz{', 'a=%E0%A4%A'),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([pairs]) => pairs.join('&'));

describe('mayParseToObject', () => {
  it('agrees with Bolt’s parser on every form body it can parse', () => {
    fc.assert(
      fc.property(formBody, (text) => {
        const body = Buffer.from(text);
        const bolt = boltParse(FORM_CONTENT_TYPE, body);
        if (bolt === 'threw') return;
        expect(mayParseToObject(FORM_CONTENT_TYPE, body)).toBe(isObject(bolt.value));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Bolt’s parser on every other body it can parse', () => {
    fc.assert(
      fc.property(
        jsonText,
        fc.constantFrom('application/json', `${FORM_CONTENT_TYPE}; charset=utf-8`, 'text/plain'),
        (text, contentType) => {
          const body = Buffer.from(text);
          const bolt = boltParse(contentType, body);
          if (bolt === 'threw') return;
          expect(mayParseToObject(contentType, body)).toBe(isObject(bolt.value));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('catches the bodies that would crash Bolt, and passes Slack’s own', () => {
    const form = (fields: Record<string, string>) =>
      Buffer.from(new URLSearchParams(fields).toString());
    expect(mayParseToObject(FORM_CONTENT_TYPE, form({ payload: 'null' }))).toBe(false);
    expect(mayParseToObject(FORM_CONTENT_TYPE, Buffer.from('p%61yload=+null'))).toBe(false);
    expect(mayParseToObject('application/json', Buffer.from(' null'))).toBe(false);
    expect(mayParseToObject('application/json', Buffer.from(''))).toBe(false);
    const viewSubmission = JSON.stringify({ type: 'view_submission', view: { id: 'V1' } });
    expect(mayParseToObject(FORM_CONTENT_TYPE, form({ payload: viewSubmission }))).toBe(true);
    expect(mayParseToObject(FORM_CONTENT_TYPE, form({ command: '/ftrag', text: 'x' }))).toBe(true);
    expect(mayParseToObject('application/json', Buffer.from('{"type":"event_callback"}'))).toBe(
      true,
    );
  });
});

describe('parseBody', () => {
  it('reads a body as Bolt’s receiver does', () => {
    const payload = new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission' }) });
    expect(parseBody(FORM_CONTENT_TYPE, Buffer.from(payload.toString()))).toEqual({
      type: 'view_submission',
    });
    expect({
      ...(parseBody(FORM_CONTENT_TYPE, Buffer.from('ssl_check=0&token=x')) as object),
    }).toEqual({ ssl_check: '0', token: 'x' });
    // An SSL check is answered unsigned: Bolt keeps its ssl_check and drops the rest.
    expect(
      parseBody(FORM_CONTENT_TYPE, Buffer.from('ssl_check=1&token=x&payload=%7B%22type%22%3A1%7D')),
    ).toEqual({ ssl_check: '1' });
    expect(parseBody('application/json', Buffer.from('{"type":"url_verification"}'))).toEqual({
      type: 'url_verification',
    });
    expect(() => parseBody(FORM_CONTENT_TYPE, Buffer.from('payload=%7Bnot-json'))).toThrow();
    expect(() => parseBody(`${FORM_CONTENT_TYPE}; charset=utf-8`, Buffer.from('a=b'))).toThrow();
  });
});

/** Whether Bolt's verifying receiver lets `body` through unsigned: only as an SSL check. */
async function boltPassesUnsigned(contentType: string, body: Buffer): Promise<boolean> {
  const request = { headers: { 'content-type': contentType }, rawBody: body };
  try {
    await HTTPModuleFunctions.parseAndVerifyHTTPRequest(
      { enabled: true, signingSecret: 'ssl-check-test-secret' },
      request as unknown as IncomingMessage & { rawBody: Buffer },
    );
    return true;
  } catch {
    return false;
  }
}

describe('isSslCheck', () => {
  const piece = fc.constantFrom(
    'ssl_check=1',
    'ssl_check=0',
    'ssl_check=',
    'ssl_check',
    'ssl%5Fcheck=1',
    'ssl_check=%31',
    'ssl_check=1+',
    'SSL_CHECK=1',
    'token=x',
    'payload=%7B%22type%22%3A%22view_submission%22%7D',
    '',
  );
  const form = fc
    .array(fc.oneof(piece, fc.string({ maxLength: 12 })), { maxLength: 5 })
    .map((pieces) => pieces.join('&'));
  const contentType = fc.constantFrom(
    FORM_CONTENT_TYPE,
    `${FORM_CONTENT_TYPE}; charset=utf-8`,
    'application/json',
  );

  it('lets through unsigned exactly what Bolt’s verifying receiver lets through', async () => {
    await fc.assert(
      fc.asyncProperty(contentType, form, async (type, text) => {
        const body = Buffer.from(text);
        expect(isSslCheck(type, body)).toBe(await boltPassesUnsigned(type, body));
      }),
      { numRuns: 2000 },
    );
    expect(isSslCheck(FORM_CONTENT_TYPE, Buffer.from('token=x&ssl_check=1'))).toBe(true);
    expect(isSslCheck(FORM_CONTENT_TYPE, Buffer.from('ssl_check=1&ssl_check=1'))).toBe(false);
    expect(isSslCheck('application/json', Buffer.from('{"ssl_check":"1"}'))).toBe(false);
  });
});
