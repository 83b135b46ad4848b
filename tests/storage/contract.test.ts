import type { Installation } from '@slack/bolt';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerdictKind } from '../../src/decision/types.js';
import { type Database, openDatabase } from '../../src/storage/database.js';
import {
  CorruptRowError,
  InstallationNotFoundError,
  ReviewNotFoundError,
  VerdictChangedError,
} from '../../src/storage/errors.js';
import {
  createKyselyInstallationStore,
  type KyselyInstallationStore,
} from '../../src/storage/installationStore.js';
import {
  type ClaimedReview,
  type NewReview,
  type PostedVerdict,
  type Review,
  type ReviewRepository,
  recordsFailure,
  recordsOutcome,
} from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { TokenSealer } from '../../src/storage/tokenSealer.js';
import { createKyselyVoteRepository } from '../../src/storage/voteRepository.js';
import type { VoteRepository } from '../../src/storage/votes.js';
import {
  answersFixture,
  decisionFixture,
  newReviewFixture,
  postedOutcomeFixture,
  type StorageBackend,
  steppingClock,
  storageBackends,
  targetFixture,
  uniqueId,
} from './support.js';

type PreparedBackend = Awaited<ReturnType<StorageBackend['prepare']>>;

/**
 * Any of the fixtures' tokens in plain text. Not just `xox`: sealed text is random base64url, in
 * which those three letters turn up now and then.
 */
const PLAIN_TOKEN = /xoxb-(?:plain|team|org)|xoxp-installer/;

function teamInstallation(teamId: string, botToken = 'xoxb-team'): Installation<'v2', false> {
  return {
    team: { id: teamId, name: 'Acme' },
    enterprise: undefined,
    user: { id: 'U-INSTALLER', token: 'xoxp-installer', scopes: ['identify'] },
    bot: {
      token: botToken,
      scopes: ['commands', 'chat:write'],
      id: 'B-1',
      userId: 'U-BOT',
    },
    appId: 'A-1',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  };
}

function enterpriseInstallation(enterpriseId: string): Installation<'v2', true> {
  return {
    team: undefined,
    enterprise: { id: enterpriseId, name: 'Acme Org' },
    user: { id: 'U-ADMIN', token: undefined, scopes: undefined },
    bot: { token: 'xoxb-org', scopes: ['commands'], id: 'B-ORG', userId: 'U-ORGBOT' },
    appId: 'A-1',
    enterpriseUrl: 'https://acme.enterprise.slack.com/',
    tokenType: 'bot',
    isEnterpriseInstall: true,
    authVersion: 'v2',
  };
}

/** When the delivery claim `review` came back with ends: how its holder names it. */
/** A claimed review as the repository reads it back: without what only the claim tells. */
function asRead(claimed: ClaimedReview | null): Review {
  if (claimed === null) throw new Error('expected a claimed review');
  const { startedBefore: _startedBefore, ...review } = claimed;
  return review;
}

function held(review: Review | null): Date {
  const until = review?.deliveryClaimedUntil;
  if (!until) throw new Error('expected a claimed review');
  return until;
}

/** How `database` would run `query`, as text; on PostgreSQL as if the table were large. */
async function queryPlan(database: Database, query: CompiledQuery): Promise<string> {
  const explain = database.kind === 'sqlite' ? 'explain query plan' : 'explain';
  const explained = CompiledQuery.raw(`${explain} ${query.sql}`, [...query.parameters]);
  // An empty table is cheapest to read whole; without this PostgreSQL never shows an index.
  const rows = await database.db.transaction().execute(async (trx) => {
    if (database.kind === 'postgres') await sql`set local enable_seqscan = off`.execute(trx);
    return (await trx.executeQuery(explained)).rows;
  });
  return JSON.stringify(rows);
}

/**
 * A PostgreSQL transaction holding the lock an UPDATE takes on review `id`'s row until `commit`,
 * and how many backends wait for it, directly or behind one that does.
 */
async function holdRowLock(url: string, id: string) {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]
    ?.pid;
  await locker.query('begin');
  await locker.query('select id from reviews where id = $1 for no key update', [id]);
  return {
    async waiting(): Promise<number> {
      const { rows } = await locker.query<{ waiting: string }>(
        `with recursive blocked(pid) as (
          select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid))
          union
          select a.pid from pg_stat_activity as a
            join blocked as b on b.pid = any(pg_blocking_pids(a.pid))
        ) select count(*) as waiting from blocked`,
        [lockerPid],
      );
      return Number(rows[0]?.waiting);
    },
    async until(done: () => Promise<boolean>): Promise<void> {
      const deadline = Date.now() + 5_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the lock');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    commit: async () => {
      await locker.query('commit');
    },
    /** Ends the transaction (if `commit` didn't) and the connection. */
    close: async () => {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    },
  };
}

const teamQuery = (teamId: string) =>
  ({ teamId, enterpriseId: undefined, isEnterpriseInstall: false }) as const;
const orgQuery = (enterpriseId: string) =>
  ({ teamId: undefined, enterpriseId, isEnterpriseInstall: true }) as const;

for (const backend of storageBackends) {
  describe.skipIf(backend.skip)(`storage contract: ${backend.title}`, () => {
    const time = steppingClock();
    let prepared: PreparedBackend | undefined;
    let database: Database;
    let reviews: ReviewRepository;
    let votes: VoteRepository;
    let installations: KyselyInstallationStore;

    beforeAll(async () => {
      prepared = await backend.prepare();
      database = await openDatabase(prepared.url);
      reviews = createKyselyReviewRepository(database.db, time.clock);
      votes = createKyselyVoteRepository(database.db, time.clock);
      installations = createKyselyInstallationStore(database.db, time.clock);
    });

    afterAll(async () => {
      await database?.close();
      await prepared?.cleanup();
    });

    async function create(
      input: Partial<NewReview> & { teamId: string; verdict?: VerdictKind },
    ): Promise<Review> {
      const { review, created } = await reviews.createPending(newReviewFixture(input));
      expect(created).toBe(true);
      return review;
    }

    describe('reviews', () => {
      it('saves a pending review and reads it back', async () => {
        const teamId = uniqueId('T');
        const input = newReviewFixture({
          teamId,
          enterpriseId: 'E-1',
          userId: 'U-1',
          target: targetFixture({ threadTs: '1700000000.000100', broadcast: true }),
        });
        const { review, created } = await reviews.createPending(input);
        const createdAt = time.last();

        expect(created).toBe(true);
        expect(review).toEqual({
          id: expect.any(String),
          teamId,
          enterpriseId: 'E-1',
          userId: 'U-1',
          target: input.target,
          answers: input.answers,
          decision: input.decision,
          rulesVersion: input.decision.rulesVersion,
          status: 'pending',
          lastError: null,
          postedChannelId: null,
          messageTs: null,
          threadTs: null,
          permalink: null,
          createdAt,
          updatedAt: createdAt,
          revisionOf: null,
          revision: 1,
          deliveryClaimedUntil: null,
          postingStarted: false,
          conversationVisibility: null,
          verdictVersion: 1,
          postedVerdict: null,
        });
        expect(await reviews.get(teamId, review.id)).toEqual(review);
      });

      it('marks a review failed, then delivered', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });

        const failed = await reviews.markFailed(teamId, pending.id, 'channel_not_found', null);
        expect(failed).toMatchObject({ status: 'failed', lastError: 'channel_not_found' });

        const delivered = await reviews.markDelivered(teamId, pending.id, {
          status: 'posted',
          postedChannelId: 'C-GENERAL',
          messageTs: '1700000001.000200',
          threadTs: '1700000001.000200',
          permalink: 'https://acme.slack.com/archives/C-GENERAL/p1700000001000200',
        });
        expect(delivered).toMatchObject({
          status: 'posted',
          lastError: null,
          postedChannelId: 'C-GENERAL',
          messageTs: '1700000001.000200',
          threadTs: '1700000001.000200',
          permalink: 'https://acme.slack.com/archives/C-GENERAL/p1700000001000200',
          createdAt: pending.createdAt,
          answers: pending.answers,
        });
        expect(delivered.updatedAt.getTime()).toBeGreaterThan(pending.updatedAt.getTime());

        expect(await reviews.get(teamId, pending.id)).toEqual(delivered);
      });

      it('keeps why the channel refused a verdict sent as a DM, for its notice', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        await reviews.markFailed(teamId, pending.id, 'ratelimited', null);
        const delivered = await reviews.markDelivered(
          teamId,
          pending.id,
          postedOutcomeFixture({ status: 'sent-as-dm', channelError: 'not_in_channel' }),
        );
        expect(delivered).toMatchObject({ status: 'sent-as-dm', lastError: 'not_in_channel' });
        expect(await reviews.get(teamId, pending.id)).toEqual(delivered);
      });

      it('re-answers a delivered review with a message and keeps its delivery fields', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const delivered = await reviews.markDelivered(teamId, pending.id, postedOutcomeFixture());
        const answers = answersFixture({
          gap: 'behavior',
          knowledge: undefined,
          behavior: { kinds: ['tone'], labeledExamples: 500, trainingBudget: true },
        });
        const decision = decisionFixture('fine-tune', '2025-02');

        const edit = await reviews.updateAnswers(teamId, pending.id, answers, decision);

        expect(edit).toEqual({
          updated: true,
          replaced: { answers: delivered.answers, decision: delivered.decision },
          review: {
            ...delivered,
            answers,
            decision,
            rulesVersion: '2025-02',
            updatedAt: time.last(),
            // The verdict changed (RAG to Fine-tune): votes on the earlier one no longer count.
            verdictVersion: 2,
          },
        });
        expect(await reviews.get(teamId, pending.id)).toEqual(edit.review);
        expect(await reviews.countByVerdict({ teamId })).toMatchObject({ 'fine-tune': 1, rag: 0 });
      });

      it('refuses to re-answer a verdict delivered without a message it can update', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const delivered = await reviews.markDelivered(
          teamId,
          pending.id,
          postedOutcomeFixture({
            status: 'posted-via-response-url',
            messageTs: null,
            threadTs: null,
          }),
        );

        const edit = await reviews.updateAnswers(
          teamId,
          pending.id,
          answersFixture({ title: 'Too late' }),
          decisionFixture('prompt'),
        );

        expect(edit).toEqual({ updated: false, review: delivered });
        expect(await reviews.get(teamId, pending.id)).toEqual(delivered);
      });

      it('refuses to re-answer a pending or failed review while a posting holds its claim', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const claimed = await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000);
        held(claimed);

        const whilePending = await reviews.updateAnswers(
          teamId,
          pending.id,
          answersFixture({ title: 'Edited while posted' }),
          decisionFixture('prompt'),
        );
        expect(whilePending).toEqual({ updated: false, review: asRead(claimed) });
        expect(await reviews.get(teamId, pending.id)).toEqual(asRead(claimed));

        const failed = await reviews.markFailed(teamId, pending.id, 'ratelimited', held(claimed));
        const reclaimed = await reviews.claimDelivery(teamId, failed.id, ['failed'], 60_000);
        expect(reclaimed).toMatchObject({ status: 'failed' });
        const whileFailed = await reviews.updateAnswers(
          teamId,
          pending.id,
          answersFixture({ title: 'Edited while posted again' }),
          decisionFixture('prompt'),
        );
        expect(whileFailed).toEqual({ updated: false, review: asRead(reclaimed) });
        expect(await reviews.get(teamId, pending.id)).toEqual(asRead(reclaimed));
      });

      it('re-answers a pending or failed review that no posting holds, or whose claim has lapsed', async () => {
        const teamId = uniqueId('T');
        const title = (n: number) => `Edit ${n}`;
        const edit = async (id: string, n: number) => {
          const result = await reviews.updateAnswers(
            teamId,
            id,
            answersFixture({ title: title(n) }),
            decisionFixture('prompt'),
          );
          expect(result.updated).toBe(true);
          expect(result.review.answers.title).toBe(title(n));
          expect(await reviews.get(teamId, id)).toEqual(result.review);
          return result.review;
        };

        const pending = await create({ teamId });
        await edit(pending.id, 1);
        // The clock steps a second per reading: a 1 ms claim has lapsed by the next reading.
        held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 1));
        expect(await edit(pending.id, 2)).toMatchObject({ status: 'pending' });

        const failed = await reviews.markFailed(teamId, pending.id, 'ratelimited', null);
        expect(failed).toMatchObject({ status: 'failed', deliveryClaimedUntil: null });
        await edit(pending.id, 3);
        held(await reviews.claimDelivery(teamId, pending.id, ['failed'], 1));
        expect(await edit(pending.id, 4)).toMatchObject({ status: 'failed' });
      });

      it('returns what each edit replaced: the answers and decision the row held right before it', async () => {
        const teamId = uniqueId('T');
        const original = await create({ teamId, verdict: 'rag' });
        const first = {
          answers: answersFixture({ title: 'First edit' }),
          decision: decisionFixture('prompt'),
        };
        const second = {
          answers: answersFixture({ title: 'Second edit' }),
          decision: decisionFixture('fine-tune'),
        };

        const firstEdit = await reviews.updateAnswers(
          teamId,
          original.id,
          first.answers,
          first.decision,
        );
        const secondEdit = await reviews.updateAnswers(
          teamId,
          original.id,
          second.answers,
          second.decision,
        );

        expect(firstEdit.replaced).toEqual({
          answers: original.answers,
          decision: original.decision,
        });
        expect(secondEdit.replaced).toEqual(first);
        expect(secondEdit.review).toMatchObject({ ...second, verdictVersion: 3 });
      });

      it('gives each of two concurrent edits what the row held right before it, over 20 races', async () => {
        // SQLite serves one instance, through one connection: there the instance races itself. A
        // second connection in this process would wait for SQLite's lock synchronously, holding up
        // the very transaction it waits for.
        const other = database.kind === 'postgres' ? await openDatabase(prepared?.url ?? '') : null;
        try {
          const otherReviews = other ? createKyselyReviewRepository(other.db, time.clock) : reviews;
          for (let round = 0; round < 20; round++) {
            const teamId = uniqueId('T');
            const original = await create({ teamId, verdict: 'rag' });
            const mine = {
              answers: answersFixture({ title: `Mine, round ${round}` }),
              decision: decisionFixture('prompt'),
            };
            const theirs = {
              answers: answersFixture({ title: `Theirs, round ${round}` }),
              decision: decisionFixture('fine-tune'),
            };

            const [myEdit, theirEdit] = await Promise.all([
              reviews.updateAnswers(teamId, original.id, mine.answers, mine.decision),
              otherReviews.updateAnswers(teamId, original.id, theirs.answers, theirs.decision),
            ]);

            // The one written last replaced the other's answers, which replaced the original.
            const stored = await reviews.get(teamId, original.id);
            const mineLast = stored?.answers.title === mine.answers.title;
            const wasOriginal = { answers: original.answers, decision: original.decision };
            expect(myEdit.replaced).toEqual(mineLast ? theirs : wasOriginal);
            expect(theirEdit.replaced).toEqual(mineLast ? wasOriginal : mine);
            // Each changed the verdict it replaced.
            expect(stored?.verdictVersion).toBe(3);
          }
        } finally {
          await other?.close();
        }
      });

      it.runIf(backend.shared)(
        'makes an edit that waited for the row behind another replace what that one wrote (PostgreSQL locks)',
        async (context) => {
          if (database.kind !== 'postgres') context.skip();
          const teamId = uniqueId('T');
          const original = await create({ teamId, verdict: 'rag' });
          const other = await openDatabase(prepared?.url ?? '');
          const lock = await holdRowLock(prepared?.url ?? '', original.id);
          try {
            const otherReviews = createKyselyReviewRepository(other.db, time.clock);
            const first = {
              answers: answersFixture({ title: 'Waited first' }),
              decision: decisionFixture('prompt'),
            };
            const second = {
              answers: answersFixture({ title: 'Waited second' }),
              decision: decisionFixture('fine-tune'),
            };
            // Both edits start while the row is locked: each would read the original answers
            // unless reading them waits for the row too.
            const firstEdit = reviews.updateAnswers(
              teamId,
              original.id,
              first.answers,
              first.decision,
            );
            await lock.until(async () => (await lock.waiting()) >= 1);
            const secondEdit = otherReviews.updateAnswers(
              teamId,
              original.id,
              second.answers,
              second.decision,
            );
            await lock.until(async () => (await lock.waiting()) >= 2);
            await lock.commit();

            expect((await firstEdit).replaced).toEqual({
              answers: original.answers,
              decision: original.decision,
            });
            expect((await secondEdit).replaced).toEqual(first);
            expect(await reviews.get(teamId, original.id)).toMatchObject({
              ...second,
              verdictVersion: 3,
            });
          } finally {
            await lock.close();
            await other.close();
          }
        },
      );

      it('throws ReviewNotFoundError for unknown ids and for other teams', async () => {
        const teamId = uniqueId('T');
        const other = uniqueId('T');
        const review = await create({ teamId });
        const outcome = {
          status: 'posted',
          postedChannelId: 'C',
          messageTs: null,
          threadTs: null,
          permalink: null,
        } as const;

        await expect(reviews.markDelivered(teamId, 'nope', outcome)).rejects.toBeInstanceOf(
          ReviewNotFoundError,
        );
        await expect(reviews.markDelivered(other, review.id, outcome)).rejects.toBeInstanceOf(
          ReviewNotFoundError,
        );
        await expect(reviews.markFailed(other, review.id, 'x', null)).rejects.toBeInstanceOf(
          ReviewNotFoundError,
        );
        await expect(
          reviews.updateAnswers(other, review.id, answersFixture(), decisionFixture('prompt')),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
        expect(await reviews.get(teamId, review.id)).toEqual(review);
      });

      it('rejects invalid answers before writing', async () => {
        const teamId = uniqueId('T');
        await expect(
          reviews.createPending(
            newReviewFixture({ teamId, answers: answersFixture({ title: ' ' }) }),
          ),
        ).rejects.toThrow(/answers/);
        expect((await reviews.list({ teamId }, { limit: 10, offset: 0 })).total).toBe(0);
      });

      it('reports a corrupt stored row clearly', async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId });
        await database.db
          .updateTable('reviews')
          .set({ answers: '{"title":' })
          .where('id', '=', review.id)
          .execute();
        await expect(reviews.get(teamId, review.id)).rejects.toBeInstanceOf(CorruptRowError);

        await database.db
          .updateTable('reviews')
          .set({ answers: JSON.stringify(review.answers), status: 'lost' })
          .where('id', '=', review.id)
          .execute();
        await expect(reviews.get(teamId, review.id)).rejects.toThrow(/status/);
      });
    });

    describe('delivery claims', () => {
      it('lets one posting claim a review until its lease ends or it is released', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });

        const claimed = await reviews.claimDelivery(teamId, pending.id, ['pending'], 5_000);
        expect(claimed).toMatchObject({ id: pending.id, status: 'pending' });
        expect(claimed?.deliveryClaimedUntil?.getTime()).toBe(time.last().getTime() + 5_000);
        expect(await reviews.claimDelivery(teamId, pending.id, ['pending'], 5_000)).toBeNull();
        expect((await reviews.get(teamId, pending.id))?.deliveryClaimedUntil).toEqual(
          claimed?.deliveryClaimedUntil,
        );

        await reviews.releaseDelivery(teamId, pending.id, held(claimed));
        expect((await reviews.get(teamId, pending.id))?.deliveryClaimedUntil).toBeNull();
        expect(await reviews.claimDelivery(teamId, pending.id, ['pending'], 2_000)).not.toBeNull();
        // The clock steps a second per reading: two readings later the 2 s lease has ended.
        time.clock();
        time.clock();
        expect(await reviews.claimDelivery(teamId, pending.id, ['pending'], 2_000)).not.toBeNull();
      });

      it('tells a claim whether a posting had started the review, which a claim given back untouched leaves as it was', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        expect(pending.postingStarted).toBe(false);
        const stored = () => reviews.get(teamId, pending.id);

        const first = await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000);
        expect(first).toMatchObject({ startedBefore: false, postingStarted: true });
        // Given back having sent Slack nothing: as never claimed, for the delivery sweep.
        await reviews.releaseDelivery(teamId, pending.id, held(first), false);
        expect(await stored()).toMatchObject({ deliveryClaimedUntil: null, postingStarted: false });
        expect(
          await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000, true),
        ).toMatchObject({ startedBefore: false });
        await reviews.releaseDelivery(teamId, pending.id, held(await stored()), false);

        // Given back after it may have posted the verdict.
        const second = await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000);
        expect(second).toMatchObject({ startedBefore: false });
        await reviews.releaseDelivery(teamId, pending.id, held(second));
        expect(await stored()).toMatchObject({ deliveryClaimedUntil: null, postingStarted: true });
        const third = await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000);
        expect(third).toMatchObject({ startedBefore: true, postingStarted: true });
        await reviews.releaseDelivery(teamId, pending.id, held(third), true);
        expect(await stored()).toMatchObject({ postingStarted: true });

        // A claim that lapsed (its instance died mid-call) counts as started too.
        const lapsed = await create({ teamId });
        await reviews.claimDelivery(teamId, lapsed.id, ['pending'], 1_500);
        time.clock();
        expect(await reviews.claimDelivery(teamId, lapsed.id, ['pending'], 60_000)).toMatchObject({
          startedBefore: true,
        });

        // A failure on record, which releases the claim: no posting has started it since.
        await reviews.markFailed(teamId, pending.id, 'channel_not_found', null);
        expect(await stored()).toMatchObject({ status: 'failed', postingStarted: false });
        expect(await reviews.claimDelivery(teamId, pending.id, ['failed'], 60_000)).toMatchObject({
          startedBefore: false,
        });
      });

      it('extends a claim still held, and only such a claim', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const never = new Date(time.last().getTime() + 60_000);
        expect(await reviews.extendDelivery(teamId, pending.id, never, 5_000)).toBeNull();
        expect((await reviews.get(teamId, pending.id))?.deliveryClaimedUntil).toBeNull();

        const claimed = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 3_000));
        const extended = await reviews.extendDelivery(teamId, pending.id, claimed, 60_000);
        expect(extended?.getTime()).toBe(time.last().getTime() + 60_000);
        expect((await reviews.get(teamId, pending.id))?.deliveryClaimedUntil).toEqual(extended);
        // The claim now ends later: the end it had before no longer names it.
        expect(await reviews.extendDelivery(teamId, pending.id, claimed, 60_000)).toBeNull();
        // Still held a few clock steps later, where the first 3 s lease would have ended.
        time.clock();
        time.clock();
        time.clock();
        expect(await reviews.claimDelivery(teamId, pending.id, ['pending'], 3_000)).toBeNull();

        const current = extended ?? never;
        expect(await reviews.extendDelivery(uniqueId('T'), pending.id, current, 60_000)).toBeNull();
        await reviews.releaseDelivery(teamId, pending.id, current);
        expect(await reviews.extendDelivery(teamId, pending.id, current, 60_000)).toBeNull();
      });

      it('leaves a claim taken after its own lapsed to the posting that took it', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        // The clock steps a second per reading: this claim has ended two readings later.
        const first = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 1_500));
        time.clock();
        const second = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000));
        expect(second.getTime()).toBeGreaterThan(first.getTime());

        expect(await reviews.extendDelivery(teamId, pending.id, first, 60_000)).toBeNull();
        await reviews.releaseDelivery(teamId, pending.id, first);
        expect((await reviews.get(teamId, pending.id))?.deliveryClaimedUntil).toEqual(second);
        expect(await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000)).toBeNull();

        await reviews.releaseDelivery(teamId, pending.id, second);
        expect((await reviews.get(teamId, pending.id))?.deliveryClaimedUntil).toBeNull();
      });

      it('claims only a review whose status is postable, in its own workspace', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        expect(await reviews.claimDelivery(teamId, pending.id, ['failed'], 5_000)).toBeNull();
        expect(await reviews.claimDelivery(teamId, pending.id, [], 5_000)).toBeNull();
        expect(
          await reviews.claimDelivery(uniqueId('T'), pending.id, ['pending'], 5_000),
        ).toBeNull();

        await reviews.markFailed(teamId, pending.id, 'not_in_channel', null);
        expect(
          await reviews.claimDelivery(teamId, pending.id, ['pending', 'failed'], 5_000),
        ).toMatchObject({ status: 'failed' });
      });

      it('releases the claim with the outcome, and a posted review is not claimed again', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const claimed = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000));
        const failed = await reviews.markFailed(teamId, pending.id, 'channel_not_found', claimed);
        expect(failed.deliveryClaimedUntil).toBeNull();
        expect(await reviews.claimDelivery(teamId, pending.id, ['failed'], 60_000)).not.toBeNull();
        const posted = await reviews.markDelivered(teamId, pending.id, {
          status: 'posted',
          postedChannelId: 'C-GENERAL',
          messageTs: '1700000001.000200',
          threadTs: '1700000001.000200',
          permalink: null,
        });
        expect(posted.deliveryClaimedUntil).toBeNull();
        expect(
          await reviews.claimDelivery(teamId, pending.id, ['pending', 'failed'], 60_000),
        ).toBeNull();
      });

      it('records the link of the verdict on record, and of no other', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const link = 'https://acme.slack.com/archives/C-GENERAL/p1700000001000200';
        // Not delivered yet: nothing to link.
        expect(
          await reviews.recordPermalink(
            teamId,
            pending.id,
            { channel: 'C-GENERAL', ts: '1.1' },
            link,
          ),
        ).toMatchObject({ status: 'pending', permalink: null });
        await reviews.markDelivered(teamId, pending.id, {
          status: 'posted',
          postedChannelId: 'C-GENERAL',
          messageTs: '1700000001.000200',
          threadTs: '1700000001.000200',
          permalink: null,
        });
        // Another copy's link (a posting whose delivery is not the one on record).
        const other = { channel: 'C-GENERAL', ts: '1700000009.000100' };
        expect(
          await reviews.recordPermalink(teamId, pending.id, other, `${link}-other`),
        ).toMatchObject({ permalink: null });
        const message = { channel: 'C-GENERAL', ts: '1700000001.000200' };
        expect(await reviews.recordPermalink(teamId, pending.id, message, link)).toMatchObject({
          status: 'posted',
          messageTs: '1700000001.000200',
          permalink: link,
        });
        expect((await reviews.get(teamId, pending.id))?.permalink).toBe(link);
        await expect(reviews.recordPermalink(teamId, uniqueId('R'), message, link)).rejects.toThrow(
          ReviewNotFoundError,
        );
      });

      it('keeps a delivery on record when a posting whose claim lapsed fails after it', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        // The first posting’s claim lapses (each clock reading is a second later); a second posting
        // claims the review and delivers it.
        const lapsed = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 1));
        expect(await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000)).not.toBeNull();
        const outcome = postedOutcomeFixture();
        await reviews.markDelivered(teamId, pending.id, outcome);

        const afterFailure = await reviews.markFailed(
          teamId,
          pending.id,
          'channel_not_found',
          lapsed,
        );
        expect(afterFailure).toMatchObject({
          status: 'posted',
          lastError: null,
          messageTs: outcome.messageTs,
        });
        expect(await reviews.get(teamId, pending.id)).toEqual(afterFailure);
        await expect(
          reviews.markFailed(uniqueId('T'), pending.id, 'x', null),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
      });

      it('records a failure over its own claim or one that ended, never over the claim that replaced it', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        // The clock steps a second per reading: the first posting's claim has ended two readings
        // later, and a second posting claims the review and is posting it.
        const first = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 1_500));
        time.clock();
        const second = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000));

        const afterFirst = await reviews.markFailed(teamId, pending.id, 'channel_not_found', first);
        expect(afterFirst).toMatchObject({
          status: 'pending',
          lastError: null,
          deliveryClaimedUntil: second,
        });
        expect(recordsFailure(afterFirst, 'channel_not_found')).toBe(false);
        expect(await reviews.get(teamId, pending.id)).toEqual(afterFirst);
        // Neither failed nor released: Post again cannot claim it while the second posting runs.
        expect(
          await reviews.claimDelivery(teamId, pending.id, ['pending', 'failed'], 60_000),
        ).toBeNull();
        // A posting that holds no claim records nothing over it either.
        expect(await reviews.markFailed(teamId, pending.id, 'channel_not_found', null)).toEqual(
          afterFirst,
        );

        const afterSecond = await reviews.markFailed(teamId, pending.id, 'not_in_channel', second);
        expect(afterSecond).toMatchObject({
          status: 'failed',
          lastError: 'not_in_channel',
          deliveryClaimedUntil: null,
        });
        expect(recordsFailure(afterSecond, 'not_in_channel')).toBe(true);

        // A claim whose posting went away without an outcome has ended: a failure is recorded.
        held(await reviews.claimDelivery(teamId, pending.id, ['failed'], 1_500));
        time.clock();
        const afterEnded = await reviews.markFailed(teamId, pending.id, 'channel_not_found', null);
        expect(afterEnded).toMatchObject({
          status: 'failed',
          lastError: 'channel_not_found',
          deliveryClaimedUntil: null,
        });
      });

      it('keeps the first delivery on record when a posting whose claim lapsed records a second', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const first = postedOutcomeFixture({ messageTs: '1700000001.000200' });
        const second = postedOutcomeFixture({
          messageTs: '1700000002.000300',
          threadTs: '1700000002.000300',
        });
        const delivered = await reviews.markDelivered(teamId, pending.id, first);
        expect(recordsOutcome(delivered, first)).toBe(true);

        const afterSecond = await reviews.markDelivered(teamId, pending.id, second);
        expect(afterSecond).toEqual(delivered);
        expect(recordsOutcome(afterSecond, second)).toBe(false);
        expect(await reviews.get(teamId, pending.id)).toEqual(delivered);
        await expect(
          reviews.markDelivered(uniqueId('T'), pending.id, second),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
      });

      it('keeps where a posting put its verdict until the delivery is recorded', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const claimed = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000));
        const posted: PostedVerdict = {
          status: 'sent-as-dm',
          channelId: 'D-ASKER',
          messageTs: '1700000001.000200',
          threadTs: '1700000001.000200',
          channelError: 'not_in_channel',
        };
        const recorded = await reviews.recordPostedVerdict(teamId, pending.id, posted, claimed);
        // Only that: the review is still undelivered, and still claimed by the posting.
        expect(recorded).toMatchObject({
          status: 'pending',
          postedVerdict: posted,
          postedChannelId: null,
          messageTs: null,
          deliveryClaimedUntil: claimed,
        });
        expect(await reviews.get(teamId, pending.id)).toEqual(recorded);
        // A later posting, which found that message gone, records its own over it.
        await reviews.releaseDelivery(teamId, pending.id, claimed);
        const next = {
          ...posted,
          status: 'posted' as const,
          channelId: 'C-GENERAL',
          channelError: null,
        };
        expect(
          (await reviews.recordPostedVerdict(teamId, pending.id, next, null)).postedVerdict,
        ).toEqual(next);

        const delivered = await reviews.markDelivered(
          teamId,
          pending.id,
          postedOutcomeFixture({ messageTs: next.messageTs, threadTs: next.threadTs }),
        );
        expect(delivered).toMatchObject({ status: 'posted', postedVerdict: null });
        expect(await reviews.get(teamId, pending.id)).toEqual(delivered);
        // Once delivered, nothing more is recorded before its delivery.
        expect(await reviews.recordPostedVerdict(teamId, pending.id, posted, null)).toEqual(
          delivered,
        );
        await expect(
          reviews.recordPostedVerdict(uniqueId('T'), pending.id, posted, null),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
      });

      it('records a posted verdict over its own claim or one that ended, never over the claim that replaced it', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        // The clock steps a second per reading: the first posting's claim has ended two readings
        // later, and a second posting claims the review and is posting it.
        const first = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 1_500));
        time.clock();
        const second = held(await reviews.claimDelivery(teamId, pending.id, ['pending'], 60_000));
        const posted = (messageTs: string): PostedVerdict => ({
          status: 'posted',
          channelId: 'C-GENERAL',
          messageTs,
          threadTs: messageTs,
          channelError: null,
        });

        const byFirst = await reviews.recordPostedVerdict(
          teamId,
          pending.id,
          posted('1700000001.000100'),
          first,
        );
        expect(byFirst).toMatchObject({ postedVerdict: null, deliveryClaimedUntil: second });
        expect(
          (await reviews.recordPostedVerdict(teamId, pending.id, posted('1.1'), null))
            .postedVerdict,
        ).toBeNull();
        const bySecond = await reviews.recordPostedVerdict(
          teamId,
          pending.id,
          posted('1700000002.000200'),
          second,
        );
        expect(bySecond).toMatchObject({
          status: 'pending',
          postedVerdict: posted('1700000002.000200'),
          deliveryClaimedUntil: second,
        });
        expect(await reviews.get(teamId, pending.id)).toEqual(bySecond);
      });

      it('reports a corrupt posted verdict clearly', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        await database.db
          .updateTable('reviews')
          .set({ posted_verdict: JSON.stringify({ channelId: 'C-GENERAL' }) })
          .where('id', '=', pending.id)
          .execute();
        await expect(reviews.get(teamId, pending.id)).rejects.toThrow(
          new RegExp(`review ${pending.id} posted_verdict`),
        );
        await expect(reviews.get(teamId, pending.id)).rejects.toBeInstanceOf(CorruptRowError);
      });

      it.runIf(backend.shared)('gives a review to one of two instances racing for it', async () => {
        const second = await openDatabase(prepared?.url ?? '');
        try {
          const otherRepo = createKyselyReviewRepository(second.db, time.clock);
          const teamId = uniqueId('T');
          const pending = await create({ teamId });
          const claims = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              (i % 2 === 0 ? reviews : otherRepo).claimDelivery(
                teamId,
                pending.id,
                ['pending'],
                60_000,
              ),
            ),
          );
          expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
        } finally {
          await second.close();
        }
      });
    });

    describe('pending reviews to post unattended', () => {
      // A database of its own: the listing spans every workspace.
      const own = steppingClock();
      let ownPrepared: PreparedBackend | undefined;
      let ownDatabase: Database;
      let repo: ReviewRepository;
      const verdict = (messageTs: string): PostedVerdict => ({
        status: 'posted',
        channelId: 'C-REVIEWS',
        messageTs,
        threadTs: messageTs,
        channelError: null,
      });

      beforeAll(async () => {
        ownPrepared = await backend.prepare();
        ownDatabase = await openDatabase(ownPrepared.url);
        repo = createKyselyReviewRepository(ownDatabase.db, own.clock);
      });

      afterAll(async () => {
        await ownDatabase?.close();
        await ownPrepared?.cleanup();
      });

      it('lists the never claimed and those with a posted verdict on record, oldest first, never one claimed before without it', async () => {
        const make = async (teamId: string) =>
          (await repo.createPending(newReviewFixture({ teamId }))).review;
        const teamId = uniqueId('T');
        // Queued, its posting never started (a stop, or an instance that died first).
        const neverClaimed = await make(teamId);
        // Its posting broke off after the verdict went out: the claim lapsed, or was given back.
        const lapsedWithVerdict = await make(teamId);
        const lapsedClaim = held(
          await repo.claimDelivery(teamId, lapsedWithVerdict.id, ['pending'], 1_500),
        );
        await repo.recordPostedVerdict(teamId, lapsedWithVerdict.id, verdict('1.1'), lapsedClaim);
        const releasedWithVerdict = await make(teamId);
        const releasedClaim = held(
          await repo.claimDelivery(teamId, releasedWithVerdict.id, ['pending'], 60_000),
        );
        await repo.recordPostedVerdict(
          teamId,
          releasedWithVerdict.id,
          verdict('1.2'),
          releasedClaim,
        );
        await repo.releaseDelivery(teamId, releasedWithVerdict.id, releasedClaim);
        // Broke off mid-call, nothing on record: the verdict may be in the channel.
        const released = await make(teamId);
        await repo.releaseDelivery(
          teamId,
          released.id,
          held(await repo.claimDelivery(teamId, released.id, ['pending'], 60_000)),
        );
        expect((await repo.get(teamId, released.id))?.deliveryClaimedUntil).toBeNull();
        const lapsed = await make(teamId);
        await repo.claimDelivery(teamId, lapsed.id, ['pending'], 1_500);
        // Being posted right now, with or without its verdict out.
        const claimedWithVerdict = await make(teamId);
        const claim = held(
          await repo.claimDelivery(teamId, claimedWithVerdict.id, ['pending'], 600_000),
        );
        await repo.recordPostedVerdict(teamId, claimedWithVerdict.id, verdict('1.3'), claim);
        const claimed = await make(teamId);
        await repo.claimDelivery(teamId, claimed.id, ['pending'], 600_000);
        // Delivered, or failed (Post again's).
        const delivered = await make(teamId);
        await repo.markDelivered(teamId, delivered.id, postedOutcomeFixture());
        const failed = await make(teamId);
        await repo.markFailed(teamId, failed.id, 'not_in_channel', null);
        // Another workspace's, never claimed.
        const elsewhere = await make(uniqueId('T'));
        const savedBefore = own.clock();
        const justSaved = await make(teamId);

        const listed = await repo.listUnattended(savedBefore, 20);
        expect(listed.map((review) => review.id)).toEqual([
          neverClaimed.id,
          lapsedWithVerdict.id,
          releasedWithVerdict.id,
          elsewhere.id,
        ]);
        expect(listed[1]).toMatchObject({ status: 'pending', postedVerdict: verdict('1.1') });
        expect((await repo.listUnattended(savedBefore, 2)).map((review) => review.id)).toEqual([
          neverClaimed.id,
          lapsedWithVerdict.id,
        ]);
        expect(
          await repo.listUnattended(new Date(neverClaimed.createdAt.getTime() - 1), 20),
        ).toEqual([]);
        expect((await repo.listUnattended(own.clock(), 20)).map((review) => review.id)).toContain(
          justSaved.id,
        );

        // Claimed unattended: only what the listing lists, whatever its age.
        for (const review of [released, lapsed, claimed, claimedWithVerdict, failed]) {
          expect(
            await repo.claimDelivery(teamId, review.id, ['pending', 'failed'], 60_000, true),
          ).toBeNull();
        }
        for (const review of [neverClaimed, lapsedWithVerdict, releasedWithVerdict, justSaved]) {
          expect(
            await repo.claimDelivery(teamId, review.id, ['pending'], 60_000, true),
          ).not.toBeNull();
        }
        // Asked for (Post again), a review claimed before is claimed as always.
        expect(await repo.claimDelivery(teamId, released.id, ['pending'], 60_000)).not.toBeNull();
      });
    });

    describe('idempotent createPending', () => {
      it('returns the first review for a repeated submission key', async () => {
        const teamId = uniqueId('T');
        const input = newReviewFixture({ teamId });
        const first = await reviews.createPending(input);
        const second = await reviews.createPending({
          ...input,
          decision: decisionFixture('prompt'),
        });

        expect(first.created).toBe(true);
        expect(second).toEqual({ review: first.review, created: false });
        expect((await reviews.list({ teamId }, { limit: 10, offset: 0 })).total).toBe(1);
      });

      it('yields one row for 5 concurrent calls', async () => {
        const teamId = uniqueId('T');
        const input = newReviewFixture({ teamId });
        const results = await Promise.all(
          Array.from({ length: 5 }, () => reviews.createPending(input)),
        );

        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => result.review.id)).size).toBe(1);
        expect((await reviews.list({ teamId }, { limit: 10, offset: 0 })).total).toBe(1);
      });

      // A second connection to `sqlite::memory:` would be a different, empty database.
      it.runIf(backend.shared)('yields one row when two instances race', async () => {
        const url = prepared?.url ?? '';
        const second = await openDatabase(url);
        try {
          const otherRepo = createKyselyReviewRepository(second.db, time.clock);
          const teamId = uniqueId('T');
          const input = newReviewFixture({ teamId });
          const results = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              (i % 2 === 0 ? reviews : otherRepo).createPending(input),
            ),
          );

          expect(results.filter((result) => result.created)).toHaveLength(1);
          expect(new Set(results.map((result) => result.review.id)).size).toBe(1);
        } finally {
          await second.close();
        }
      });

      it('scopes the submission key to the team', async () => {
        const input = newReviewFixture({ teamId: uniqueId('T') });
        const a = await reviews.createPending(input);
        const b = await reviews.createPending({ ...input, teamId: uniqueId('T') });

        expect(a.created).toBe(true);
        expect(b.created).toBe(true);
        expect(b.review.id).not.toBe(a.review.id);
      });
    });

    describe('listing and counting', () => {
      const page = (limit: number, offset = 0) => ({ limit, offset });
      const ids = (list: { reviews: Review[] }) => list.reviews.map((review) => review.id);

      let teamId: string;
      let r1: Review;
      let r2: Review;
      let r3: Review;
      let r4: Review;
      let r5: Review;

      beforeAll(async () => {
        teamId = uniqueId('T');
        const target = (channelId: string | null) => targetFixture({ channelId });
        r1 = await create({
          teamId,
          userId: 'U1',
          target: target('C1'),
          decision: decisionFixture('rag'),
        });
        r2 = await create({
          teamId,
          userId: 'U2',
          target: target('C1'),
          decision: decisionFixture('prompt'),
        });
        await reviews.markDelivered(teamId, r2.id, {
          status: 'posted',
          postedChannelId: 'C1',
          messageTs: '1.1',
          threadTs: '1.1',
          permalink: null,
        });
        // A DM asked for from App Home: no target channel, found by where it landed.
        r3 = await create({
          teamId,
          userId: 'U1',
          target: target(null),
          decision: decisionFixture('rag'),
        });
        await reviews.markDelivered(teamId, r3.id, {
          status: 'sent-as-dm',
          postedChannelId: 'D-U1',
          messageTs: '1.2',
          threadTs: null,
          permalink: null,
        });
        // Meant for C2 but fell back to a DM: found by its target channel.
        r4 = await create({
          teamId,
          userId: 'U2',
          target: target('C2'),
          decision: decisionFixture('fine-tune'),
        });
        await reviews.markDelivered(teamId, r4.id, {
          status: 'sent-as-dm',
          postedChannelId: 'D-U2',
          messageTs: '1.3',
          threadTs: null,
          permalink: null,
        });
        r5 = await create({
          teamId,
          userId: 'U1',
          target: target('C1'),
          decision: decisionFixture('rag+fine-tune'),
        });
        await reviews.markFailed(teamId, r5.id, 'not_in_channel', null);
        // Another workspace with the same user and channel ids must never leak in.
        await create({ teamId: uniqueId('T'), userId: 'U1', target: target('C1') });
      });

      it('lists a workspace newest first, with paging and totals', async () => {
        expect(ids(await reviews.list({ teamId }, page(2)))).toEqual([r5.id, r4.id]);
        expect(ids(await reviews.list({ teamId }, page(2, 2)))).toEqual([r3.id, r2.id]);
        const last = await reviews.list({ teamId }, page(2, 4));
        expect(ids(last)).toEqual([r1.id]);
        expect(last.total).toBe(5);
        expect(await reviews.list({ teamId }, page(2, 10))).toEqual({ reviews: [], total: 5 });
        expect((await reviews.list({ teamId }, page(0))).total).toBe(5);
      });

      it('lists by user', async () => {
        const list = await reviews.list({ teamId, userId: 'U1' }, page(10));
        expect(ids(list)).toEqual([r5.id, r3.id, r1.id]);
        expect(list.total).toBe(3);
        expect(ids(await reviews.list({ teamId, userId: 'U1' }, page(1, 1)))).toEqual([r3.id]);
      });

      it('lists by channel, matching the posted or the target channel', async () => {
        const c1 = await reviews.list({ teamId, channelId: 'C1' }, page(10));
        expect(ids(c1)).toEqual([r5.id, r2.id, r1.id]);
        expect(c1.total).toBe(3);
        expect(ids(await reviews.list({ teamId, channelId: 'C2' }, page(10)))).toEqual([r4.id]);
        expect(ids(await reviews.list({ teamId, channelId: 'D-U1' }, page(10)))).toEqual([r3.id]);
        const mine = await reviews.list({ teamId, userId: 'U1', channelId: 'C1' }, page(1));
        expect(mine).toEqual({ reviews: [expect.objectContaining({ id: r5.id })], total: 2 });
      });

      it('lists only delivered reviews when asked, paging and counting those alone', async () => {
        const delivered = await reviews.list({ teamId, deliveredOnly: true }, page(2));
        expect(ids(delivered)).toEqual([r4.id, r3.id]);
        expect(delivered.total).toBe(3);
        expect(ids(await reviews.list({ teamId, deliveredOnly: true }, page(2, 2)))).toEqual([
          r2.id,
        ]);
        // U1's pending r1 and failed r5 are Home's "Not posted yet", not its list.
        const mine = await reviews.list({ teamId, userId: 'U1', deliveredOnly: true }, page(10));
        expect(mine).toEqual({ reviews: [expect.objectContaining({ id: r3.id })], total: 1 });
      });

      it('rejects an invalid page', async () => {
        await expect(reviews.list({ teamId }, page(-1))).rejects.toBeInstanceOf(RangeError);
        await expect(reviews.list({ teamId }, page(10, 1.5))).rejects.toBeInstanceOf(RangeError);
      });

      it('counts by verdict, with zeros for verdicts not seen', async () => {
        expect(await reviews.countByVerdict({ teamId })).toEqual({
          prompt: 1,
          rag: 2,
          'fine-tune': 1,
          'rag+fine-tune': 1,
        });
        expect(await reviews.countByVerdict({ teamId, userId: 'U1' })).toEqual({
          prompt: 0,
          rag: 2,
          'fine-tune': 0,
          'rag+fine-tune': 1,
        });
        expect(await reviews.countByVerdict({ teamId, channelId: 'C1' })).toEqual({
          prompt: 1,
          rag: 1,
          'fine-tune': 0,
          'rag+fine-tune': 1,
        });
        expect(await reviews.countByVerdict({ teamId: uniqueId('T') })).toEqual({
          prompt: 0,
          rag: 0,
          'fine-tune': 0,
          'rag+fine-tune': 0,
        });
      });
    });

    describe('undelivered reviews', () => {
      const ids = (list: { reviews: Review[] }) => list.reviews.map((review) => review.id);

      it('lists one person’s pending and failed reviews newest first, however many were delivered since', async () => {
        const teamId = uniqueId('T');
        const failed = await create({ teamId, userId: 'U1' });
        await reviews.markFailed(teamId, failed.id, 'channel_not_found', null);
        for (let index = 0; index < 5; index++) {
          const delivered = await create({ teamId, userId: 'U1' });
          await reviews.markDelivered(teamId, delivered.id, postedOutcomeFixture());
        }
        const pending = await create({ teamId, userId: 'U1' });
        // Being posted (claimed) is still undelivered: whether to offer Post again is Home's call.
        const claimed = await create({ teamId, userId: 'U1' });
        expect(await reviews.claimDelivery(teamId, claimed.id, ['pending'], 60_000)).not.toBeNull();
        await create({ teamId, userId: 'U2' });
        await create({ teamId: uniqueId('T'), userId: 'U1' });

        const all = await reviews.listUndelivered(teamId, 'U1', 10);
        expect(ids(all)).toEqual([claimed.id, pending.id, failed.id]);
        expect(all.total).toBe(3);
        expect(all.reviews.map((review) => review.status)).toEqual([
          'pending',
          'pending',
          'failed',
        ]);
        expect(all.reviews[0]?.deliveryClaimedUntil).toBeInstanceOf(Date);
        expect(all.reviews[2]?.lastError).toBe('channel_not_found');

        const newest = await reviews.listUndelivered(teamId, 'U1', 2);
        expect(ids(newest)).toEqual([claimed.id, pending.id]);
        expect(newest.total).toBe(3);
        expect(await reviews.listUndelivered(teamId, 'U2', 0)).toEqual({ reviews: [], total: 1 });

        await reviews.markDelivered(teamId, failed.id, postedOutcomeFixture());
        const after = await reviews.listUndelivered(teamId, 'U1', 10);
        expect(ids(after)).toEqual([claimed.id, pending.id]);
        expect(after.total).toBe(2);
      });

      it('reads them through the partial index of undelivered reviews', async () => {
        const queries: CompiledQuery[] = [];
        const observed = await openDatabase(prepared?.url ?? '', {
          onQuery: (event) => queries.push(event.query),
        });
        try {
          queries.length = 0; // the migrations' queries
          await createKyselyReviewRepository(observed.db, time.clock).listUndelivered('T', 'U1', 5);
          const listing = queries.splice(0);
          expect(listing).toHaveLength(2);
          for (const query of listing) {
            expect(await queryPlan(observed, query)).toContain('reviews_team_user_undelivered_idx');
          }
        } finally {
          await observed.close();
        }
      });

      it('rejects an invalid limit', async () => {
        await expect(reviews.listUndelivered('T', 'U1', -1)).rejects.toBeInstanceOf(RangeError);
        await expect(reviews.listUndelivered('T', 'U1', 1.5)).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('conversation visibility', () => {
      const page = { limit: 10, offset: 0 };
      const ids = (list: { reviews: Review[] }) => list.reviews.map((review) => review.id);

      it('is unknown until recorded, then kept with the review', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        expect(pending.conversationVisibility).toBeNull();
        const delivered = await reviews.markDelivered(teamId, pending.id, postedOutcomeFixture());
        expect(delivered.conversationVisibility).toBeNull();

        const recorded = await reviews.recordVisibility(teamId, pending.id, 'public');
        expect(recorded).toEqual({
          ...delivered,
          conversationVisibility: 'public',
          updatedAt: time.last(),
        });
        expect(await reviews.get(teamId, pending.id)).toEqual(recorded);
        const corrected = await reviews.recordVisibility(teamId, pending.id, 'private');
        expect(corrected.conversationVisibility).toBe('private');
        expect((await reviews.get(teamId, pending.id))?.conversationVisibility).toBe('private');
      });

      it('is recorded for a review of its own workspace only', async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId });
        await expect(
          reviews.recordVisibility(uniqueId('T'), review.id, 'public'),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
        await expect(reviews.recordVisibility(teamId, 'nope', 'public')).rejects.toBeInstanceOf(
          ReviewNotFoundError,
        );
        expect((await reviews.get(teamId, review.id))?.conversationVisibility).toBeNull();
      });

      it('lists only reviews known to be in a public channel when asked, unknown ones as not public', async () => {
        const teamId = uniqueId('T');
        const delivered = async (userId: string, visibility: 'public' | 'private' | null) => {
          const review = await create({ teamId, userId });
          await reviews.markDelivered(teamId, review.id, postedOutcomeFixture());
          return visibility === null
            ? review
            : reviews.recordVisibility(teamId, review.id, visibility);
        };
        const open1 = await delivered('U1', 'public');
        const secret = await delivered('U1', 'private');
        // Delivered before ftrag knew to ask, or Slack would not say.
        const unknown = await delivered('U2', null);
        const pending = await create({ teamId, userId: 'U2' });
        const open2 = await delivered('U2', 'public');
        const open3 = await delivered('U1', 'public');
        const other = await create({ teamId: uniqueId('T'), userId: 'U1' });
        await reviews.markDelivered(other.teamId, other.id, postedOutcomeFixture());
        await reviews.recordVisibility(other.teamId, other.id, 'public');

        const open = await reviews.list({ teamId, publicOnly: true }, page);
        expect(ids(open)).toEqual([open3.id, open2.id, open1.id]);
        expect(open.total).toBe(3);
        expect(
          ids(await reviews.list({ teamId, publicOnly: true }, { limit: 1, offset: 1 })),
        ).toEqual([open2.id]);
        expect(ids(await reviews.list({ teamId, userId: 'U2', publicOnly: true }, page))).toEqual([
          open2.id,
        ]);
        // Without the option, every review of the workspace, as before.
        expect(ids(await reviews.list({ teamId }, page))).toEqual([
          open3.id,
          open2.id,
          pending.id,
          unknown.id,
          secret.id,
          open1.id,
        ]);
        expect(ids(await reviews.list({ teamId, publicOnly: false }, page))).toHaveLength(6);
        expect(await reviews.countByVerdict({ teamId, publicOnly: true })).toMatchObject({
          rag: 3,
        });
      });

      it('counts delivered reviews of unknown visibility by workspace and conversation, and records a conversation’s', async () => {
        const teamA = uniqueId('T');
        const teamB = `${teamA}B`;
        const delivered = async (teamId: string, conversation: string) => {
          const review = await create({ teamId, enterpriseId: teamId === teamA ? 'E-ORG' : null });
          return reviews.markDelivered(
            teamId,
            review.id,
            postedOutcomeFixture({ postedChannelId: conversation }),
          );
        };
        const inFirst = [await delivered(teamA, 'C0FIRST'), await delivered(teamA, 'C0FIRST')];
        await delivered(teamA, 'C0SECOND');
        await delivered(teamA, 'D0DIRECT');
        const known = await delivered(teamA, 'C0KNOWN');
        await reviews.recordVisibility(teamA, known.id, 'private');
        await create({ teamId: teamA, target: targetFixture({ channelId: 'C0FIRST' }) });
        const other = await delivered(teamB, 'C0FIRST');

        expect(await reviews.listUnknownVisibility(teamA)).toEqual([
          { teamId: teamA, enterpriseId: 'E-ORG', conversationId: 'C0FIRST', reviews: 2 },
          { teamId: teamA, enterpriseId: 'E-ORG', conversationId: 'C0SECOND', reviews: 1 },
          { teamId: teamA, enterpriseId: 'E-ORG', conversationId: 'D0DIRECT', reviews: 1 },
        ]);
        const everyTeam = await reviews.listUnknownVisibility();
        expect(
          everyTeam
            .filter((row) => row.teamId === teamA || row.teamId === teamB)
            .map((row) => `${row.teamId} ${row.conversationId}`),
        ).toEqual([
          `${teamA} C0FIRST`,
          `${teamA} C0SECOND`,
          `${teamA} D0DIRECT`,
          `${teamB} C0FIRST`,
        ]);

        expect(await reviews.recordConversationVisibility(teamA, 'C0FIRST', 'public')).toBe(2);
        for (const review of inFirst) {
          expect(await reviews.get(teamA, review.id)).toEqual({
            ...review,
            conversationVisibility: 'public',
            updatedAt: expect.any(Date),
          });
        }
        // Once known, it stays: a second answer changes nothing.
        expect(await reviews.recordConversationVisibility(teamA, 'C0FIRST', 'private')).toBe(0);
        expect((await reviews.get(teamA, inFirst[0]?.id ?? ''))?.conversationVisibility).toBe(
          'public',
        );
        expect(await reviews.recordConversationVisibility(teamA, 'C0KNOWN', 'public')).toBe(0);
        expect((await reviews.get(teamA, known.id))?.conversationVisibility).toBe('private');
        // Another workspace's reviews in a channel of the same id are its own.
        expect((await reviews.get(teamB, other.id))?.conversationVisibility).toBeNull();
        expect(
          (await reviews.listUnknownVisibility(teamA)).map((row) => row.conversationId),
        ).toEqual(['C0SECOND', 'D0DIRECT']);
      });

      it('lists the public reviews of a workspace through their partial index', async () => {
        const queries: CompiledQuery[] = [];
        const observed = await openDatabase(prepared?.url ?? '', {
          onQuery: (event) => queries.push(event.query),
        });
        try {
          queries.length = 0; // the migrations' queries
          await createKyselyReviewRepository(observed.db, time.clock).list(
            { teamId: 'T', publicOnly: true },
            page,
          );
          const listing = queries.splice(0);
          expect(listing).toHaveLength(2);
          for (const query of listing) {
            expect(await queryPlan(observed, query)).toContain('reviews_team_public_idx');
          }
        } finally {
          await observed.close();
        }
      });
    });

    describe('tenant isolation and purge', () => {
      it("never returns workspace A's review for workspace B", async () => {
        const a = uniqueId('T');
        const b = uniqueId('T');
        const review = await create({
          teamId: a,
          userId: 'U1',
          target: targetFixture({ channelId: 'C1' }),
        });
        await create({ teamId: b, userId: 'U1', target: targetFixture({ channelId: 'C1' }) });

        expect(await reviews.get(b, review.id)).toBeNull();
        for (const scope of [
          { teamId: b },
          { teamId: b, userId: 'U1' },
          { teamId: b, channelId: 'C1' },
        ]) {
          const list = await reviews.list(scope, { limit: 50, offset: 0 });
          expect(list.total).toBe(1);
          expect(list.reviews.map((r) => r.id)).not.toContain(review.id);
        }
        const undeliveredInB = await reviews.listUndelivered(b, 'U1', 50);
        expect(undeliveredInB.total).toBe(1);
        expect(undeliveredInB.reviews.map((r) => r.id)).not.toContain(review.id);
        await expect(votes.setVote(b, review.id, 'U2', 'agree', null)).rejects.toBeInstanceOf(
          ReviewNotFoundError,
        );
        await votes.setVote(a, review.id, 'U2', 'agree', null);
        expect(await votes.listVotes(b, review.id)).toEqual([]);
      });

      it("purges a workspace's reviews and votes only", async () => {
        const doomed = uniqueId('T');
        const kept = uniqueId('T');
        const first = await create({ teamId: doomed });
        await create({ teamId: doomed });
        await create({ teamId: doomed });
        const survivor = await create({ teamId: kept });
        await votes.setVote(doomed, first.id, 'U9', 'challenge', 'Too early');
        await votes.setVote(kept, survivor.id, 'U9', 'agree', null);

        expect(await reviews.purgeTeam(doomed)).toBe(3);

        expect(await reviews.get(doomed, first.id)).toBeNull();
        expect((await reviews.list({ teamId: doomed }, { limit: 10, offset: 0 })).total).toBe(0);
        const doomedVotes = await database.db
          .selectFrom('votes')
          .select('user_id')
          .where('team_id', '=', doomed)
          .execute();
        expect(doomedVotes).toEqual([]);
        expect(await reviews.get(kept, survivor.id)).toEqual(survivor);
        expect(await votes.listVotes(kept, survivor.id)).toHaveLength(1);
        expect(await reviews.purgeTeam(doomed)).toBe(0);
      });
    });

    describe('votes', () => {
      it('records one changeable vote per person', async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId });

        const { vote: first } = await votes.setVote(teamId, review.id, 'U1', 'agree', null);
        expect(first).toEqual({
          reviewId: review.id,
          teamId,
          userId: 'U1',
          vote: 'agree',
          reason: null,
          updatedAt: time.last(),
        });
        await votes.setVote(teamId, review.id, 'U2', 'challenge', 'We have no labels');
        const { vote: changed } = await votes.setVote(
          teamId,
          review.id,
          'U1',
          'challenge',
          'Changed my mind',
        );

        expect(changed).toMatchObject({ vote: 'challenge', reason: 'Changed my mind' });
        expect(changed.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());
        const list = await votes.listVotes(teamId, review.id);
        expect(list.map((vote) => [vote.userId, vote.vote, vote.reason])).toEqual([
          ['U2', 'challenge', 'We have no labels'],
          ['U1', 'challenge', 'Changed my mind'],
        ]);
      });

      it('tells whether a vote changed the one on record: the same kind, reason and verdict version do not', async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId, verdict: 'rag' });
        const cast = (vote: 'agree' | 'challenge', reason: string | null, version?: number) =>
          votes.setVote(teamId, review.id, 'U1', vote, reason, version);

        const first = await cast('challenge', 'No labels');
        expect(first.changed).toBe(true);
        // Again, with the version it was cast on or without one: nothing written, not even the time.
        expect(await cast('challenge', 'No labels')).toEqual({ vote: first.vote, changed: false });
        expect(await cast('challenge', 'No labels', 1)).toEqual({
          vote: first.vote,
          changed: false,
        });
        const reworded = await cast('challenge', 'No labels yet');
        expect(reworded).toMatchObject({ vote: { reason: 'No labels yet' }, changed: true });
        expect(reworded.vote.updatedAt.getTime()).toBeGreaterThan(first.vote.updatedAt.getTime());
        expect(await cast('agree', null)).toMatchObject({ vote: { vote: 'agree' }, changed: true });
        expect(await cast('agree', null)).toMatchObject({ changed: false });
        expect(await cast('challenge', 'No labels yet')).toMatchObject({ changed: true });

        // The verdict changes (its votes not cleared yet): the same vote on the verdict it was
        // cast on is refused as stale, not taken for the one on record; on the new one it counts.
        const edit = await reviews.updateAnswers(
          teamId,
          review.id,
          answersFixture(),
          decisionFixture('prompt'),
        );
        expect(edit.review.verdictVersion).toBe(2);
        await expect(cast('challenge', 'No labels yet', 1)).rejects.toBeInstanceOf(
          VerdictChangedError,
        );
        expect(await cast('challenge', 'No labels yet', 2)).toMatchObject({ changed: true });
        expect(await cast('challenge', 'No labels yet')).toMatchObject({ changed: false });
        expect(await votes.listVotes(teamId, review.id)).toHaveLength(1);
        // Another workspace's identical vote on record doesn't make the review theirs.
        await expect(
          votes.setVote(uniqueId('T'), review.id, 'U1', 'challenge', 'No labels yet', 2),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
      });

      it("counts an older instance's vote (no version) as changed once it gets the verdict's version", async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId, verdict: 'rag' });
        await sql`insert into votes (review_id, team_id, user_id, vote, reason, updated_at)
          values (${review.id}, ${teamId}, 'U-OLD', 'agree', null, 1700000001000)`.execute(
          database.db,
        );

        expect(await votes.setVote(teamId, review.id, 'U-OLD', 'agree', null)).toMatchObject({
          changed: true,
        });
        expect(await votes.setVote(teamId, review.id, 'U-OLD', 'agree', null, 1)).toMatchObject({
          changed: false,
        });
      });

      it('changes the record once for two identical votes cast at once, over 30 races', async () => {
        const other = backend.shared ? await openDatabase(prepared?.url ?? '') : null;
        try {
          const otherVotes = other ? createKyselyVoteRepository(other.db, time.clock) : votes;
          for (let round = 0; round < 30; round++) {
            const teamId = uniqueId('T');
            const review = await create({ teamId });
            // A first vote, and the same person's change of it, each submitted twice.
            for (const [vote, reason] of [
              ['challenge', 'No labels'],
              ['challenge', 'Too few labels'],
            ] as const) {
              const cast = await Promise.all([
                votes.setVote(teamId, review.id, 'U1', vote, reason, 1),
                otherVotes.setVote(teamId, review.id, 'U1', vote, reason, 1),
              ]);
              expect(cast.map((result) => result.changed).sort()).toEqual([false, true]);
              expect(cast[0].vote).toEqual(cast[1].vote);
              expect(await votes.listVotes(teamId, review.id)).toEqual([cast[0].vote]);
            }
          }
        } finally {
          await other?.close();
        }
      });

      it('stops counting the votes on a verdict in the same write as the edit that changes it', async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId, verdict: 'rag' });
        const other = await create({ teamId });
        await votes.setVote(teamId, review.id, 'U1', 'agree', null);
        await votes.setVote(teamId, review.id, 'U2', 'challenge', 'No labels');
        await votes.setVote(teamId, other.id, 'U1', 'agree', null);

        const edit = await reviews.updateAnswers(
          teamId,
          review.id,
          answersFixture({ title: 'Edited' }),
          decisionFixture('prompt'),
        );
        expect(edit.updated).toBe(true);
        // Before anything else runs: a refresh of the message, or an export, shows none of them.
        expect(await votes.listVotes(teamId, review.id)).toEqual([]);
        expect(await votes.tallies(teamId, [review.id, other.id])).toEqual({
          [other.id]: { agree: 1, challenge: 0 },
        });
        // Votes recorded from now on are on the new verdict, a changed vote included.
        await votes.setVote(teamId, review.id, 'U3', 'agree', null);
        await votes.setVote(teamId, review.id, 'U2', 'agree', null);
        expect((await votes.listVotes(teamId, review.id)).map((vote) => vote.userId)).toEqual([
          'U3',
          'U2',
        ]);

        expect(await votes.clearStaleVotes(uniqueId('T'), review.id)).toBe(0);
        expect(await votes.clearStaleVotes(teamId, review.id)).toBe(1);
        expect(await votes.clearStaleVotes(teamId, review.id)).toBe(0);
        expect(await votes.clearStaleVotes(teamId, other.id)).toBe(0);
        expect(await votes.listVotes(teamId, review.id)).toHaveLength(2);
        expect(await votes.listVotes(teamId, other.id)).toHaveLength(1);
      });

      it('keeps the votes through an edit that keeps the verdict', async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId, verdict: 'rag' });
        await votes.setVote(teamId, review.id, 'U1', 'agree', null);

        const edit = await reviews.updateAnswers(
          teamId,
          review.id,
          answersFixture({ title: 'Same verdict' }),
          decisionFixture('rag'),
        );

        expect(edit.review.verdictVersion).toBe(1);
        expect(await votes.listVotes(teamId, review.id)).toHaveLength(1);
        expect(await votes.clearStaleVotes(teamId, review.id)).toBe(0);
      });

      it('refuses a vote cast on a verdict that an edit has changed since', async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId, verdict: 'rag' });
        expect(review.verdictVersion).toBe(1);
        const edit = await reviews.updateAnswers(
          teamId,
          review.id,
          answersFixture(),
          decisionFixture('prompt'),
        );
        expect(edit.review.verdictVersion).toBe(2);
        expect(await reviews.get(teamId, review.id)).toEqual(edit.review);

        // Clicked on the message as it was before the edit updated it.
        const stale = votes.setVote(teamId, review.id, 'U1', 'agree', null, 1);
        await expect(stale).rejects.toBeInstanceOf(VerdictChangedError);
        await expect(stale).rejects.toMatchObject({ seenVersion: 1 });
        expect(await votes.clearStaleVotes(teamId, review.id)).toBe(0);
        expect(await votes.listVotes(teamId, review.id)).toEqual([]);

        await votes.setVote(teamId, review.id, 'U1', 'agree', null, 2);
        expect(await votes.listVotes(teamId, review.id)).toHaveLength(1);
        await expect(
          votes.setVote(uniqueId('T'), review.id, 'U1', 'agree', null, 2),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
      });

      it("counts an older instance's vote (no version) on the verdict on record until an edit changes it", async () => {
        const teamId = uniqueId('T');
        const review = await create({ teamId, verdict: 'rag' });
        const editTo = (verdict: VerdictKind) =>
          reviews.updateAnswers(teamId, review.id, answersFixture(), decisionFixture(verdict));
        expect((await editTo('prompt')).review.verdictVersion).toBe(2);
        // As an instance from before verdict versions writes it, during a rolling upgrade.
        await sql`insert into votes (review_id, team_id, user_id, vote, reason, updated_at)
          values (${review.id}, ${teamId}, 'U-OLD', 'agree', null, 1700000001000)`.execute(
          database.db,
        );
        await votes.setVote(teamId, review.id, 'U-NEW', 'challenge', 'No labels', 2);

        expect((await votes.listVotes(teamId, review.id)).map((vote) => vote.userId)).toEqual([
          'U-OLD',
          'U-NEW',
        ]);
        expect(await votes.tallies(teamId, [review.id])).toEqual({
          [review.id]: { agree: 1, challenge: 1 },
        });

        // An edit here changing the verdict again: both were cast on the one it replaced.
        expect((await editTo('rag')).review.verdictVersion).toBe(3);
        expect(await votes.clearStaleVotes(teamId, review.id)).toBe(2);
        expect(await votes.listVotes(teamId, review.id)).toEqual([]);
        expect(await votes.tallies(teamId, [review.id])).toEqual({});
      });

      it('counts a vote raced against a verdict-changing edit only if cast after it, over 50 races', async () => {
        const other = backend.shared ? await openDatabase(prepared?.url ?? '') : null;
        try {
          const otherVotes = other ? createKyselyVoteRepository(other.db, time.clock) : votes;
          for (let round = 0; round < 50; round++) {
            const teamId = uniqueId('T');
            const review = await create({ teamId, verdict: 'rag' });
            const [edit, cast] = await Promise.all([
              reviews.updateAnswers(teamId, review.id, answersFixture(), decisionFixture('prompt')),
              otherVotes.setVote(teamId, review.id, 'U1', 'agree', null),
            ]);
            expect(edit.updated).toBe(true);
            const counted = await votes.listVotes(teamId, review.id);
            // Cast after the edit, the vote counts; before it, it is left out, and cleared.
            const stale = await votes.clearStaleVotes(teamId, review.id);
            expect(counted.length + stale).toBe(1);
            expect(counted).toEqual(stale === 1 ? [] : [cast.vote]);
          }
        } finally {
          await other?.close();
        }
      });

      it('rejects a vote on an unknown review', async () => {
        await expect(
          votes.setVote(uniqueId('T'), 'missing', 'U1', 'agree', null),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
      });
    });

    describe('revisions', () => {
      it('does not re-answer a review that has a later revision', async () => {
        const teamId = uniqueId('T');
        const pending = await create({ teamId });
        const first = await reviews.markDelivered(teamId, pending.id, postedOutcomeFixture());
        const second = await create({ teamId, revisionOf: first.id });
        const answers = answersFixture({ title: 'Rewritten history' });

        const edit = await reviews.updateAnswers(
          teamId,
          first.id,
          answers,
          decisionFixture('prompt'),
        );

        expect(edit).toEqual({ updated: false, review: first });
        const latest = await reviews.updateAnswers(
          teamId,
          second.id,
          answers,
          decisionFixture('prompt'),
        );
        expect(latest.updated).toBe(true);
      });

      it('tells which of some reviews a re-run has revised, in their own workspace only', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        const second = await create({ teamId, revisionOf: first.id });
        const third = await create({ teamId, revisionOf: second.id });
        const alone = await create({ teamId });
        const all = [first.id, second.id, third.id, alone.id, 'missing'];
        expect(await reviews.revisedAmong(teamId, all)).toEqual(new Set([first.id, second.id]));
        expect(await reviews.revisedAmong(teamId, [third.id, alone.id])).toEqual(new Set());
        expect(await reviews.revisedAmong(teamId, [])).toEqual(new Set());
        expect(await reviews.revisedAmong(uniqueId('T'), all)).toEqual(new Set());
      });

      it('links a revision to the review it revises and numbers the chain', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        const input = newReviewFixture({
          teamId,
          userId: 'U-RERUN',
          revisionOf: first.id,
          answers: answersFixture({ title: 'Second look' }),
          decision: decisionFixture('prompt'),
        });
        const { review: second, created } = await reviews.createPending(input);

        expect(created).toBe(true);
        expect(second).toMatchObject({
          teamId,
          userId: 'U-RERUN',
          revisionOf: first.id,
          revision: 2,
          status: 'pending',
          answers: input.answers,
          decision: input.decision,
        });
        expect(second.id).not.toBe(first.id);
        expect(await reviews.get(teamId, second.id)).toEqual(second);
        // The earlier verdict is kept as it was.
        expect(await reviews.get(teamId, first.id)).toEqual(first);

        const third = await create({ teamId, revisionOf: second.id });
        expect(third).toMatchObject({ revisionOf: second.id, revision: 3 });
        expect((await reviews.list({ teamId }, { limit: 10, offset: 0 })).total).toBe(3);
      });

      it('finds the newest revision from any review of the chain', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        expect(await reviews.latestRevision(teamId, first.id)).toEqual(first);
        const second = await create({ teamId, revisionOf: first.id });
        const third = await create({ teamId, revisionOf: second.id });
        const delivered = await reviews.markDelivered(teamId, third.id, {
          status: 'posted',
          postedChannelId: 'C-GENERAL',
          messageTs: '1700000003.000100',
          threadTs: '1700000001.000100',
          permalink: null,
        });

        for (const review of [first, second, third]) {
          expect(await reviews.latestRevision(teamId, review.id)).toEqual(delivered);
        }
        expect(await reviews.latestRevision(teamId, 'missing')).toBeNull();
        expect(await reviews.latestRevision(uniqueId('T'), first.id)).toBeNull();
      });

      it('lists the whole line of revisions from any review of it, first verdict first', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        const unrelated = await create({ teamId });
        expect(await reviews.revisionLine(teamId, first.id)).toEqual([first]);
        const second = await create({ teamId, revisionOf: first.id });
        const third = await create({ teamId, revisionOf: first.id });
        await create({ teamId, revisionOf: unrelated.id });

        for (const review of [first, second, third]) {
          expect(await reviews.revisionLine(teamId, review.id)).toEqual([first, second, third]);
        }
        expect(await reviews.revisionLine(teamId, 'missing')).toEqual([]);
        expect(await reviews.revisionLine(uniqueId('T'), second.id)).toEqual([]);
      });

      it('counts a chain of revisions once, by its newest verdict', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId, verdict: 'fine-tune' });
        await create({ teamId, verdict: 'rag' });
        expect(await reviews.countByVerdict({ teamId })).toMatchObject({ 'fine-tune': 1, rag: 1 });
        const second = await create({ teamId, revisionOf: first.id, verdict: 'prompt' });
        expect(await reviews.countByVerdict({ teamId })).toMatchObject({
          'fine-tune': 0,
          rag: 1,
          prompt: 1,
        });
        await create({ teamId, revisionOf: second.id, verdict: 'rag' });
        expect(await reviews.countByVerdict({ teamId })).toMatchObject({
          'fine-tune': 0,
          rag: 2,
          prompt: 0,
        });
      });

      it('never forks a chain: re-running an older revision revises the newest one', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        const second = await create({ teamId, revisionOf: first.id });
        const late = await create({ teamId, revisionOf: first.id });

        expect(late).toMatchObject({ revisionOf: second.id, revision: 3 });
      });

      it('keeps concurrent re-runs of one review in one line', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        const results = await Promise.all(
          Array.from({ length: 4 }, () =>
            reviews.createPending(newReviewFixture({ teamId, revisionOf: first.id })),
          ),
        );

        expect(results.every((result) => result.created)).toBe(true);
        const numbers = results.map((result) => result.review.revision).sort();
        expect(numbers).toEqual([2, 3, 4, 5]);
        const links = new Set(results.map((result) => result.review.revisionOf));
        expect(links.size).toBe(4);
        const newest = results.find((result) => result.review.revision === 5)?.review;
        expect(await reviews.latestRevision(teamId, first.id)).toEqual(newest);
      });

      it('is idempotent per submission key', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        const input = newReviewFixture({ teamId, revisionOf: first.id });
        const once = await reviews.createPending(input);
        const twice = await reviews.createPending(input);

        expect(once.created).toBe(true);
        expect(twice).toEqual({ review: once.review, created: false });
        expect((await reviews.list({ teamId }, { limit: 10, offset: 0 })).total).toBe(2);
      });

      it('refuses to revise a review of another workspace or one that does not exist', async () => {
        const teamId = uniqueId('T');
        const other = uniqueId('T');
        const review = await create({ teamId });

        await expect(
          reviews.createPending(newReviewFixture({ teamId: other, revisionOf: review.id })),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
        await expect(
          reviews.createPending(newReviewFixture({ teamId, revisionOf: 'missing' })),
        ).rejects.toBeInstanceOf(ReviewNotFoundError);
        expect((await reviews.list({ teamId: other }, { limit: 10, offset: 0 })).total).toBe(0);
      });

      it('purges a whole chain with its workspace', async () => {
        const teamId = uniqueId('T');
        const first = await create({ teamId });
        const second = await create({ teamId, revisionOf: first.id });
        await votes.setVote(teamId, second.id, 'U1', 'agree', null);

        expect(await reviews.purgeTeam(teamId)).toBe(2);
        expect(await reviews.latestRevision(teamId, first.id)).toBeNull();
      });

      // Exactly one wins: the edit comes first and the re-run revises the edited review, or the
      // re-run comes first and the edit is refused. Never an edit of a review already revised.
      it('never lets an edit land after a re-run revised the review, over 50 races', async () => {
        // A second connection to `sqlite::memory:` would be a different, empty database: there
        // one instance races itself.
        const other = backend.shared ? await openDatabase(prepared?.url ?? '') : null;
        try {
          const otherReviews = other ? createKyselyReviewRepository(other.db, time.clock) : reviews;
          for (let round = 0; round < 50; round++) {
            const [editor, reRunner] =
              round % 2 === 0 ? [reviews, otherReviews] : [otherReviews, reviews];
            const teamId = uniqueId('T');
            const first = await create({ teamId, verdict: 'rag' });
            const answers = answersFixture({ title: `Edited in round ${round}` });
            // The re-run reads the chain before it writes: in half the rounds the edit starts up
            // to 3 ms later, so that either may come first.
            const delay = round % 8 < 4 ? null : round % 4;
            const editAfterDelay = async () => {
              if (delay !== null) await new Promise((resolve) => setTimeout(resolve, delay));
              return editor.updateAnswers(teamId, first.id, answers, decisionFixture('prompt'));
            };
            const [edit, rerun] = await Promise.all([
              editAfterDelay(),
              reRunner
                .createPending(newReviewFixture({ teamId, revisionOf: first.id }))
                .then(async (result) => ({
                  ...result,
                  predecessor: await reviews.get(teamId, first.id),
                })),
            ]);

            expect(rerun).toMatchObject({ created: true, review: { revisionOf: first.id } });
            // From the moment the revision exists, its predecessor is history.
            expect(await reviews.get(teamId, first.id)).toEqual(rerun.predecessor);
            expect(rerun.predecessor?.answers).toEqual(edit.updated ? answers : first.answers);
          }
        } finally {
          await other?.close();
        }
      });

      it.runIf(backend.shared)(
        'orders an edit waiting for the row before a re-run, never after it (PostgreSQL locks)',
        async (context) => {
          if (database.kind !== 'postgres') context.skip();
          const teamId = uniqueId('T');
          const first = await create({ teamId, verdict: 'rag' });
          const other = await openDatabase(prepared?.url ?? '');
          // The edit waits for the row. An insert naming the row as its revision_of (a foreign
          // key check: a key-share lock) would not wait for it.
          const lock = await holdRowLock(prepared?.url ?? '', first.id);
          try {
            const otherReviews = createKyselyReviewRepository(other.db, time.clock);
            const answers = answersFixture({ title: 'Edited while re-run' });
            const edit = reviews.updateAnswers(
              teamId,
              first.id,
              answers,
              decisionFixture('prompt'),
            );
            await lock.until(async () => (await lock.waiting()) >= 1);
            // The re-run meanwhile: it lands, or it waits for the row too.
            let rerunDone = false;
            let predecessorOnceRevised: Review | null | undefined;
            const rerun = otherReviews
              .createPending(newReviewFixture({ teamId, revisionOf: first.id }))
              .then(async (result) => {
                predecessorOnceRevised = await reviews.get(teamId, first.id);
                return result;
              })
              .finally(() => {
                rerunDone = true;
              });
            await lock.until(async () => rerunDone || (await lock.waiting()) >= 2);
            await lock.commit();
            const [edited, revised] = await Promise.all([edit, rerun]);

            expect(revised).toMatchObject({ created: true, review: { revisionOf: first.id } });
            // The edit waited first, so it comes first, and the re-run revises the edited review:
            // once the revision exists, its predecessor no longer changes.
            expect(edited.updated).toBe(true);
            expect(predecessorOnceRevised?.answers).toEqual(answers);
            expect(await reviews.get(teamId, first.id)).toEqual(predecessorOnceRevised);
          } finally {
            await lock.close();
            await other.close();
          }
        },
      );
    });

    describe('vote tallies', () => {
      it('counts agreements and challenges per review, for the asked reviews only', async () => {
        const teamId = uniqueId('T');
        const a = await create({ teamId });
        const b = await create({ teamId });
        const c = await create({ teamId });
        await votes.setVote(teamId, a.id, 'U1', 'agree', null);
        await votes.setVote(teamId, a.id, 'U2', 'agree', null);
        await votes.setVote(teamId, a.id, 'U3', 'challenge', 'No labels yet');
        await votes.setVote(teamId, b.id, 'U1', 'challenge', 'Too costly');
        await votes.setVote(teamId, b.id, 'U1', 'agree', null);
        await votes.setVote(teamId, c.id, 'U9', 'agree', null);

        expect(await votes.tallies(teamId, [a.id, b.id, a.id, 'missing'])).toEqual({
          [a.id]: { agree: 2, challenge: 1 },
          [b.id]: { agree: 1, challenge: 0 },
        });
        expect(await votes.tallies(uniqueId('T'), [a.id])).toEqual({});
        expect(await votes.tallies(teamId, [])).toEqual({});
      });
    });

    describe('installation store', () => {
      it('round-trips a workspace installation and updates it in place', async () => {
        const teamId = uniqueId('T');
        await installations.storeInstallation(teamInstallation(teamId));
        expect(await installations.fetchInstallation(teamQuery(teamId))).toEqual(
          teamInstallation(teamId),
        );

        await installations.storeInstallation(teamInstallation(teamId, 'xoxb-rotated'));
        const fetched = await installations.fetchInstallation(teamQuery(teamId));
        expect(fetched.bot?.token).toBe('xoxb-rotated');
        const rows = await database.db
          .selectFrom('installations')
          .select(['bot_token', 'bot_scopes', 'bot_user_id', 'user_id', 'is_enterprise_install'])
          .where('id', '=', teamId)
          .execute();
        expect(rows).toEqual([
          {
            bot_token: 'xoxb-rotated',
            bot_scopes: 'commands,chat:write',
            bot_user_id: 'U-BOT',
            user_id: 'U-INSTALLER',
            is_enterprise_install: 0,
          },
        ]);
      });

      it('with a token key, stores installations sealed and opens them, old and new', async () => {
        const keyA = Buffer.alloc(32, 11);
        const keyB = Buffer.alloc(32, 12);
        const teamId = uniqueId('T');
        const enterpriseId = uniqueId('E');
        // Stored in plain text before encryption was turned on.
        await installations.storeInstallation(teamInstallation(teamId, 'xoxb-plain'));
        const rawOf = async (id: string) =>
          await database.db
            .selectFrom('installations')
            .select(['installation', 'bot_token'])
            .where('id', '=', id)
            .executeTakeFirstOrThrow();

        const sealedA = createKyselyInstallationStore(
          database.db,
          time.clock,
          new TokenSealer(keyA),
        );
        expect((await sealedA.fetchInstallation(teamQuery(teamId))).bot?.token).toBe('xoxb-plain');
        expect((await sealedA.resealInstallations()).resealed).toBeGreaterThanOrEqual(1);
        const raw = await rawOf(teamId);
        expect(raw.installation).not.toMatch(PLAIN_TOKEN);
        expect(raw.bot_token).toBeNull();
        expect(
          await sealedA.fetchInstallation({ ...teamQuery(teamId), userId: 'U-INSTALLER' }),
        ).toEqual(teamInstallation(teamId, 'xoxb-plain'));
        await sealedA.storeInstallation(enterpriseInstallation(enterpriseId));
        expect(JSON.stringify(await rawOf(enterpriseId))).not.toMatch(PLAIN_TOKEN);

        // Without the key, a sealed row is a clear error rather than garbage.
        await expect(installations.fetchInstallation(teamQuery(teamId))).rejects.toThrow(
          /encrypted; set TOKEN_ENCRYPTION_KEY/,
        );
        // …and the start-up check names it as unreadable, with the key it was sealed with.
        const idA = new TokenSealer(keyA).keyIds.current;
        const keyless = await installations.resealInstallations();
        expect(keyless).toEqual({
          resealed: 0,
          installations: expect.any(Number),
          unreadable: expect.arrayContaining([
            { id: teamId, keyId: idA },
            { id: enterpriseId, keyId: idA },
          ]),
        });
        expect(keyless.installations).toBeGreaterThanOrEqual(keyless.unreadable.length);
        // Rotated: B seals, A still opens until the next reseal.
        const rotated = createKyselyInstallationStore(
          database.db,
          time.clock,
          new TokenSealer(keyB, [keyA]),
        );
        expect((await rotated.fetchInstallation(orgQuery(enterpriseId))).bot?.token).toBe(
          'xoxb-org',
        );
        expect((await rotated.resealInstallations()).resealed).toBeGreaterThanOrEqual(2);
        expect(await rotated.resealInstallations()).toMatchObject({ resealed: 0, unreadable: [] });
        const onlyB = createKyselyInstallationStore(database.db, time.clock, new TokenSealer(keyB));
        expect((await onlyB.fetchInstallation(teamQuery(teamId))).bot?.token).toBe('xoxb-plain');
        await expect(sealedA.fetchInstallation(teamQuery(teamId))).rejects.toThrow(
          /neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_PREVIOUS_KEYS/,
        );
        // A key that opens none of them leaves them be, and names them.
        const strangerKey = createKyselyInstallationStore(
          database.db,
          time.clock,
          new TokenSealer(Buffer.alloc(32, 13)),
        );
        const { unreadable } = await strangerKey.resealInstallations();
        const idB = new TokenSealer(keyB).keyIds.current;
        expect(unreadable).toEqual(
          expect.arrayContaining([
            { id: teamId, keyId: idB },
            { id: enterpriseId, keyId: idB },
          ]),
        );
        expect((await onlyB.fetchInstallation(teamQuery(teamId))).bot?.token).toBe('xoxb-plain');
        // Forgetting the user token keeps the row sealed.
        await onlyB.deleteInstallation({ ...teamQuery(teamId), userId: 'U-INSTALLER' });
        expect((await rawOf(teamId)).installation).not.toMatch(PLAIN_TOKEN);
        expect((await onlyB.fetchInstallation(teamQuery(teamId))).user.token).toBeUndefined();
        await onlyB.deleteWorkspaceTokens(teamId, enterpriseId);
      });

      describe('rotating the token key with rolling restarts (README: three steps)', () => {
        const oldKey = Buffer.alloc(32, 21);
        const newKey = Buffer.alloc(32, 22);
        /** One instance of the fleet, by the keys it was started with. */
        const instance = (current: Buffer, previous: Buffer[] = []) =>
          createKyselyInstallationStore(
            database.db,
            time.clock,
            new TokenSealer(current, previous),
          );
        const keyIdOf = async (id: string) =>
          TokenSealer.keyIdOf(
            (
              await database.db
                .selectFrom('installations')
                .select('installation')
                .where('id', '=', id)
                .executeTakeFirstOrThrow()
            ).installation,
          );
        const oldId = new TokenSealer(oldKey).keyIds.current;
        const newId = new TokenSealer(newKey).keyIds.current;

        it('swapping the keys in one rolling restart cuts off the instances not yet restarted', async () => {
          const teamId = uniqueId('T');
          const notYetRestarted = instance(oldKey);
          await notYetRestarted.storeInstallation(teamInstallation(teamId));
          const restarted = instance(newKey, [oldKey]);
          await restarted.resealInstallations();
          expect(await keyIdOf(teamId)).toBe(newId);
          await expect(notYetRestarted.fetchInstallation(teamQuery(teamId))).rejects.toThrow(
            CorruptRowError,
          );
          await restarted.deleteWorkspaceTokens(teamId, null);
        });

        it('no instance of a mixed fleet fails to open a row, at any step', async () => {
          const teams = [uniqueId('T'), uniqueId('T')];
          const enterpriseId = uniqueId('E');
          const queries = () => [...teams.map(teamQuery), orgQuery(enterpriseId)];
          const opensEverything = async (...fleet: KyselyInstallationStore[]) => {
            for (const store of fleet) {
              for (const query of queries()) {
                expect((await store.fetchInstallation(query)).bot?.token).toMatch(/^xoxb-/);
              }
            }
          };
          const sealedWith = async (keyId: string) => {
            for (const id of [...teams, enterpriseId]) expect(await keyIdOf(id)).toBe(keyId);
          };
          const before = instance(oldKey);
          for (const teamId of teams) await before.storeInstallation(teamInstallation(teamId));
          await before.storeInstallation(enterpriseInstallation(enterpriseId));

          // Step 1: the new key as a previous key, instance by instance. Nothing is sealed with
          // it, so the instances not yet restarted open everything.
          const step1 = instance(oldKey, [newKey]);
          await step1.resealInstallations();
          await sealedWith(oldId);
          teams.push(uniqueId('T'));
          await step1.storeInstallation(teamInstallation(teams.at(-1) ?? ''));
          await sealedWith(oldId);
          await opensEverything(before, step1);

          // Step 2: the keys swapped, instance by instance. Restarted instances reseal with the
          // new key, which the others open since step 1; they keep sealing with the old key,
          // which the restarted ones still open.
          const step2 = instance(newKey, [oldKey]);
          expect((await step2.resealInstallations()).resealed).toBeGreaterThanOrEqual(4);
          await sealedWith(newId);
          await opensEverything(step1, step2);
          const lateTeam = uniqueId('T');
          teams.push(lateTeam);
          await step1.storeInstallation(teamInstallation(lateTeam));
          expect(await keyIdOf(lateTeam)).toBe(oldId);
          await opensEverything(step1, step2);
          // An instance on step 1's settings restarting meanwhile seals everything back with
          // the old key: still readable by both.
          await step1.resealInstallations();
          await sealedWith(oldId);
          await opensEverything(step1, step2);
          await step2.resealInstallations();
          await step2.storeInstallation(enterpriseInstallation(enterpriseId));
          await sealedWith(newId);
          await opensEverything(step1, step2);

          // Whatever a step-1 instance sealed after the last step-2 start is left on the old key,
          // which step 3 would drop: hence one more restart once all run step 2's settings.
          await step1.storeInstallation(teamInstallation(lateTeam, 'xoxb-late'));
          await expect(instance(newKey).fetchInstallation(teamQuery(lateTeam))).rejects.toThrow(
            CorruptRowError,
          );
          expect((await step2.resealInstallations()).resealed).toBeGreaterThanOrEqual(1);
          await sealedWith(newId);

          // Step 3: the old key dropped, instance by instance.
          const step3 = instance(newKey);
          await opensEverything(step2, step3);
          teams.push(uniqueId('T'));
          await step3.storeInstallation(teamInstallation(teams.at(-1) ?? ''));
          await step2.storeInstallation(teamInstallation(teams[0] ?? '', 'xoxb-rotated'));
          await opensEverything(step2, step3);
          const unreadable = (await step3.resealInstallations()).unreadable.map((row) => row.id);
          for (const id of [...teams, enterpriseId]) expect(unreadable).not.toContain(id);
          for (const teamId of teams) await step3.deleteWorkspaceTokens(teamId, enterpriseId);
        });
      });

      it('round-trips an org-wide installation keyed by enterprise id', async () => {
        const enterpriseId = uniqueId('E');
        await installations.storeInstallation(enterpriseInstallation(enterpriseId));

        expect(await installations.fetchInstallation(orgQuery(enterpriseId))).toEqual(
          enterpriseInstallation(enterpriseId),
        );
        await expect(
          installations.fetchInstallation({
            teamId: enterpriseId,
            enterpriseId: undefined,
            isEnterpriseInstall: false,
          }),
        ).rejects.toThrow(/No installation/);
      });

      it('throws when nothing is installed', async () => {
        const missing = installations.fetchInstallation(teamQuery(uniqueId('T')));
        await expect(missing).rejects.toThrow(/No installation found/);
        await expect(missing).rejects.toBeInstanceOf(InstallationNotFoundError);
      });

      it("hands out the installer's user token to the installer only", async () => {
        const teamId = uniqueId('T');
        await installations.storeInstallation(teamInstallation(teamId));

        const installer = await installations.fetchInstallation({
          ...teamQuery(teamId),
          userId: 'U-INSTALLER',
        });
        expect(installer.user.token).toBe('xoxp-installer');
        const someoneElse = await installations.fetchInstallation({
          ...teamQuery(teamId),
          userId: 'U-OTHER',
        });
        expect(someoneElse.user.token).toBeUndefined();
        expect(someoneElse.bot?.token).toBe('xoxb-team');
      });

      it('deletes a user token or the whole installation', async () => {
        const teamId = uniqueId('T');
        await installations.storeInstallation(teamInstallation(teamId));

        await installations.deleteInstallation({ ...teamQuery(teamId), userId: 'U-OTHER' });
        expect((await installations.fetchInstallation(teamQuery(teamId))).user.token).toBe(
          'xoxp-installer',
        );
        await installations.deleteInstallation({ ...teamQuery(teamId), userId: 'U-INSTALLER' });
        const botOnly = await installations.fetchInstallation(teamQuery(teamId));
        expect(botOnly.user.token).toBeUndefined();
        expect(botOnly.bot?.token).toBe('xoxb-team');

        await installations.deleteInstallation(teamQuery(teamId));
        await installations.deleteInstallation(teamQuery(teamId));
        await expect(installations.fetchInstallation(teamQuery(teamId))).rejects.toThrow();
      });

      const sequences: Array<{ name: string; calls: Array<'team' | 'team+org'> }> = [
        { name: 'uninstalled then revoked', calls: ['team+org', 'team'] },
        { name: 'revoked then uninstalled', calls: ['team', 'team+org'] },
        { name: 'the same event three times', calls: ['team+org', 'team+org', 'team+org'] },
      ];
      for (const sequence of sequences) {
        it(`deleteWorkspaceTokens is idempotent: ${sequence.name}`, async () => {
          const teamId = uniqueId('T');
          const enterpriseId = uniqueId('E');
          const bystander = uniqueId('T');
          // Before anything is stored: nothing to delete, no error.
          expect(await installations.deleteWorkspaceTokens(teamId, enterpriseId)).toEqual({
            deleted: 0,
            newer: 0,
          });
          await installations.storeInstallation(teamInstallation(teamId));
          await installations.storeInstallation(enterpriseInstallation(enterpriseId));
          await installations.storeInstallation(teamInstallation(bystander));

          let deleted = 0;
          for (const call of sequence.calls) {
            const removal = await installations.deleteWorkspaceTokens(
              teamId,
              call === 'team+org' ? enterpriseId : null,
            );
            deleted += removal.deleted;
          }

          expect(deleted).toBe(2);
          await expect(installations.fetchInstallation(teamQuery(teamId))).rejects.toThrow();
          await expect(installations.fetchInstallation(orgQuery(enterpriseId))).rejects.toThrow();
          expect(await installations.fetchInstallation(teamQuery(bystander))).toEqual(
            teamInstallation(bystander),
          );
        });
      }

      it('deleteWorkspaceTokens tolerates concurrent calls', async () => {
        const teamId = uniqueId('T');
        await installations.storeInstallation(teamInstallation(teamId));
        const counts = await Promise.all(
          Array.from({ length: 4 }, () => installations.deleteWorkspaceTokens(teamId, null)),
        );
        expect(counts.reduce((sum, count) => sum + count.deleted, 0)).toBe(1);
      });

      it('deleteWorkspaceTokens with the event’s time keeps what was stored after it', async () => {
        const teamId = uniqueId('T');
        const enterpriseId = uniqueId('E');
        await installations.storeInstallation(enterpriseInstallation(enterpriseId));
        const orgStored = time.last();
        // A reinstall of the workspace, later than the revocation (each clock reading is 1 s on).
        await installations.storeInstallation(teamInstallation(teamId, 'xoxb-reinstalled'));
        const teamStored = time.last();
        expect(teamStored.getTime()).toBeGreaterThan(orgStored.getTime());

        // A late or retried event from the second before the reinstall: the org install, stored
        // then, goes; the reinstall stays.
        const stale = new Date(teamStored.getTime() - 1_000);
        expect(await installations.deleteWorkspaceTokens(teamId, enterpriseId, stale)).toEqual({
          deleted: 1,
          newer: 1,
        });
        await expect(installations.fetchInstallation(orgQuery(enterpriseId))).rejects.toThrow();
        expect((await installations.fetchInstallation(teamQuery(teamId))).bot?.token).toBe(
          'xoxb-reinstalled',
        );

        // An event of the second the installation was stored in, or later, removes it.
        expect(await installations.deleteWorkspaceTokens(teamId, null, teamStored)).toEqual({
          deleted: 1,
          newer: 0,
        });
        await expect(installations.fetchInstallation(teamQuery(teamId))).rejects.toThrow();
      });
    });
  });
}
