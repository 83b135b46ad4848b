import type { ResealReport } from './installationStore.js';
import type { TokenSealer } from './tokenSealer.js';

export type InstallationKeyCheck = { refuse: string } | { warn: string } | null;

const KEY_ID = "a key's id is the first 8 hex digits of the SHA-256 of its 32 bytes";

/**
 * What an instance with `sealer` makes of the installations its start-up reseal could not open.
 * None opening, sealed with a key not configured, is a wrong key (mistyped, or rotated without the
 * old one in TOKEN_ENCRYPTION_PREVIOUS_KEYS) that would refuse every workspace: the start is
 * refused, as it is without any key. Some not opening is a warning, the others being served; so is
 * none opening when no key is to blame (altered rows), which only a reinstall mends.
 */
export function checkInstallationKeys(
  report: ResealReport,
  sealer: TokenSealer,
): InstallationKeyCheck {
  const { installations, unreadable } = report;
  if (unreadable.length === 0) return null;
  const { current, previous } = sealer.keyIds;
  const found = [...new Set(unreadable.flatMap((row) => (row.keyId === null ? [] : [row.keyId])))];
  const unknownKey = found.some((id) => id !== current && !previous.includes(id));
  const keys =
    `sealed with key id ${found.join(', ') || '(none)'}; TOKEN_ENCRYPTION_KEY has id ${current}, ` +
    `TOKEN_ENCRYPTION_PREVIOUS_KEYS ${previous.length === 0 ? 'is not set' : `has ${previous.join(', ')}`}`;
  if (unreadable.length === installations && unknownKey) {
    return {
      refuse: `none of the ${installations} workspace installation(s) opens with TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_PREVIOUS_KEYS (${keys}): set TOKEN_ENCRYPTION_KEY to the key they were sealed with, or add it to TOKEN_ENCRYPTION_PREVIOUS_KEYS (${KEY_ID})`,
    };
  }
  const ids = unreadable.map((row) => row.id).join(', ');
  return {
    warn:
      `${unreadable.length} of ${installations} workspace installation(s) do not open: ${ids} (${keys}). ` +
      'Those workspaces are refused until they reinstall from /slack/install' +
      (unknownKey
        ? `, or until the key they were sealed with is added to TOKEN_ENCRYPTION_PREVIOUS_KEYS (${KEY_ID})`
        : ''),
  };
}
