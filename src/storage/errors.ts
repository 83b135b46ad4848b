/** The review does not exist in this workspace (it may exist in another one: tenants never mix). */
export class ReviewNotFoundError extends Error {
  override name = 'ReviewNotFoundError';

  constructor(
    readonly teamId: string,
    readonly reviewId: string,
  ) {
    super(`Review ${reviewId} not found in team ${teamId}`);
  }
}

/**
 * A vote cast on a verdict the review no longer has: an edit changed it after the voter saw it.
 * Nothing was recorded.
 */
export class VerdictChangedError extends Error {
  override name = 'VerdictChangedError';

  constructor(
    readonly teamId: string,
    readonly reviewId: string,
    readonly seenVersion: number,
  ) {
    super(`Review ${reviewId} in team ${teamId}: its verdict changed since version ${seenVersion}`);
  }
}

/** A stored value does not have the expected shape (hand-edited row, or a schema drift). */
export class CorruptRowError extends Error {
  override name = 'CorruptRowError';
}

/** No installation is stored for the workspace (or organization) asked about. */
export class InstallationNotFoundError extends Error {
  override name = 'InstallationNotFoundError';
}
