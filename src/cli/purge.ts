import { loadDatabaseUrl } from '../config.js';
import type { CliIo } from './decide.js';
import { openWithoutMigrating } from './maintenanceDatabase.js';
import { ENTERPRISE_ID, TEAM_ID } from './teamId.js';

const USAGE = 'usage: ftrag purge --team T0123456789\n';

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
  const storage = await openWithoutMigrating('purge', databaseUrl(), io, 'purged');
  if (storage === null) return 1;
  try {
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
