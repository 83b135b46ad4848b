import { loadDatabaseUrl } from '../config.js';
import { createStorage } from '../storage/index.js';
import type { CliIo } from './decide.js';

const USAGE = 'usage: ftrag purge --team T0123456789\n';
const TEAM_ID = /^[TE][A-Z0-9]{2,30}$/;

/** `ftrag purge --team T…`: deletes every review (and vote) of one workspace. */
export async function runPurge(
  args: string[],
  io: CliIo,
  databaseUrl: () => string = loadDatabaseUrl,
): Promise<number> {
  const teamFlag = args.indexOf('--team');
  const inline = args.find((arg) => arg.startsWith('--team='));
  const teamId = inline
    ? inline.slice('--team='.length)
    : teamFlag >= 0
      ? args[teamFlag + 1]
      : undefined;
  const known = new Set(['--team', inline, teamFlag >= 0 ? args[teamFlag + 1] : undefined]);
  const unknown = args.find((arg) => !known.has(arg));
  if (unknown !== undefined || !teamId) {
    io.stderr(
      unknown !== undefined
        ? `ftrag purge: unknown argument ${JSON.stringify(unknown)}\n${USAGE}`
        : USAGE,
    );
    return 2;
  }
  if (!TEAM_ID.test(teamId)) {
    io.stderr(`ftrag purge: ${JSON.stringify(teamId)} is not a Slack team id (like T0123456789)\n`);
    return 2;
  }
  const storage = await createStorage(databaseUrl());
  try {
    const deleted = await storage.reviews.purgeTeam(teamId);
    io.stdout(`Deleted ${deleted} review${deleted === 1 ? '' : 's'} of workspace ${teamId}.\n`);
    return 0;
  } finally {
    await storage.close();
  }
}
