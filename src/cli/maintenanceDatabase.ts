import { existsSync } from 'node:fs';
import { type DatabaseLocation, describePostgres, parseDatabaseUrl } from '../storage/database.js';
import {
  createStorage,
  type MigrationState,
  type Storage,
  type StorageOptions,
} from '../storage/index.js';
import type { CliIo } from './decide.js';

/**
 * Opens the database at `url` for a maintenance command (`ftrag COMMAND`), never migrating it: a
 * SQLite path with nothing behind it, a database without ftrag's tables, or one whose migrations
 * are not this build's, is refused on stderr (null: exit 1) with `nothing was DONE`.
 */
export async function openWithoutMigrating(
  command: string,
  url: string,
  io: CliIo,
  done: string,
  options: StorageOptions = {},
): Promise<Storage | null> {
  const location = parseDatabaseUrl(url);
  // Opening would create a new, empty database and report that nothing was in it.
  if (
    location.kind === 'sqlite' &&
    location.filename !== ':memory:' &&
    !existsSync(location.filename)
  ) {
    io.stderr(
      `ftrag ${command}: there is no database at ${location.filename}: check DATABASE_URL\n`,
    );
    return null;
  }
  // Migrating would create ftrag's tables in a database that isn't ftrag's (a wrong database,
  // schema or file), or change one a newer ftrag owns: the command works on the schema as it is.
  const storage = await createStorage(url, undefined, { ...options, migrate: false });
  let refusal: string | null;
  try {
    refusal = refuseMigrationState(await storage.migrationState(), location, done);
  } catch (error) {
    await storage.close();
    throw error;
  }
  if (refusal === null) return storage;
  await storage.close();
  io.stderr(`ftrag ${command}: ${refusal}\n`);
  return null;
}

/** Why a command won't touch a database in this state, or null when it is this build's schema. */
function refuseMigrationState(
  state: MigrationState,
  location: DatabaseLocation,
  done: string,
): string | null {
  switch (state.status) {
    case 'current':
      return null;
    case 'none': {
      const where =
        location.kind === 'sqlite'
          ? `the SQLite database ${location.filename} has no ftrag tables`
          : `PostgreSQL ${describePostgres(location.connectionString)} has no ftrag tables in its current schema (search_path)`;
      return `${where}: nothing was ${done} or created there; check DATABASE_URL`;
    }
    case 'behind':
      return `the database has not run this ftrag's latest migrations (${state.pending.join(', ')}): start the app once to migrate it, or use the ftrag version that migrated it; nothing was ${done}`;
    case 'ahead':
      return `the database was migrated by a newer ftrag (${state.unknown.join(', ')}): use the matching ftrag version; nothing was ${done}`;
  }
}
