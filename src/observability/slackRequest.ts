import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString, unescape as unescapeQueryString } from 'node:querystring';

/**
 * Reading a request before Bolt's receiver takes it (see slackEndpoint.ts). Nothing here decides
 * whether a request is trusted (the guard does, with Bolt's own verifier), and Bolt parses every
 * body it dispatches.
 */

/** Bolt's default: Slack's payloads are far smaller. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** Past this, an oversized body is cut off rather than read to its end. */
const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Reads the whole body, refusing more than `limit` bytes, and calls `done` once. An oversized body
 * is still read to its end (and dropped), so the client gets the 413 instead of a reset connection;
 * only a body past 16 MB is cut off. A callback rather than a promise: this runs on every request.
 */
export function readBody(
  req: IncomingMessage,
  done: (read: BodyRead) => void,
  limit = BODY_LIMIT_BYTES,
): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > DISCARD_LIMIT_BYTES) {
    done({ ok: false, reason: 'too-large' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (result: BodyRead): void => {
    if (finished) return;
    finished = true;
    done(result);
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
}

/** The one content type Bolt's receiver reads as a form (it compares the header exactly). */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** node:querystring's default `maxKeys`: Bolt's form parser ignores the pairs after these. */
const FORM_MAX_PAIRS = 1000;

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;
const OPEN_BRACE = 0x7b;

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Whether JSON text in `body[start, end)` starts with `{` after whitespace, form-decoding it if asked. */
function startsWithBrace(body: Buffer, start: number, end: number, formEncoded: boolean): boolean {
  let at = start;
  while (at < end) {
    let byte = body[at] ?? 0;
    let width = 1;
    if (formEncoded && byte === PLUS) byte = 0x20;
    else if (formEncoded && byte === PERCENT) {
      const high = hexValue(body[at + 1]);
      const low = hexValue(body[at + 2]);
      // A malformed escape stays a literal '%', as node:querystring's lenient decoding leaves it.
      if (high >= 0 && low >= 0 && at + 2 < end) {
        byte = high * 16 + low;
        width = 3;
      }
    }
    if (!isJsonWhitespace(byte)) return byte === OPEN_BRACE;
    at += width;
  }
  return false;
}

function isPayloadKey(body: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (length === 7) return body.toString('latin1', start, end) === 'payload';
  // An escaped key ('p%61yload') decodes to at most its own length; without a '%' a longer key
  // can't decode to 'payload' ('+' decodes to a space).
  if (length < 7 || length > 64) return false;
  const percent = body.indexOf(PERCENT, start);
  if (percent === -1 || percent >= end) return false;
  const raw = body.toString('utf8', start, end);
  return unescapeQueryString(raw.replaceAll('+', ' ')) === 'payload';
}

/**
 * Whether Bolt's receiver could parse `body` to a JSON object, judged from first characters only
 * (cheap on a 15 KB payload). Mirrors Bolt's `parseHTTPRequestBody`: a form is an object unless it
 * has exactly one `payload` field, which is parsed as JSON; any other content type is parsed as
 * JSON. A body that fails to parse is Bolt's to refuse (400); what this catches is a body that parses
 * to something else (`null` makes Bolt 5.1's receiver throw outside its error handling).
 */
export function mayParseToObject(contentType: string | undefined, body: Buffer): boolean {
  if (contentType !== FORM_CONTENT_TYPE) return startsWithBrace(body, 0, body.length, false);
  let payloadStart = -1;
  let payloadEnd = -1;
  let payloads = 0;
  let start = 0;
  for (let pairs = 0; pairs < FORM_MAX_PAIRS && start <= body.length; pairs++) {
    const ampersand = body.indexOf(AMPERSAND, start);
    const end = ampersand === -1 ? body.length : ampersand;
    const equals = body.indexOf(EQUALS, start);
    const keyEnd = equals === -1 || equals > end ? end : equals;
    if (isPayloadKey(body, start, keyEnd)) {
      payloads += 1;
      payloadStart = keyEnd === end ? end : keyEnd + 1;
      payloadEnd = end;
    }
    if (ampersand === -1) break;
    start = ampersand + 1;
  }
  // No payload field: the form's own fields. Repeated: an array, which Bolt leaves as fields too.
  if (payloads !== 1) return true;
  return startsWithBrace(body, payloadStart, payloadEnd, true);
}

/** What Bolt's receiver keeps of an SSL check's body: the rest is unsigned, so never read. */
export const SSL_CHECK_FORM = 'ssl_check=1';

/**
 * Whether Bolt's receiver would take `body` for Slack's SSL check, which Slack sends unsigned: a
 * form whose `ssl_check` field is `1`. Parses the whole form: only for bodies not signed by Slack.
 */
export function isSslCheck(contentType: string | undefined, body: Buffer): boolean {
  return (
    contentType === FORM_CONTENT_TYPE && parseQueryString(body.toString('utf8')).ssl_check === '1'
  );
}

/**
 * The request's content as Bolt's receiver reads it: with the form content type, an SSL check's
 * `ssl_check` alone, else the `payload` field as JSON when there is exactly one, else the form's
 * fields; any other content type as JSON.
 * Throws on malformed JSON. Only for requests Bolt answered without dispatching them (the log line
 * of a URL verification, say): dispatched ones are read from Bolt's own parse.
 */
export function parseBody(contentType: string | undefined, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (contentType !== FORM_CONTENT_TYPE) return JSON.parse(text);
  const form = parseQueryString(text);
  // Bolt answers an SSL check unsigned and keeps nothing else of its body, smuggled fields included.
  if (form.ssl_check === '1') return { ssl_check: '1' };
  const payload = form.payload;
  return typeof payload === 'string' ? JSON.parse(payload) : form;
}
