import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Sealed text: `sealed:v1:<key id>:<iv>:<auth tag>:<ciphertext>`, the last three base64url. */
const PREFIX = 'sealed:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;

/** A key given in the environment: 32 bytes as base64 (44 characters) or hex (64 characters). */
export function parseTokenKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : null;
  return key?.length === KEY_BYTES ? key : null;
}

/** Short and not secret: names the key a text was sealed with, so rotation can find it. */
function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SealedWithUnknownKeyError extends Error {}

/**
 * Encrypts secrets at rest (AES-256-GCM) with the current key; opens what any configured key
 * sealed. Each sealed text is bound to `context` (say, the installation's id), so a sealed value
 * copied to another row does not open there.
 */
export class TokenSealer {
  private readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly current: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...previous]) {
      if (key.length !== KEY_BYTES) throw new Error(`a token key must be ${KEY_BYTES} bytes`);
    }
    this.currentId = keyId(current);
    this.keys.set(this.currentId, current);
    for (const key of previous) if (!this.keys.has(keyId(key))) this.keys.set(keyId(key), key);
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  /** The id of the key `stored` was sealed with; null for plain text. */
  static keyIdOf(stored: string): string | null {
    if (!TokenSealer.isSealed(stored)) return null;
    return stored.slice(PREFIX.length).split(':')[0] || null;
  }

  /** The configured keys' ids (the first 8 hex digits of each key's SHA-256; not secret). */
  get keyIds(): { current: string; previous: string[] } {
    return { current: this.currentId, previous: [...this.keys.keys()].slice(1) };
  }

  /** Whether `stored` is plain text, or sealed with a key other than the current one. */
  needsResealing(stored: string): boolean {
    return !stored.startsWith(`${PREFIX}${this.currentId}:`);
  }

  seal(text: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url'));
    return `${PREFIX}${this.currentId}:${parts.join(':')}`;
  }

  /** Plain text (stored before sealing was turned on) comes back as it is. */
  open(stored: string, context: string): string {
    if (!TokenSealer.isSealed(stored)) return stored;
    const [id, iv, tag, sealed] = stored.slice(PREFIX.length).split(':');
    const key = id === undefined ? undefined : this.keys.get(id);
    if (!key || iv === undefined || tag === undefined || sealed === undefined) {
      throw new SealedWithUnknownKeyError(
        `sealed with key ${id ?? '?'}, which is neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_PREVIOUS_KEYS`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}
