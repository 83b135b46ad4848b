import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';

/**
 * Reading and classifying a request before Bolt's receiver takes it (see slackEndpoint.ts). Nothing
 * here decides whether a request is trusted: Bolt verifies every signature.
 */

/** Bolt's default: Slack's payloads are far smaller. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** Past this, an oversized body is cut off rather than read to its end. */
const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Reads the whole body, refusing more than `limit` bytes. An oversized body is still read to its
 * end (and dropped), so the client gets the 413 instead of a reset connection; only a body past
 * 16 MB is cut off.
 */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > DISCARD_LIMIT_BYTES) {
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyRead): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DISCARD_LIMIT_BYTES) {
        req.destroy();
        finish({ ok: false, reason: 'too-large' });
      }
    });
    req.once('end', () =>
      finish(
        size <= limit
          ? { ok: true, body: Buffer.concat(chunks, size) }
          : { ok: false, reason: 'too-large' },
      ),
    );
    req.once('error', () => finish({ ok: false, reason: size > limit ? 'too-large' : 'aborted' }));
    req.once('aborted', () => finish({ ok: false, reason: 'aborted' }));
  });
}

const FORM = 'application/x-www-form-urlencoded';

function isForm(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim();
  return media.toLowerCase() === FORM;
}

type Form = Record<string, string | string[]>;

function decodeComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  return decodeURIComponent(text.replaceAll('+', ' '));
}

/**
 * A form body as node:querystring parses it (repeated keys become arrays), on the engine's native
 * decodeURIComponent; malformed escapes fall back to querystring's lenient decoding.
 */
export function parseForm(text: string): Form {
  const form: Form = Object.create(null);
  try {
    for (const pair of text.split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const key = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
      const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1));
      const existing = form[key];
      if (existing === undefined) form[key] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else form[key] = [existing, value];
    }
  } catch {
    return parseQueryString(text) as Form;
  }
  return form;
}

/**
 * The request's content, as Bolt reads it: a form's `payload` field as JSON when there is one,
 * else the form's fields; any other content type as JSON. Throws on malformed JSON.
 */
export function parseBody(contentType: string | undefined, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (!isForm(contentType)) return JSON.parse(text);
  const form = parseForm(text);
  const payload = form.payload;
  return typeof payload === 'string' ? JSON.parse(payload) : form;
}

/** Slack's SSL check: an unsigned form `ssl_check=1&token=…`, answered 200 and otherwise ignored. */
export function isSslCheck(contentType: string | undefined, body: Buffer): boolean {
  if (!isForm(contentType) || body.length > 1024) return false;
  return parseForm(body.toString('utf8')).ssl_check === '1';
}
