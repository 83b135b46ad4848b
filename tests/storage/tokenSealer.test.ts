import { describe, expect, it } from 'vitest';
import {
  parseTokenKey,
  SealedWithUnknownKeyError,
  TokenSealer,
} from '../../src/storage/tokenSealer.js';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

describe('TokenSealer', () => {
  it('seals so that the text does not show, and opens it again', () => {
    const sealer = new TokenSealer(keyA);
    const sealed = sealer.seal('{"bot":{"token":"xoxb-secret"}}', 'installation:team:T1');
    expect(sealed).not.toContain('xoxb-secret');
    expect(TokenSealer.isSealed(sealed)).toBe(true);
    expect(sealer.open(sealed, 'installation:team:T1')).toBe('{"bot":{"token":"xoxb-secret"}}');
    // A fresh IV each time.
    expect(sealer.seal('same', 'c')).not.toBe(sealer.seal('same', 'c'));
  });

  it('refuses a sealed text altered, moved to another row, or sealed with an unknown key', () => {
    const sealer = new TokenSealer(keyA);
    const sealed = sealer.seal('xoxb-secret', 'installation:team:T1');
    expect(() => sealer.open(sealed, 'installation:team:T2')).toThrow();
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    expect(() =>
      sealer.open(`${sealed.slice(0, -2)}${last}${sealed.at(-1)}`, 'installation:team:T1'),
    ).toThrow();
    expect(() => new TokenSealer(keyB).open(sealed, 'installation:team:T1')).toThrow(
      SealedWithUnknownKeyError,
    );
  });

  it('opens with previous keys, seals with the current one, and says what needs resealing', () => {
    const old = new TokenSealer(keyA);
    const rotated = new TokenSealer(keyB, [keyA]);
    const sealedBefore = old.seal('xoxb-old', 'c');
    expect(rotated.open(sealedBefore, 'c')).toBe('xoxb-old');
    expect(rotated.needsResealing(sealedBefore)).toBe(true);
    expect(rotated.needsResealing(rotated.seal('xoxb-new', 'c'))).toBe(false);
    expect(rotated.needsResealing('{"plain":"json"}')).toBe(true);
    expect(rotated.open('{"plain":"json"}', 'c')).toBe('{"plain":"json"}');
  });
});

describe('parseTokenKey', () => {
  it('reads 32 bytes as base64, base64url or hex, and nothing else', () => {
    expect(parseTokenKey(keyA.toString('base64'))).toEqual(keyA);
    expect(parseTokenKey(keyB.toString('base64url'))).toEqual(keyB);
    expect(parseTokenKey(` ${keyA.toString('hex')} `)).toEqual(keyA);
    expect(parseTokenKey(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(parseTokenKey(Buffer.alloc(33).toString('hex'))).toBeNull();
    expect(parseTokenKey('correct horse battery staple')).toBeNull();
  });
});
