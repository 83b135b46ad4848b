import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { z } from 'zod';
import { CorruptRowError, InstallationNotFoundError } from './errors.js';
import type { Schema } from './schema.js';
import { SealedWithUnknownKeyError, TokenSealer } from './tokenSealer.js';

export interface KyselyInstallationStore extends InstallationStore {
  /**
   * Without `query.userId`, deletes the installation. With it, forgets only that person's user
   * token (kept for the installer only); the bot token stays.
   */
  deleteInstallation(query: InstallationQuery<boolean>): Promise<void>;
  /**
   * For `app_uninstalled` / `tokens_revoked`: deletes the workspace install of `teamId` and, when
   * `enterpriseId` is given, the org-wide install of that enterprise. With `revokedAt` (the
   * event's time, whole seconds), only installations stored at or before that second: one stored
   * later (a reinstall after the revocation) is kept and counted in `newer`. Idempotent.
   */
  deleteWorkspaceTokens(
    teamId: string,
    enterpriseId: string | null,
    revokedAt?: Date,
  ): Promise<WorkspaceTokensRemoval>;
  /**
   * Seals every installation stored in plain text or with a previous key, with the current key.
   * Run at start, so a new or rotated key applies to what is already stored; a row no configured
   * key opens is left as it is and named in `unreadable` (without a sealer: every sealed row).
   */
  resealInstallations(): Promise<ResealReport>;
}

export interface WorkspaceTokensRemoval {
  /** Installations deleted. */
  deleted: number;
  /** Installations kept because they were stored after `revokedAt`. */
  newer: number;
}

export interface ResealReport {
  /** Installations sealed anew with the current key. */
  resealed: number;
  /** Installations stored, readable or not. */
  installations: number;
  /** Those that did not open, by id, with the id of the key each was sealed with (null: none). */
  unreadable: { id: string; keyId: string | null }[];
}

// Only the fields this store and Bolt's authorize rely on; the rest passes through untouched.
const storedInstallationSchema = z.looseObject({
  team: z.looseObject({ id: z.string() }).optional(),
  enterprise: z.looseObject({ id: z.string() }).optional(),
  user: z.looseObject({ id: z.string() }),
  bot: z
    .looseObject({
      token: z.string(),
      scopes: z.array(z.string()),
      id: z.string(),
      userId: z.string(),
    })
    .optional(),
  isEnterpriseInstall: z.boolean().optional(),
});

function isInstallation(value: unknown): value is Installation {
  return storedInstallationSchema.safeParse(value).success;
}

function withoutUserToken(installation: Installation): Installation {
  return {
    ...installation,
    user: { id: installation.user.id, token: undefined, scopes: undefined },
  };
}

interface InstallationKey {
  id: string;
  isEnterpriseInstall: boolean;
}

function keyOfQuery(query: InstallationQuery<boolean>): InstallationKey | null {
  const id = query.isEnterpriseInstall ? query.enterpriseId : query.teamId;
  return id === undefined ? null : { id, isEnterpriseInstall: query.isEnterpriseInstall };
}

function describeQuery(query: InstallationQuery<boolean>): string {
  return `enterprise_id: ${query.enterpriseId}, team_id: ${query.teamId}, user_id: ${query.userId}, enterprise install: ${query.isEnterpriseInstall}`;
}

/**
 * Installations in the `installations` table. With a `sealer`, the installation (which holds the
 * bot and user tokens) is stored encrypted and `bot_token` stays empty; without one, in plain text.
 */
export function createKyselyInstallationStore(
  db: Kysely<Schema>,
  clock: () => Date,
  sealer: TokenSealer | null = null,
): KyselyInstallationStore {
  // The row's key: a sealed installation opens only in the row it was sealed for.
  const contextOf = (id: string, isEnterpriseInstall: boolean) =>
    `installation:${isEnterpriseInstall ? 'enterprise' : 'team'}:${id}`;

  function stored(installation: Installation, id: string, isEnterpriseInstall: boolean) {
    const text = JSON.stringify(installation);
    return sealer
      ? { installation: sealer.seal(text, contextOf(id, isEnterpriseInstall)), bot_token: null }
      : { installation: text, bot_token: installation.bot?.token ?? null };
  }

  async function findRow(key: InstallationKey) {
    return db
      .selectFrom('installations')
      .selectAll()
      .where('id', '=', key.id)
      .where('is_enterprise_install', '=', key.isEnterpriseInstall ? 1 : 0)
      .executeTakeFirst();
  }

  function parseInstallation(row: {
    id: string;
    is_enterprise_install: number;
    installation: string;
  }): Installation {
    const id = row.id;
    let text = row.installation;
    if (TokenSealer.isSealed(text)) {
      if (!sealer) {
        throw new CorruptRowError(
          `installation ${id} is encrypted; set TOKEN_ENCRYPTION_KEY to the key it was sealed with`,
        );
      }
      try {
        text = sealer.open(text, contextOf(id, row.is_enterprise_install === 1));
      } catch (error) {
        const why =
          error instanceof SealedWithUnknownKeyError
            ? error.message
            : 'it does not open (altered?)';
        throw new CorruptRowError(`installation ${id}: ${why}`, { cause: error });
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CorruptRowError(`installation ${id}: not valid JSON`, { cause: error });
    }
    if (!isInstallation(value)) {
      throw new CorruptRowError(`installation ${id}: not a Slack installation`);
    }
    return value;
  }

  return {
    async storeInstallation<AuthVersion extends 'v1' | 'v2'>(
      installation: Installation<AuthVersion, boolean>,
    ): Promise<void> {
      const teamId = installation.team?.id ?? null;
      const enterpriseId = installation.enterprise?.id ?? null;
      const isEnterpriseInstall = installation.isEnterpriseInstall === true;
      const id = isEnterpriseInstall ? enterpriseId : teamId;
      if (id === null) {
        throw new Error(
          isEnterpriseInstall
            ? 'Cannot store an enterprise installation without enterprise.id'
            : 'Cannot store a workspace installation without team.id',
        );
      }
      const at = clock().getTime();
      const columns = {
        team_id: teamId,
        enterprise_id: enterpriseId,
        is_enterprise_install: isEnterpriseInstall ? 1 : 0,
        bot_user_id: installation.bot?.userId ?? null,
        bot_scopes: installation.bot?.scopes.join(',') ?? null,
        user_id: installation.user.id,
        ...stored(installation, id, isEnterpriseInstall),
        updated_at: at,
      };
      await db
        .insertInto('installations')
        .values({ id, ...columns, created_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet(columns))
        .execute();
    },

    async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
      const key = keyOfQuery(query);
      const row = key === null ? undefined : await findRow(key);
      // Bolt's authorize expects a throw, not an empty result, when nothing is installed.
      if (row === undefined) {
        throw new InstallationNotFoundError(`No installation found (${describeQuery(query)})`);
      }
      const installation = parseInstallation(row);
      if (query.userId !== undefined && installation.user.id !== query.userId) {
        // Only the installer's user token is kept; never hand it out for someone else.
        return withoutUserToken(installation);
      }
      return installation;
    },

    async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
      const key = keyOfQuery(query);
      if (key === null) return;
      if (query.userId === undefined) {
        await db.deleteFrom('installations').where('id', '=', key.id).execute();
        return;
      }
      const row = await findRow(key);
      if (row === undefined || row.user_id !== query.userId) return;
      const installation = parseInstallation(row);
      await db
        .updateTable('installations')
        .set({
          ...stored(withoutUserToken(installation), key.id, key.isEnterpriseInstall),
          updated_at: clock().getTime(),
        })
        .where('id', '=', key.id)
        .execute();
    },

    async deleteWorkspaceTokens(
      teamId: string,
      enterpriseId: string | null,
      revokedAt?: Date,
    ): Promise<WorkspaceTokensRemoval> {
      const ofWorkspace = (eb: ExpressionBuilder<Schema, 'installations'>) => {
        const workspace = eb.and([eb('id', '=', teamId), eb('is_enterprise_install', '=', 0)]);
        if (enterpriseId === null) return workspace;
        return eb.or([
          workspace,
          eb.and([eb('id', '=', enterpriseId), eb('is_enterprise_install', '=', 1)]),
        ]);
      };
      if (revokedAt === undefined) {
        const result = await db.deleteFrom('installations').where(ofWorkspace).executeTakeFirst();
        return { deleted: Number(result.numDeletedRows), newer: 0 };
      }
      // Slack's event times are whole seconds: a row stored during that second counts as before.
      const storedAfter = (Math.floor(revokedAt.getTime() / 1000) + 1) * 1000;
      const result = await db
        .deleteFrom('installations')
        .where(ofWorkspace)
        .where('updated_at', '<', storedAfter)
        .executeTakeFirst();
      const newer = await db
        .selectFrom('installations')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where(ofWorkspace)
        .where('updated_at', '>=', storedAfter)
        .executeTakeFirstOrThrow();
      return { deleted: Number(result.numDeletedRows), newer: Number(newer.count) };
    },

    async resealInstallations() {
      const unreadable: ResealReport['unreadable'] = [];
      let resealed = 0;
      const rows = await db.selectFrom('installations').selectAll().execute();
      const unread = (row: (typeof rows)[number]) => ({
        id: row.id,
        keyId: TokenSealer.keyIdOf(row.installation),
      });
      // Without a key nothing is sealed, and what was sealed can't be read.
      if (!sealer) {
        return {
          resealed,
          installations: rows.length,
          unreadable: rows.filter((row) => TokenSealer.isSealed(row.installation)).map(unread),
        };
      }
      // Only the current key seals: an instance never reseals with a key that is merely one of
      // its previous keys, so adding a key there first (rotation's step 1) changes no row.
      for (const row of rows) {
        if (!sealer.needsResealing(row.installation)) continue;
        let installation: Installation;
        try {
          installation = parseInstallation(row);
        } catch (error) {
          if (!(error instanceof CorruptRowError)) throw error;
          unreadable.push(unread(row));
          continue;
        }
        const isEnterpriseInstall = row.is_enterprise_install === 1;
        const result = await db
          .updateTable('installations')
          .set(stored(installation, row.id, isEnterpriseInstall))
          .where('id', '=', row.id)
          .where('is_enterprise_install', '=', row.is_enterprise_install)
          // Unchanged since it was read: a concurrent install or a second instance wins.
          .where('installation', '=', row.installation)
          .executeTakeFirst();
        resealed += Number(result.numUpdatedRows);
      }
      return { resealed, installations: rows.length, unreadable };
    },
  };
}
