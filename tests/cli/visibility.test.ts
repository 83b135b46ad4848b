import type { Installation } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { runVisibility } from '../../src/cli/visibility.js';
import { type Config, parseConfig } from '../../src/config.js';
import { BOT_SCOPES } from '../../src/constants.js';
import { createStorage, type Storage, TokenSealer } from '../../src/storage/index.js';
import {
  newReviewFixture,
  postedOutcomeFixture,
  storageBackends,
  targetFixture,
} from '../storage/support.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';
import { capture, executedMigrations, migrateTo, rawDatabase, tables } from './support.js';

const TOKEN_KEY = Buffer.alloc(32, 7);
const ALPHA = 'T0ALPHA001';
const BRAVO = 'T0BRAVO001';
const CHARLIE = 'T0CHARLIE1';
const DELTA = 'T0DELTA001';
const TOKENS: Record<string, string> = {
  [ALPHA]: 'xoxb-alpha-token',
  [BRAVO]: 'xoxb-bravo-token',
  [DELTA]: 'xoxb-delta-token',
};

/** Slack's channels, as the bot sees them with the manifest's scopes (no groups:read). */
const OPEN = 'C0PUBLIC01';
const OPEN_NOT_IN = 'C0PUBLIC02';
const CLOSED = 'C0PRIVATE1';
const CLOSED_NOT_IN = 'C0PRIVATE2';

async function slack(): Promise<FakeSlack> {
  const fake = await startFakeSlack({ botScopes: BOT_SCOPES, extraTokens: Object.values(TOKENS) });
  for (const token of Object.values(TOKENS)) fake.setScopes(token, BOT_SCOPES);
  fake.addChannel(OPEN, { member: true });
  fake.addChannel(OPEN_NOT_IN, { member: false });
  fake.addChannel(CLOSED, { member: true, private: true });
  fake.addChannel(CLOSED_NOT_IN, { member: false, private: true });
  return fake;
}

function settings(env: Record<string, string>): Config {
  const parsed = parseConfig({ SLACK_SIGNING_SECRET: 'test-signing-secret', ...env });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

/** Single workspace: the app's settings with SLACK_BOT_TOKEN. */
function singleWorkspace(url: string, fake: FakeSlack): Config {
  return settings({
    DATABASE_URL: url,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
  });
}

/** Multi-workspace OAuth, installations sealed with TOKEN_ENCRYPTION_KEY. */
function multiWorkspace(url: string, fake: FakeSlack): Config {
  return settings({
    DATABASE_URL: url,
    SLACK_API_URL: fake.apiUrl,
    SLACK_CLIENT_ID: 'client-id',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'state-secret',
    TOKEN_ENCRYPTION_KEY: TOKEN_KEY.toString('base64'),
  });
}

function installation(teamId: string, botToken: string): Installation<'v2', false> {
  return {
    team: { id: teamId, name: teamId },
    enterprise: undefined,
    user: { id: 'U0INSTALL1', token: undefined, scopes: undefined },
    bot: { token: botToken, scopes: [...BOT_SCOPES], id: 'B0FAKEBOT1', userId: 'U0FAKEBOT1' },
    appId: 'A0FAKEAPP1',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  };
}

async function visibility(args: string[], config: Config) {
  const { io, out, err } = capture();
  const code = await runVisibility(args, io, () => config);
  return { code, stdout: out(), stderr: err() };
}

const noSettings = (): Config => {
  throw new Error('this run must not read the settings');
};

describe('ftrag visibility arguments', () => {
  it.each([[['--help']], [['-h']], [['--dry-run', '--help']]])(
    '%j explains the command, its scopes and exit codes, and exits 0',
    async (args) => {
      const { io, out, err } = capture();
      expect(await runVisibility(args, io, noSettings)).toBe(0);
      expect(out()).toContain('usage: ftrag visibility [--dry-run] [--team T0123456789]');
      expect(out()).toContain('channels:read');
      expect(out()).toContain('groups:read');
      expect(out()).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 /);
      expect(err()).toBe('');
    },
  );

  it.each([
    [['--team'], 'unknown argument "--team"'],
    [['--everything'], 'unknown argument "--everything"'],
    [['--team', 'T0ONE00001', '--team=T0TWO00002'], 'give one --team'],
    [['--team', 'E0123456789'], 'E0123456789 is an Enterprise Grid organization id'],
    [['--team', 'general'], '"general" is not a Slack team id'],
  ])('%j is refused with exit code 2', async (args, problem) => {
    const { io, out, err } = capture();
    expect(await runVisibility(args, io, noSettings)).toBe(2);
    expect(out()).toBe('');
    expect(err()).toContain(problem);
    expect(err()).toContain('usage: ftrag visibility');
  });
});

describe.each(storageBackends.filter((backend) => backend.shared))(
  'ftrag visibility on $title',
  ({ skip, prepare }) => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      // Storage first (unshifted), then the database and the fake.
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    async function database(): Promise<string> {
      const { url, cleanup } = await prepare();
      cleanups.push(cleanup);
      return url;
    }

    async function fakeSlack(): Promise<FakeSlack> {
      const fake = await slack();
      cleanups.push(() => fake.close());
      return fake;
    }

    /** An up-to-date database, open with the key the installations are sealed with. */
    async function storageAt(url: string): Promise<Storage> {
      const storage = await createStorage(url, undefined, {
        tokenSealer: new TokenSealer(TOKEN_KEY),
      });
      cleanups.unshift(() => storage.close());
      return storage;
    }

    /** Reviews delivered to `conversation` by a version of ftrag that did not ask Slack. */
    async function deliveredBefore(
      storage: Storage,
      teamId: string,
      conversation: string,
      count = 1,
    ): Promise<string[]> {
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        const channelId = conversation.startsWith('D') ? null : conversation;
        const { review } = await storage.reviews.createPending(
          newReviewFixture({ teamId, target: targetFixture({ channelId, responseUrl: null }) }),
        );
        await storage.reviews.markDelivered(
          teamId,
          review.id,
          postedOutcomeFixture({ postedChannelId: conversation }),
        );
        ids.push(review.id);
      }
      return ids;
    }

    /** `conversation: visibility` of each of a workspace's reviews, sorted. */
    async function visibilities(storage: Storage, teamId: string): Promise<string[]> {
      const { reviews } = await storage.reviews.list({ teamId }, { limit: 100, offset: 0 });
      return reviews
        .map((review) => `${review.postedChannelId}: ${review.conversationVisibility}`)
        .sort();
    }

    /** The channels conversations.info was asked about since call `since`, with which token. */
    function asked(fake: FakeSlack, since = 0): string[] {
      return fake.calls
        .slice(since)
        .filter((call) => call.method === 'conversations.info')
        .map(
          (call) => `${call.token === fake.botToken ? '' : `${call.token} `}${call.args.channel}`,
        );
    }

    it.skipIf(skip)(
      'records which channels are public, once per channel, DMs without asking; a second run asks nothing',
      async () => {
        const url = await database();
        const fake = await fakeSlack();
        const storage = await storageAt(url);
        const team = fake.teamId;
        await deliveredBefore(storage, team, OPEN, 2);
        await deliveredBefore(storage, team, OPEN_NOT_IN);
        await deliveredBefore(storage, team, CLOSED);
        await deliveredBefore(storage, team, CLOSED_NOT_IN);
        await deliveredBefore(storage, team, 'D0ASKERDM1');
        // Delivered since the upgrade: known already, not asked about again.
        const [known = ''] = await deliveredBefore(storage, team, 'C0KNOWN001');
        await storage.reviews.recordVisibility(team, known, 'private');
        // Not delivered: there is nothing to ask about.
        await storage.reviews.createPending(
          newReviewFixture({ teamId: team, target: targetFixture({ channelId: OPEN }) }),
        );

        const first = await visibility([], singleWorkspace(url, fake));
        expect(first.code).toBe(0);
        expect(asked(fake)).toEqual([CLOSED, CLOSED_NOT_IN, OPEN, OPEN_NOT_IN]);
        expect(fake.callsTo('auth.test')).toHaveLength(1);
        expect(await visibilities(storage, team)).toEqual([
          'C0KNOWN001: private',
          `${CLOSED}: private`,
          `${CLOSED_NOT_IN}: private`,
          `${OPEN}: public`,
          `${OPEN}: public`,
          `${OPEN_NOT_IN}: public`,
          'D0ASKERDM1: private',
          'null: null',
        ]);
        // What App Home lists across the workspace now.
        const listed = await storage.reviews.list(
          { teamId: team, publicOnly: true },
          { limit: 100, offset: 0 },
        );
        expect(listed.reviews.map((review) => review.postedChannelId).sort()).toEqual([
          OPEN,
          OPEN,
          OPEN_NOT_IN,
        ]);
        expect(first.stdout).toBe(
          [
            `Workspace ${team}: asked Slack about 4 channels`,
            '  public: 3 reviews in 2 channels',
            '  not public: 3 reviews in 3 conversations (1 DM of them, not asked about)',
            'Asked Slack about 4 channels. Public: 3 reviews; not public: 3 reviews; still unknown: 0 reviews.',
            '',
          ].join('\n'),
        );

        const before = fake.calls.length;
        const second = await visibility([], singleWorkspace(url, fake));
        expect(second).toEqual({
          code: 0,
          stdout: 'Every delivered review has a known visibility: nothing to ask.\n',
          stderr: '',
        });
        expect(fake.calls.length).toBe(before);
      },
    );

    it.skipIf(skip)(
      'skips a workspace whose token is revoked, missing or without channels:read, says why, and goes on',
      async () => {
        const url = await database();
        const fake = await fakeSlack();
        const storage = await storageAt(url);
        for (const team of [ALPHA, BRAVO, DELTA]) {
          await storage.installations.storeInstallation(installation(team, TOKENS[team] ?? ''));
        }
        fake.revokeToken(TOKENS[BRAVO] ?? '');
        // Installed before ftrag asked for channels:read.
        fake.setScopes(
          TOKENS[DELTA] ?? '',
          BOT_SCOPES.filter((scope) => scope !== 'channels:read'),
        );
        await deliveredBefore(storage, ALPHA, OPEN);
        await deliveredBefore(storage, ALPHA, CLOSED_NOT_IN);
        await deliveredBefore(storage, BRAVO, OPEN_NOT_IN, 2);
        await deliveredBefore(storage, BRAVO, 'D0BRAVODM1');
        await deliveredBefore(storage, CHARLIE, OPEN);
        await deliveredBefore(storage, DELTA, OPEN);
        await deliveredBefore(storage, DELTA, OPEN_NOT_IN);

        const result = await visibility([], multiWorkspace(url, fake));
        expect(result.code).toBe(3);
        expect(asked(fake)).toEqual([
          `${TOKENS[ALPHA]} ${CLOSED_NOT_IN}`,
          `${TOKENS[ALPHA]} ${OPEN}`,
          `${TOKENS[BRAVO]} ${OPEN_NOT_IN}`,
          `${TOKENS[DELTA]} ${OPEN}`,
        ]);
        expect(await visibilities(storage, ALPHA)).toEqual([
          `${CLOSED_NOT_IN}: private`,
          `${OPEN}: public`,
        ]);
        // A DM needs no token.
        expect(await visibilities(storage, BRAVO)).toEqual([
          `${OPEN_NOT_IN}: null`,
          `${OPEN_NOT_IN}: null`,
          'D0BRAVODM1: private',
        ]);
        expect(await visibilities(storage, CHARLIE)).toEqual([`${OPEN}: null`]);
        expect(await visibilities(storage, DELTA)).toEqual([
          `${OPEN}: null`,
          `${OPEN_NOT_IN}: null`,
        ]);

        const lines = result.stdout.split('\n');
        expect(lines).toContain(`Workspace ${ALPHA}: asked Slack about 2 channels`);
        expect(lines).toContain(
          `Workspace ${BRAVO}: asked Slack about 1 channel, then skipped: Slack refused its bot token (token_revoked): reinstall ftrag there, then run this again`,
        );
        expect(lines).toContain(
          `Workspace ${CHARLIE}: skipped: no installation is stored for it (ftrag was uninstalled there, or its token revoked)`,
        );
        expect(lines).toContain(
          `Workspace ${DELTA}: asked Slack about 1 channel, then skipped: Slack would not say (missing_scope (needed: channels:read)): the installation lacks channels:read; reinstall ftrag there to grant it, then run this again`,
        );
        expect(lines.filter((line) => line.startsWith('  still unknown:'))).toEqual([
          '  still unknown: 2 reviews in 1 channel',
          '  still unknown: 1 review in 1 channel',
          '  still unknown: 2 reviews in 2 channels',
        ]);
        expect(lines).toContain(
          'Asked Slack about 4 channels. Public: 1 review; not public: 2 reviews; still unknown: 5 reviews (why is said above; once that is dealt with, run this again: it asks only about those).',
        );
      },
    );

    it.skipIf(skip)(
      'single workspace: a token Slack refuses is reported once, and only DMs are recorded',
      async () => {
        const url = await database();
        const fake = await fakeSlack();
        const storage = await storageAt(url);
        fake.revokeToken(fake.botToken, 'account_inactive');
        await deliveredBefore(storage, fake.teamId, OPEN);
        await deliveredBefore(storage, fake.teamId, 'D0ASKERDM1');

        const result = await visibility([], singleWorkspace(url, fake));
        expect(result.code).toBe(3);
        expect(fake.calls.map((call) => call.method)).toEqual(['auth.test']);
        expect(result.stdout).toContain(
          `Workspace ${fake.teamId}: skipped: Slack refused SLACK_BOT_TOKEN (account_inactive)`,
        );
        expect(await visibilities(storage, fake.teamId)).toEqual([
          `${OPEN}: null`,
          'D0ASKERDM1: private',
        ]);
      },
    );

    it.skipIf(skip)(
      'single workspace: another workspace’s reviews are not asked about with SLACK_BOT_TOKEN',
      async () => {
        const url = await database();
        const fake = await fakeSlack();
        const storage = await storageAt(url);
        await deliveredBefore(storage, ALPHA, OPEN);
        await deliveredBefore(storage, fake.teamId, OPEN);

        // Which workspace SLACK_BOT_TOKEN is of, only Slack says; a dry run asks it nothing.
        const dry = await visibility(['--dry-run'], singleWorkspace(url, fake));
        expect(dry.stdout).toContain(
          `Workspace ${ALPHA}: would ask Slack about 1 channel (1 review) with SLACK_BOT_TOKEN, if it is this workspace’s\n`,
        );
        expect(fake.calls).toEqual([]);

        const result = await visibility([], singleWorkspace(url, fake));
        expect(result.code).toBe(3);
        expect(asked(fake)).toEqual([OPEN]);
        expect(result.stdout).toContain(
          `Workspace ${ALPHA}: skipped: SLACK_BOT_TOKEN is workspace ${fake.teamId}'s`,
        );
        expect(await visibilities(storage, ALPHA)).toEqual([`${OPEN}: null`]);
        expect(await visibilities(storage, fake.teamId)).toEqual([`${OPEN}: public`]);
      },
    );

    it.skipIf(skip)(
      '--dry-run says what it would ask, per workspace, and changes nothing',
      async () => {
        const url = await database();
        const fake = await fakeSlack();
        const storage = await storageAt(url);
        await storage.installations.storeInstallation(installation(ALPHA, TOKENS[ALPHA] ?? ''));
        await deliveredBefore(storage, ALPHA, OPEN, 2);
        await deliveredBefore(storage, ALPHA, CLOSED);
        await deliveredBefore(storage, ALPHA, 'D0ALPHADM1');
        await deliveredBefore(storage, CHARLIE, OPEN);

        const result = await visibility(['--dry-run'], multiWorkspace(url, fake));
        expect(result).toEqual({
          code: 0,
          stdout: [
            `Workspace ${ALPHA}: would ask Slack about 2 channels (3 reviews) with its installation’s bot token; would record 1 review in 1 DM as not public, without asking`,
            `Workspace ${CHARLIE}: would skip 1 channel (1 review): no installation is stored for it (ftrag was uninstalled there, or its token revoked)`,
            'Dry run: would ask Slack about 2 channels in 1 workspace; nothing was asked or changed.',
            '',
          ].join('\n'),
          stderr: '',
        });
        expect(fake.calls).toEqual([]);
        expect(await visibilities(storage, ALPHA)).toEqual([
          `${CLOSED}: null`,
          `${OPEN}: null`,
          `${OPEN}: null`,
          'D0ALPHADM1: null',
        ]);
        expect(await visibilities(storage, CHARLIE)).toEqual([`${OPEN}: null`]);
      },
    );

    it.skipIf(skip)('--team asks about that workspace’s channels only', async () => {
      const url = await database();
      const fake = await fakeSlack();
      const storage = await storageAt(url);
      for (const team of [ALPHA, BRAVO]) {
        await storage.installations.storeInstallation(installation(team, TOKENS[team] ?? ''));
        await deliveredBefore(storage, team, OPEN);
        await deliveredBefore(storage, team, `D0${team.slice(2)}`);
      }

      const alpha = await visibility(['--team', ALPHA], multiWorkspace(url, fake));
      expect(alpha.code).toBe(0);
      expect(asked(fake)).toEqual([`${TOKENS[ALPHA]} ${OPEN}`]);
      expect(alpha.stdout).not.toContain(BRAVO);
      expect(await visibilities(storage, ALPHA)).toEqual([
        `${OPEN}: public`,
        'D0ALPHA001: private',
      ]);
      expect(await visibilities(storage, BRAVO)).toEqual([`${OPEN}: null`, 'D0BRAVO001: null']);

      const again = await visibility([`--team=${ALPHA}`], multiWorkspace(url, fake));
      expect(again.stdout).toBe(
        `Every delivered review of workspace ${ALPHA} has a known visibility: nothing to ask.\n`,
      );
      const before = fake.calls.length;
      const rest = await visibility([], multiWorkspace(url, fake));
      expect(rest.code).toBe(0);
      expect(asked(fake, before)).toEqual([`${TOKENS[BRAVO]} ${OPEN}`]);
    });

    it.skipIf(skip)(
      'waits out a rate limit as the app does, and leaves a channel Slack failed on unknown for the next run',
      async () => {
        const url = await database();
        const fake = await fakeSlack();
        const storage = await storageAt(url);
        await deliveredBefore(storage, fake.teamId, CLOSED);
        await deliveredBefore(storage, fake.teamId, OPEN);
        fake.failNext('conversations.info', { error: 'internal_error' });
        fake.failNext('conversations.info', { status: 429, retryAfter: 1 });

        const first = await visibility([], singleWorkspace(url, fake));
        expect(first.code).toBe(3);
        expect(first.stderr).toContain('rate limit');
        expect(
          fake.callsTo('conversations.info').map((call) => [call.args.channel, call.httpStatus]),
        ).toEqual([
          [CLOSED, 200],
          [OPEN, 429],
          [OPEN, 200],
        ]);
        expect(first.stdout).toContain(
          `  still unknown: 1 review in 1 channel\n    ${CLOSED} (1 review): internal_error\n`,
        );
        expect(await visibilities(storage, fake.teamId)).toEqual([
          `${CLOSED}: null`,
          `${OPEN}: public`,
        ]);

        const before = fake.calls.length;
        const second = await visibility([], singleWorkspace(url, fake));
        expect(second.code).toBe(0);
        expect(asked(fake, before)).toEqual([CLOSED]);
        expect(await visibilities(storage, fake.teamId)).toEqual([
          `${CLOSED}: private`,
          `${OPEN}: public`,
        ]);
      },
    );

    it.skipIf(skip)('refuses a database without ftrag’s tables, creating nothing', async () => {
      const url = await database();
      const fake = await fakeSlack();
      const { db } = await rawDatabase(url);
      await db.destroy(); // a SQLite file now exists, empty
      const result = await visibility([], singleWorkspace(url, fake));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('has no ftrag tables');
      expect(result.stderr).toContain('nothing was changed');
      expect(await tables(url)).toEqual([]);
      expect(fake.calls).toEqual([]);
    });

    it.skipIf(skip)(
      'refuses a database the upgraded app has not migrated yet, and leaves it as it was',
      async () => {
        const url = await database();
        const fake = await fakeSlack();
        await migrateTo(url, '0006_undelivered_index');
        const result = await visibility([], singleWorkspace(url, fake));
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('0007_conversation_visibility');
        expect(result.stderr).toContain('start the app once');
        expect(await executedMigrations(url)).not.toContain('0007_conversation_visibility');
        expect(fake.calls).toEqual([]);
      },
    );
  },
);
