import { randomBytes, randomInt } from 'node:crypto';

/** Defaults shared by the fake Web API and the request builders, so they agree out of the box. */
export const DEFAULT_TEAM_ID = 'T0FAKETEAM';
export const DEFAULT_TEAM_DOMAIN = 'fake-team';
export const DEFAULT_TEAM_NAME = 'Fake Team';
export const DEFAULT_APP_ID = 'A0FAKEAPP1';
export const DEFAULT_BOT_ID = 'B0FAKEBOT1';
export const DEFAULT_BOT_USER_ID = 'U0FAKEBOT1';
export const DEFAULT_BOT_TOKEN = 'xoxb-0000000000-0000000000000-fakebottoken000000000000';
export const DEFAULT_USER_ID = 'U0TESTUSER';
export const DEFAULT_USER_NAME = 'test.user';
export const DEFAULT_CHANNEL_ID = 'C0TESTCHAN';
export const DEFAULT_CHANNEL_NAME = 'ftrag-reviews';
/** Slack still sends the deprecated verification token in payloads; Bolt ignores it. */
export const DEFAULT_VERIFICATION_TOKEN = 'fakeVerificationToken0000';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SHORT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** An id shaped like Slack's (`prefix` + upper-case alphanumerics), e.g. `V0A1B2C3D4`. */
export function randomSlackId(prefix: string, length = 10): string {
  return prefix + randomFrom(ID_ALPHABET, Math.max(1, length - prefix.length));
}

/** Like the block_id / action_id values Slack generates when an app omits them (e.g. `2WGp9`). */
export function randomShortId(length = 5): string {
  return randomFrom(SHORT_ID_ALPHABET, length);
}

/** A trigger id in Slack's documented shape `123456.7890123.abcdef…`. */
export function randomTriggerId(): string {
  const a = `${randomInt(100_000_000, 999_999_999)}${randomInt(100, 999)}`;
  const b = `${randomInt(10_000_000, 99_999_999)}${randomInt(100, 999)}`;
  return `${a}.${b}.${randomBytes(16).toString('hex')}`;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
