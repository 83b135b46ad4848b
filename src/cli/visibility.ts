import { type Logger, LogLevel, WebClient } from '@slack/web-api';
import { type Config, loadConfig } from '../config.js';
import { askVisibility } from '../delivery/conversationVisibility.js';
import { REFUSED_TOKEN_ERRORS, slackErrorName } from '../delivery/slackErrors.js';
import { keepAliveFetch, SLACK_RETRY_CONFIG } from '../observability/slackFetch.js';
import {
  CorruptRowError,
  InstallationNotFoundError,
  type KyselyInstallationStore,
  type Storage,
  TokenSealer,
  type UnknownVisibility,
} from '../storage/index.js';
import { isDirectMessage } from '../views/text.js';
import type { CliIo } from './decide.js';
import { openWithoutMigrating } from './maintenanceDatabase.js';
import { ENTERPRISE_ID, TEAM_ID } from './teamId.js';

const USAGE = 'usage: ftrag visibility [--dry-run] [--team T0123456789]\n';

const HELP = `${USAGE}
App Home lists across the workspace only reviews whose channel is known to be public. Since the
upgrade that added the channels:read scope, ftrag asks Slack when it delivers a verdict; reviews
delivered before that are of unknown visibility, and listed only in their askers' own reviews.
Run this once after upgrading (and after the app has started once and migrated the database) to
ask Slack (conversations.info) about their channels, once per channel, and record the answers.

  --dry-run    list, per workspace, what it would ask; ask Slack nothing and change nothing
  --team T…    only that workspace's reviews

It reads the app's settings, from .env or the environment: DATABASE_URL; SLACK_BOT_TOKEN (single
workspace: Slack says, with auth.test, which workspace it is of, and only that one's reviews are
asked about) or, with multi-workspace OAuth, the installations stored in the database
(TOKEN_ENCRYPTION_KEY, if they are encrypted), each workspace asked about with its own bot token;
SLACK_API_URL and SLACK_CALL_TIMEOUT_MS as the app uses them. It never migrates the database: one
this ftrag has not migrated, or that is not ftrag's, is refused.

Scopes: conversations.info needs channels:read, which ftrag's manifest asks for; a workspace that
installed ftrag before it did must reinstall first (it is reported, and its reviews stay unknown).
ftrag does not ask for groups:read: about a private channel Slack answers that it needs it, or,
when the bot is not in the channel, that there is no such channel; either way the channel is not
public, and recorded so. A DM is not public, and not asked about. Only a public channel of the
workspace itself (not one shared with another organization) is recorded as public.

A workspace without a token, or whose token Slack refuses (invalid_auth, account_inactive,
token_revoked), is reported and skipped; the others go on. Slack's rate limits are waited out as
the app waits them (Retry-After). What Slack answered is recorded as it comes, so a run that is
stopped, or run again, asks only about what is still unknown.

Exit codes:
  0  every delivered review in scope has a known visibility now (or: --dry-run)
  1  nothing was done: the database was refused or could not be used, or the settings are wrong
  2  wrong arguments
  3  done, but some reviews are still of unknown visibility (the summary says why): run it again
     once that is dealt with
`;

/** Channels listed by name, with why, under a workspace's still unknown ones; the rest counted. */
const LISTED_UNKNOWN = 10;

type ParsedArgs = { help: true } | { problem: string } | { teamId: string | null; dryRun: boolean };

function parseArgs(args: string[]): ParsedArgs {
  if (args.includes('--help') || args.includes('-h')) return { help: true };
  const teams: string[] = [];
  let dryRun = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--dry-run') dryRun = true;
    else if (arg.startsWith('--team=')) teams.push(arg.slice('--team='.length));
    else if (arg === '--team' && index + 1 < args.length) teams.push(args[++index] ?? '');
    else return { problem: `unknown argument ${JSON.stringify(arg)}` };
  }
  if (teams.length > 1) return { problem: 'give one --team, or none for every workspace' };
  const [teamId] = teams;
  if (teamId === undefined) return { teamId: null, dryRun };
  // Reviews are stored under the workspace's id even in an org; an org id would match nothing.
  if (ENTERPRISE_ID.test(teamId)) {
    return {
      problem: `${teamId} is an Enterprise Grid organization id, not a workspace id (T…), which --team takes: give one of its workspaces, or no --team for all of them`,
    };
  }
  if (!TEAM_ID.test(teamId)) {
    return { problem: `${JSON.stringify(teamId)} is not a Slack team id (like T0123456789)` };
  }
  return { teamId, dryRun };
}

/** One workspace's delivered reviews of unknown visibility, DMs apart from channels. */
interface Workspace {
  teamId: string;
  enterpriseId: string | null;
  dms: UnknownVisibility[];
  channels: UnknownVisibility[];
}

function byWorkspace(unknown: UnknownVisibility[]): Workspace[] {
  const workspaces = new Map<string, Workspace>();
  for (const row of unknown) {
    let workspace = workspaces.get(row.teamId);
    if (!workspace) {
      workspace = { teamId: row.teamId, enterpriseId: null, dms: [], channels: [] };
      workspaces.set(row.teamId, workspace);
    }
    workspace.enterpriseId ??= row.enterpriseId;
    (isDirectMessage(row.conversationId) ? workspace.dms : workspace.channels).push(row);
  }
  return [...workspaces.values()];
}

type TokenAnswer = { token: string } | { problem: string };

/** Where each workspace's bot token comes from, as the app gets it. */
interface BotTokens {
  /** For --dry-run: whence the token would come, or why there is none; asks Slack nothing. */
  describe(workspace: Workspace): Promise<{ source: string } | { problem: string }>;
  tokenFor(workspace: Workspace): Promise<TokenAnswer>;
}

/**
 * Single workspace: SLACK_BOT_TOKEN, which the app uses for every request. Slack says once
 * (auth.test) which workspace it is of, so it is never asked about another workspace's channel:
 * "no such channel" would then be taken for a private one.
 */
function botTokenFromSettings(
  botToken: string,
  clientFor: (token: string) => WebClient,
): BotTokens {
  let owner: Promise<{ teamId: string } | { problem: string }> | null = null;
  const check = async (): Promise<{ teamId: string } | { problem: string }> => {
    try {
      const answer = await clientFor(botToken).auth.test();
      return answer.team_id ? { teamId: answer.team_id } : { problem: 'auth.test named no team' };
    } catch (error) {
      const answer = slackErrorName(error);
      return {
        problem: REFUSED_TOKEN_ERRORS.has(answer)
          ? `Slack refused SLACK_BOT_TOKEN (${answer}): set it to the Bot User OAuth Token (xoxb-…) of the app's OAuth & Permissions page`
          : `could not check SLACK_BOT_TOKEN with Slack (auth.test: ${answer})`,
      };
    }
  };
  return {
    // Which workspace the token is of is Slack's to say, and a dry run asks Slack nothing.
    describe: async () => ({ source: 'with SLACK_BOT_TOKEN, if it is this workspace’s' }),
    async tokenFor(workspace) {
      owner ??= check();
      const known = await owner;
      if ('problem' in known) return known;
      if (known.teamId !== workspace.teamId) {
        return {
          problem: `SLACK_BOT_TOKEN is workspace ${known.teamId}'s, and there is no token for this one here (were its reviews made with multi-workspace OAuth?)`,
        };
      }
      return { token: botToken };
    },
  };
}

/**
 * Multi-workspace OAuth: the bot token of the workspace's installation, as Bolt's authorize
 * finds it (the workspace's own, else its organization's).
 */
function botTokensFromInstallations(installations: KyselyInstallationStore): BotTokens {
  const tokenFor = async (workspace: Workspace): Promise<TokenAnswer> => {
    const { teamId } = workspace;
    const enterpriseId = workspace.enterpriseId ?? undefined;
    const queries = [
      { teamId, enterpriseId, isEnterpriseInstall: false },
      ...(enterpriseId ? [{ teamId, enterpriseId, isEnterpriseInstall: true }] : []),
    ];
    for (const query of queries) {
      try {
        const token = (await installations.fetchInstallation(query)).bot?.token;
        return token
          ? { token }
          : { problem: 'its installation has no bot token: reinstall ftrag there' };
      } catch (error) {
        if (error instanceof CorruptRowError) return { problem: error.message };
        if (!(error instanceof InstallationNotFoundError)) throw error;
      }
    }
    return {
      problem:
        'no installation is stored for it (ftrag was uninstalled there, or its token revoked)',
    };
  };
  return {
    async describe(workspace) {
      const found = await tokenFor(workspace);
      return 'token' in found ? { source: 'with its installation’s bot token' } : found;
    },
    tokenFor,
  };
}

interface Tally {
  conversations: number;
  reviews: number;
}

interface WorkspaceOutcome {
  teamId: string;
  asked: number;
  public: Tally;
  notPublic: Tally;
  /** Of `notPublic`, the DMs: not asked about. */
  dms: Tally;
  unknown: { conversationId: string; reviews: number; why: string }[];
  /** Why the workspace's channels were not (all) asked about. */
  skipped: string | null;
}

function add(tally: Tally, reviews: number): void {
  tally.conversations += 1;
  tally.reviews += reviews;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function sum(rows: readonly { reviews: number }[]): number {
  return rows.reduce((total, row) => total + row.reviews, 0);
}

async function resolveWorkspace(
  workspace: Workspace,
  storage: Storage,
  tokens: BotTokens,
  clientFor: (token: string) => WebClient,
  io: CliIo,
): Promise<WorkspaceOutcome> {
  const { teamId } = workspace;
  const zero = (): Tally => ({ conversations: 0, reviews: 0 });
  const outcome: WorkspaceOutcome = {
    teamId,
    asked: 0,
    public: zero(),
    notPublic: zero(),
    dms: zero(),
    unknown: [],
    skipped: null,
  };
  // Known without a token: a workspace that is skipped still gets its DMs recorded.
  for (const dm of workspace.dms) {
    const recorded = await storage.reviews.recordConversationVisibility(
      teamId,
      dm.conversationId,
      'private',
    );
    add(outcome.notPublic, recorded);
    add(outcome.dms, recorded);
  }
  if (workspace.channels.length === 0) return outcome;
  const found = await tokens.tokenFor(workspace);
  if ('problem' in found) {
    outcome.skipped = found.problem;
    outcome.unknown = workspace.channels.map((row) => ({ ...row, why: found.problem }));
    return outcome;
  }
  io.stderr(
    `ftrag visibility: workspace ${teamId}: asking Slack about ${plural(workspace.channels.length, 'channel')}…\n`,
  );
  const client = clientFor(found.token);
  for (const [index, channel] of workspace.channels.entries()) {
    const answer = await askVisibility(client, channel.conversationId);
    outcome.asked += 1;
    if (answer.visibility !== null) {
      const recorded = await storage.reviews.recordConversationVisibility(
        teamId,
        channel.conversationId,
        answer.visibility,
      );
      add(answer.visibility === 'public' ? outcome.public : outcome.notPublic, recorded);
      continue;
    }
    // What Slack says of the token, or of the install's scopes, it would say of every channel.
    const refusedToken = answer.slackError !== null && REFUSED_TOKEN_ERRORS.has(answer.slackError);
    if (refusedToken || answer.slackError === 'missing_scope') {
      const why = refusedToken
        ? `Slack refused its bot token (${answer.why}): reinstall ftrag there, then run this again`
        : `Slack would not say (${answer.why}): the installation lacks channels:read; reinstall ftrag there to grant it, then run this again`;
      outcome.skipped = why;
      outcome.unknown.push(...workspace.channels.slice(index).map((row) => ({ ...row, why })));
      break;
    }
    outcome.unknown.push({ ...channel, why: answer.why });
  }
  return outcome;
}

function report(outcome: WorkspaceOutcome): string {
  const asked = `asked Slack about ${plural(outcome.asked, 'channel')}`;
  const lines = [
    outcome.skipped === null
      ? `Workspace ${outcome.teamId}: ${asked}`
      : `Workspace ${outcome.teamId}: ${outcome.asked > 0 ? `${asked}, then ` : ''}skipped: ${outcome.skipped}`,
  ];
  if (outcome.public.reviews > 0) {
    lines.push(
      `  public: ${plural(outcome.public.reviews, 'review')} in ${plural(outcome.public.conversations, 'channel')}`,
    );
  }
  if (outcome.notPublic.reviews > 0) {
    const dms =
      outcome.dms.conversations > 0
        ? ` (${plural(outcome.dms.conversations, 'DM')} of them, not asked about)`
        : '';
    lines.push(
      `  not public: ${plural(outcome.notPublic.reviews, 'review')} in ${plural(outcome.notPublic.conversations, 'conversation')}${dms}`,
    );
  }
  if (outcome.unknown.length > 0) {
    lines.push(
      `  still unknown: ${plural(sum(outcome.unknown), 'review')} in ${plural(outcome.unknown.length, 'channel')}`,
    );
    // A skipped workspace's reason is said once, above.
    const listed = outcome.skipped === null ? outcome.unknown : [];
    for (const row of listed.slice(0, LISTED_UNKNOWN)) {
      lines.push(`    ${row.conversationId} (${plural(row.reviews, 'review')}): ${row.why}`);
    }
    if (listed.length > LISTED_UNKNOWN) {
      lines.push(`    and ${listed.length - LISTED_UNKNOWN} more`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function dryRun(workspaces: Workspace[], tokens: BotTokens, io: CliIo): Promise<void> {
  let channels = 0;
  let asking = 0;
  for (const workspace of workspaces) {
    const parts: string[] = [];
    if (workspace.channels.length > 0) {
      const token = await tokens.describe(workspace);
      const what = `${plural(workspace.channels.length, 'channel')} (${plural(sum(workspace.channels), 'review')})`;
      if ('source' in token) {
        channels += workspace.channels.length;
        asking += 1;
        parts.push(`would ask Slack about ${what} ${token.source}`);
      } else parts.push(`would skip ${what}: ${token.problem}`);
    }
    if (workspace.dms.length > 0) {
      parts.push(
        `would record ${plural(sum(workspace.dms), 'review')} in ${plural(workspace.dms.length, 'DM')} as not public, without asking`,
      );
    }
    io.stdout(`Workspace ${workspace.teamId}: ${parts.join('; ')}\n`);
  }
  io.stdout(
    `Dry run: would ask Slack about ${plural(channels, 'channel')} in ${plural(asking, 'workspace')}; nothing was asked or changed.\n`,
  );
}

/** The WebClient's logger: Slack's warnings, and its waits for rate limits, on stderr. */
function stderrLogger(io: CliIo): Logger {
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  let level = LogLevel.INFO;
  const at =
    (messageLevel: LogLevel) =>
    (...message: unknown[]): void => {
      if (order.indexOf(messageLevel) < order.indexOf(level)) return;
      io.stderr(`ftrag visibility: Slack: ${message.map(String).join(' ')}\n`);
    };
  return {
    debug: at(LogLevel.DEBUG),
    info: at(LogLevel.INFO),
    warn: at(LogLevel.WARN),
    error: at(LogLevel.ERROR),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** WebClients as the app makes them: its Web API URL, call timeout and retry policy. */
function webClients(config: Config, io: CliIo): (token: string) => WebClient {
  const transport = keepAliveFetch(config.slackCallTimeoutMs);
  const logger = stderrLogger(io);
  return (token) =>
    new WebClient(token, {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      retryConfig: SLACK_RETRY_CONFIG,
      fetch: transport,
      logger,
      logLevel: LogLevel.INFO,
    });
}

/**
 * `ftrag visibility [--dry-run] [--team T…]`: asks Slack whether the channels of delivered reviews
 * of unknown visibility are public, and records the answers (see HELP).
 */
export async function runVisibility(
  args: string[],
  io: CliIo,
  settings: () => Config = loadConfig,
): Promise<number> {
  const parsed = parseArgs(args);
  if ('help' in parsed) {
    io.stdout(HELP);
    return 0;
  }
  if ('problem' in parsed) {
    io.stderr(`ftrag visibility: ${parsed.problem}\n${USAGE}`);
    return 2;
  }
  const config = settings();
  const tokenSealer = config.tokenKeys
    ? new TokenSealer(config.tokenKeys.current, config.tokenKeys.previous)
    : null;
  const storage = await openWithoutMigrating('visibility', config.databaseUrl, io, 'changed', {
    tokenSealer,
  });
  if (storage === null) return 1;
  try {
    const workspaces = byWorkspace(
      await storage.reviews.listUnknownVisibility(parsed.teamId ?? undefined),
    );
    if (workspaces.length === 0) {
      const which = parsed.teamId ? ` of workspace ${parsed.teamId}` : '';
      io.stdout(`Every delivered review${which} has a known visibility: nothing to ask.\n`);
      return 0;
    }
    const clientFor = webClients(config, io);
    const tokens =
      config.slack.oauth === null && config.slack.botToken !== null
        ? botTokenFromSettings(config.slack.botToken, clientFor)
        : botTokensFromInstallations(storage.installations);
    if (parsed.dryRun) {
      await dryRun(workspaces, tokens, io);
      return 0;
    }
    const outcomes: WorkspaceOutcome[] = [];
    for (const workspace of workspaces) {
      const outcome = await resolveWorkspace(workspace, storage, tokens, clientFor, io);
      outcomes.push(outcome);
      io.stdout(report(outcome));
    }
    const total = (pick: (outcome: WorkspaceOutcome) => number) =>
      outcomes.reduce((count, outcome) => count + pick(outcome), 0);
    const asked = total((outcome) => outcome.asked);
    const open = total((outcome) => outcome.public.reviews);
    const notPublic = total((outcome) => outcome.notPublic.reviews);
    const unknown = total((outcome) => sum(outcome.unknown));
    const next =
      unknown > 0
        ? ' (why is said above; once that is dealt with, run this again: it asks only about those)'
        : '';
    io.stdout(
      `Asked Slack about ${plural(asked, 'channel')}. Public: ${plural(open, 'review')}; ` +
        `not public: ${plural(notPublic, 'review')}; still unknown: ${plural(unknown, 'review')}${next}.\n`,
    );
    return unknown > 0 ? 3 : 0;
  } finally {
    await storage.close();
  }
}
