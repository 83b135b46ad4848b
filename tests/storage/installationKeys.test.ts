import { describe, expect, it } from 'vitest';
import { checkInstallationKeys } from '../../src/storage/installationKeys.js';
import { TokenSealer } from '../../src/storage/tokenSealer.js';

const current = Buffer.alloc(32, 1);
const previous = Buffer.alloc(32, 2);
const stranger = Buffer.alloc(32, 3);
const idOf = (key: Buffer) => new TokenSealer(key).keyIds.current;
const sealer = new TokenSealer(current, [previous]);

describe('checkInstallationKeys', () => {
  it('says nothing when every installation opens, or none is stored', () => {
    expect(checkInstallationKeys({ resealed: 2, installations: 2, unreadable: [] }, sealer)).toBe(
      null,
    );
    expect(checkInstallationKeys({ resealed: 0, installations: 0, unreadable: [] }, sealer)).toBe(
      null,
    );
  });

  it('refuses to start when none opens, naming both settings and the key ids, not the keys', () => {
    const check = checkInstallationKeys(
      {
        resealed: 0,
        installations: 2,
        unreadable: [
          { id: 'T1', keyId: idOf(stranger) },
          { id: 'E1', keyId: idOf(stranger) },
        ],
      },
      sealer,
    );
    expect(check).toEqual({
      refuse: `none of the 2 workspace installation(s) opens with TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_PREVIOUS_KEYS (sealed with key id ${idOf(stranger)}; TOKEN_ENCRYPTION_KEY has id ${idOf(current)}, TOKEN_ENCRYPTION_PREVIOUS_KEYS has ${idOf(previous)}): set TOKEN_ENCRYPTION_KEY to the key they were sealed with, or add it to TOKEN_ENCRYPTION_PREVIOUS_KEYS (a key's id is the first 8 hex digits of the SHA-256 of its 32 bytes)`,
    });
    const text = JSON.stringify(check);
    for (const key of [current, previous, stranger]) {
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toContain(key.toString('hex'));
    }
    expect(
      checkInstallationKeys(
        { resealed: 0, installations: 1, unreadable: [{ id: 'T1', keyId: idOf(stranger) }] },
        new TokenSealer(current),
      ),
    ).toEqual({ refuse: expect.stringContaining('TOKEN_ENCRYPTION_PREVIOUS_KEYS is not set)') });
  });

  it('warns, naming the workspaces, when only some do not open', () => {
    const check = checkInstallationKeys(
      { resealed: 0, installations: 3, unreadable: [{ id: 'T2', keyId: idOf(stranger) }] },
      sealer,
    );
    expect(check).toEqual({
      warn: expect.stringMatching(
        new RegExp(
          `^1 of 3 workspace installation\\(s\\) do not open: T2 \\(sealed with key id ${idOf(stranger)};.*reinstall from /slack/install, or until the key they were sealed with is added to TOKEN_ENCRYPTION_PREVIOUS_KEYS`,
        ),
      ),
    });
  });

  it('only warns when none opens but no key is to blame (altered rows): a reinstall mends them', () => {
    const check = checkInstallationKeys(
      {
        resealed: 0,
        installations: 2,
        unreadable: [
          { id: 'T1', keyId: idOf(previous) },
          { id: 'T2', keyId: null },
        ],
      },
      sealer,
    );
    expect(check).toEqual({ warn: expect.stringContaining('2 of 2 workspace installation(s)') });
    expect(JSON.stringify(check)).not.toContain('added to TOKEN_ENCRYPTION_PREVIOUS_KEYS');
  });
});
