import { existsSync } from 'node:fs';
import { loadDatabaseUrl } from '../config.js';
import { type DatabaseLocation, describePostgres, parseDatabaseUrl } from '../storage/database.js';
import { createStorage, type MigrationState } from '../storage/index.js';
import type { CliIo } from './decide.js';

const USAGE = 'usage: ftrag purge --team T0123456789\n';
const TEAM_ID = /^T[A-Z0-9]{2,30}$/;
const ENTERPRISE_ID = /^E[A-Z0-9]{2,30}$/;

type ParsedArgs = { teamId: string } | { help: true } | { problem: string };

/** Exactly one `--team T…` (or `--team=T…`); a second one is refused rather than one ignored. */
function parseArgs(args: string[]): ParsedArgs {
  if (args.includes('--help') || args.includes('-h')) return { help: true };
  const teams: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg.startsWith('--team=')) teams.push(arg.slice('--team='.length));
    else if (arg === '--team' && index + 1 < args.length) teams.push(args[++index] ?? '');
    else return { problem: `unknown argument ${JSON.stringify(arg)}` };
  }
  if (teams.length > 1) return { problem: 'give one --team' };
  const [teamId] = teams;
  return teamId ? { teamId } : { problem: 'which workspace? give --team' };
}

/** `ftrag purge --team T…`: deletes every review (and vote) of one workspace. */
export async function runPurge(
  args: string[],
  io: CliIo,
  databaseUrl: () => string = loadDatabaseUrl,
): Promise<number> {
  const parsed = parseArgs(args);
  if ('help' in parsed) {
    io.stdout(`${USAGE}Deletes every review of that workspace, and their votes.\n`);
    return 0;
  }
  if ('problem' in parsed) {
    io.stderr(`ftrag purge: ${parsed.problem}\n${USAGE}`);
    return 2;
  }
  const { teamId } = parsed;
  // Reviews are stored under the workspace's id even in an org; an org id would match nothing.
  if (ENTERPRISE_ID.test(teamId)) {
    io.stderr(
      `ftrag purge: ${teamId} is an Enterprise Grid organization id, not a workspace id (T…), which purge takes: purge each of the organization's workspaces by its own id\n`,
    );
    return 2;
  }
  if (!TEAM_ID.test(teamId)) {
    io.stderr(`ftrag purge: ${JSON.stringify(teamId)} is not a Slack team id (like T0123456789)\n`);
    return 2;
  }
  const url = databaseUrl();
  const location = parseDatabaseUrl(url);
  // Opening would create a new, empty database and report that nothing was deleted from it.
  if (
    location.kind === 'sqlite' &&
    location.filename !== ':memory:' &&
    !existsSync(location.filename)
  ) {
    io.stderr(`ftrag purge: there is no database at ${location.filename}: check DATABASE_URL\n`);
    return 1;
  }
  // Migrating would create ftrag's tables in a database that isn't ftrag's (a wrong database,
  // schema or file), or change one a newer ftrag owns: purge only works on the schema as it is.
  const storage = await createStorage(url, undefined, { migrate: false });
  try {
    const refusal = refuseMigrationState(await storage.migrationState(), location);
    if (refusal !== null) {
      io.stderr(`ftrag purge: ${refusal}\n`);
      return 1;
    }
    const deleted = await storage.reviews.purgeTeam(teamId);
    io.stdout(
      deleted === 0
        ? `No reviews of workspace ${teamId} were found; nothing was deleted (is the team id right?).\n`
        : `Deleted ${deleted} review${deleted === 1 ? '' : 's'} of workspace ${teamId}.\n`,
    );
    return 0;
  } finally {
    await storage.close();
  }
}

/** Why purge won't touch a database in this state, or null when it is this build's schema. */
function refuseMigrationState(state: MigrationState, location: DatabaseLocation): string | null {
  switch (state.status) {
    case 'current':
      return null;
    case 'none': {
      const where =
        location.kind === 'sqlite'
          ? `the SQLite database ${location.filename} has no ftrag tables`
          : `PostgreSQL ${describePostgres(location.connectionString)} has no ftrag tables in its current schema (search_path)`;
      return `${where}: nothing was purged or created there; check DATABASE_URL`;
    }
    case 'behind':
      return `the database has not run this ftrag's latest migrations (${state.pending.join(', ')}): start the app once to migrate it, or use the ftrag version that migrated it; nothing was purged`;
    case 'ahead':
      return `the database was migrated by a newer ftrag (${state.unknown.join(', ')}): use the matching ftrag version; nothing was purged`;
  }
}
