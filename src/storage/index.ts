import {
  type DatabaseKind,
  type DatabaseOptions,
  type MigrationState,
  openDatabase,
} from './database.js';
import {
  createKyselyInstallationStore,
  type KyselyInstallationStore,
} from './installationStore.js';
import type { ReviewRepository } from './repository.js';
import { createKyselyReviewRepository } from './reviewRepository.js';
import type { TokenSealer } from './tokenSealer.js';
import { createKyselyVoteRepository } from './voteRepository.js';
import type { VoteRepository } from './votes.js';

export {
  ACCEPTED_DATABASE_URLS,
  type Database,
  type DatabaseKind,
  type DatabaseOptions,
  DEFAULT_DATABASE_URL,
  type MigrationState,
  openDatabase,
  postgresUrlWithSchema,
} from './database.js';
export { CorruptRowError, InstallationNotFoundError, ReviewNotFoundError } from './errors.js';
export type { KyselyInstallationStore } from './installationStore.js';
export type * from './repository.js';
export { DELIVERY_STATUSES, recordsFailure, recordsOutcome } from './repository.js';
export { TokenSealer } from './tokenSealer.js';
export {
  VOTE_KINDS,
  type Vote,
  type VoteKind,
  type VoteOnRecord,
  type VoteRepository,
  type VoteTally,
} from './votes.js';

export interface Storage {
  kind: DatabaseKind;
  reviews: ReviewRepository;
  votes: VoteRepository;
  installations: KyselyInstallationStore;
  /** Where the database's migrations stand against this build's; reads only. */
  migrationState(): Promise<MigrationState>;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface StorageOptions extends DatabaseOptions {
  /** Encrypts stored installations (their tokens); without one they are stored in plain text. */
  tokenSealer?: TokenSealer | null;
}

/**
 * Opens (and, unless `options.migrate` is false, migrates) the database at `url`; see
 * parseDatabaseUrl for the accepted forms.
 */
export async function createStorage(
  url: string,
  clock: () => Date = () => new Date(),
  options: StorageOptions = {},
): Promise<Storage> {
  const database = await openDatabase(url, options);
  return {
    kind: database.kind,
    reviews: createKyselyReviewRepository(database.db, clock),
    votes: createKyselyVoteRepository(database.db, clock),
    installations: createKyselyInstallationStore(database.db, clock, options.tokenSealer ?? null),
    migrationState: database.migrationState,
    close: database.close,
  };
}
