import fs from 'node:fs';
import path from 'node:path';
import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../support/paths.js';
import {
  isValidSlackSignature,
  signSlackRequest,
  slackSignatureHeaders,
  unixSeconds,
} from '../support/signing.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = 1531420618;
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('signSlackRequest', () => {
  it('matches the known-answer vector in shared/README.md', () => {
    const readme = fs.readFileSync(path.join(sharedDir, 'README.md'), 'utf8');
    for (const part of [SECRET, String(TIMESTAMP), BODY, EXPECTED]) expect(readme).toContain(part);
    expect(signSlackRequest(SECRET, TIMESTAMP, BODY)).toBe(EXPECTED);
    expect(isValidSlackSignature(SECRET, TIMESTAMP, BODY, EXPECTED)).toBe(true);
    expect(isValidSlackSignature(SECRET, TIMESTAMP, `${BODY}x`, EXPECTED)).toBe(false);
  });

  it('produces headers that Bolt accepts, and Bolt rejects a forged or stale one', () => {
    const ts = unixSeconds();
    const headers = slackSignatureHeaders(SECRET, ts, BODY);
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    const verify = (secret: string, timestamp: number) =>
      verifySlackRequest({
        signingSecret: SECRET,
        body: BODY,
        headers: {
          'x-slack-signature': slackSignatureHeaders(secret, timestamp, BODY)['x-slack-signature'],
          'x-slack-request-timestamp': timestamp,
        },
      });
    expect(() => verify(SECRET, ts)).not.toThrow();
    expect(() => verify('not-the-secret', ts)).toThrow(/signature mismatch/);
    expect(() => verify(SECRET, ts - 6 * 60)).toThrow(/stale/);
  });
});
