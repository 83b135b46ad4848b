import { randomUUID } from 'node:crypto';
import {
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SelectQueryBuilder,
  sql,
  type Updateable,
} from 'kysely';
import { type Answers, answersSchema } from '../decision/answers.js';
import { type Decision, VERDICTS } from '../decision/types.js';
import {
  conversationVisibilitySchema,
  decisionSchema,
  deliveryStatusSchema,
  deliveryTargetSchema,
  millisToDate,
  parseJsonColumn,
  parseValue,
  postedVerdictSchema,
  toCount,
} from './codecs.js';
import { ReviewNotFoundError } from './errors.js';
import {
  type ConversationVisibility,
  type DeliveryOutcome,
  type DeliveryStatus,
  type NewReview,
  type Page,
  type PostedVerdict,
  type Review,
  type ReviewList,
  type ReviewRepository,
  type ReviewScope,
  UNDELIVERED_STATUSES,
  type UnknownVisibility,
} from './repository.js';
import type { ReviewsTable, Schema } from './schema.js';

type ReviewRow = Selectable<ReviewsTable>;

const MAX_REVISION_ATTEMPTS = 5;
const MAX_REVISION_CHAIN = 1000;

export function createKyselyReviewRepository(
  db: Kysely<Schema>,
  clock: () => Date,
): ReviewRepository {
  const now = (): number => clock().getTime();

  /**
   * An UPDATE of one review that also sets `updated_at`, for the caller to narrow further; in
   * `executor`'s transaction when given.
   */
  function updateReview(
    teamId: string,
    id: string,
    values: Omit<Updateable<ReviewsTable>, 'updated_at'>,
    at: number = now(),
    executor: Kysely<Schema> = db,
  ) {
    return executor
      .updateTable('reviews')
      .set({ ...values, updated_at: at })
      .where('team_id', '=', teamId)
      .where('id', '=', id);
  }

  /**
   * Updates a review only while it is still undelivered; otherwise returns it as stored. A posting
   * whose claim lapsed may finish after another posting delivered the verdict, and that delivery
   * stays on record (or Home would offer to post it again, and its messages would be forgotten).
   * With `claim`, only while no other posting holds a claim on it: the claim is the one ending at
   * `claim.heldUntil`, or has ended, or there is none.
   */
  async function updateUndelivered(
    teamId: string,
    id: string,
    values: Omit<Updateable<ReviewsTable>, 'updated_at'>,
    claim?: { heldUntil: Date | null },
  ): Promise<Review> {
    const at = now();
    let query = updateReview(teamId, id, values, at).where('status', 'in', [
      ...UNDELIVERED_STATUSES,
    ]);
    if (claim) {
      const held = claim.heldUntil?.getTime() ?? null;
      query = query.where((eb) =>
        eb.or([
          eb('delivery_claimed_until', 'is', null),
          eb('delivery_claimed_until', '<=', at),
          ...(held === null ? [] : [eb('delivery_claimed_until', '=', held)]),
        ]),
      );
    }
    const row = await query.returningAll().executeTakeFirst();
    if (row !== undefined) return toReview(row);
    const current = await get(teamId, id);
    if (current === null) throw new ReviewNotFoundError(teamId, id);
    return current;
  }

  /** An UPDATE of one review's delivery claim, for the caller to narrow further. */
  function setClaim(teamId: string, id: string, until: number | null) {
    return db
      .updateTable('reviews')
      .set({ delivery_claimed_until: until })
      .where('team_id', '=', teamId)
      .where('id', '=', id);
  }

  async function get(teamId: string, id: string): Promise<Review | null> {
    const row = await db
      .selectFrom('reviews')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : toReview(row);
  }

  /** The revision made by re-running `id`, if any (re-runs never fork a line). */
  async function nextRevision(teamId: string, id: string): Promise<Review | null> {
    const row = await db
      .selectFrom('reviews')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('revision_of', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : toReview(row);
  }

  async function latestRevision(teamId: string, id: string): Promise<Review | null> {
    let current = await get(teamId, id);
    if (current === null) return null;
    // Chains are short (one row per re-run); the bound only guards against a hand-made cycle.
    for (let hops = 0; hops < MAX_REVISION_CHAIN; hops++) {
      const next = await nextRevision(teamId, current.id);
      if (next === null) return current;
      current = next;
    }
    return current;
  }

  async function revisionLine(teamId: string, id: string): Promise<Review[]> {
    const start = await get(teamId, id);
    if (start === null) return [];
    const earlier: Review[] = [];
    const seen = new Set([start.id]);
    // Back to the first verdict, then forward to the newest; the bound and `seen` only guard
    // against a hand-made cycle.
    let current = start;
    for (let hops = 0; hops < MAX_REVISION_CHAIN && current.revisionOf; hops++) {
      const previous = await get(teamId, current.revisionOf);
      if (previous === null || seen.has(previous.id)) break;
      seen.add(previous.id);
      earlier.unshift(previous);
      current = previous;
    }
    const line = [...earlier, start];
    current = start;
    for (let hops = 0; hops < MAX_REVISION_CHAIN; hops++) {
      const next = await nextRevision(teamId, current.id);
      if (next === null || seen.has(next.id)) break;
      current = next;
      seen.add(current.id);
      line.push(current);
    }
    return line;
  }

  return {
    async createPending(input: NewReview) {
      const target = parseValue(deliveryTargetSchema, input.target, 'new review target');
      const answers = parseValue(answersSchema, input.answers, 'new review answers');
      const decision = parseValue(decisionSchema, input.decision, 'new review decision');
      const at = now();
      const values = {
        team_id: input.teamId,
        enterprise_id: input.enterpriseId,
        user_id: input.userId,
        submission_key: input.submissionKey,
        target: JSON.stringify(target),
        target_channel_id: target.channelId,
        answers: JSON.stringify(answers),
        decision: JSON.stringify(decision),
        verdict: decision.verdict,
        rules_version: decision.rulesVersion,
        status: 'pending',
        last_error: null,
        posted_channel_id: null,
        message_ts: null,
        thread_ts: null,
        permalink: null,
        created_at: at,
        updated_at: at,
      };
      const bySubmissionKey = async () => {
        const existing = await db
          .selectFrom('reviews')
          .selectAll()
          .where('team_id', '=', input.teamId)
          .where('submission_key', '=', input.submissionKey)
          .executeTakeFirst();
        return existing === undefined ? undefined : toReview(existing);
      };

      const revisionOf = input.revisionOf ?? null;
      if (revisionOf !== null) {
        // A review has at most one direct revision: when another re-run of the same predecessor
        // lands first, this one revises that newer revision instead.
        for (let attempt = 0; attempt < MAX_REVISION_ATTEMPTS; attempt++) {
          const predecessor = await latestRevision(input.teamId, revisionOf);
          if (predecessor === null) throw new ReviewNotFoundError(input.teamId, revisionOf);
          const outcome = await db
            .transaction()
            .execute(async (trx) => {
              // The predecessor's own row is marked first, in the insert's transaction: an edit's
              // conditional save (updateAnswers) writes that row too, so one of the two waits for
              // the other (PostgreSQL's row lock, SQLite's write lock) and then sees its write.
              const marked = await trx
                .updateTable('reviews')
                .set({ superseded: 1 })
                .where('team_id', '=', input.teamId)
                .where('id', '=', predecessor.id)
                .where('superseded', '=', 0)
                .executeTakeFirst();
              // Another re-run revised it meanwhile (or it was purged): read the chain again.
              if (Number(marked.numUpdatedRows) !== 1) return 'superseded' as const;
              const inserted = await trx
                .insertInto('reviews')
                .values({
                  ...values,
                  id: randomUUID(),
                  revision_of: predecessor.id,
                  revision: (predecessor.revision ?? 1) + 1,
                })
                .onConflict((oc) => oc.doNothing())
                .returningAll()
                .executeTakeFirst();
              // Not inserted: the submission key is taken (or an instance of an older version,
              // which doesn't mark, revised it): the predecessor's mark must not stay.
              if (inserted === undefined) throw new RevisionConflict();
              return inserted;
            })
            .catch((error: unknown) => {
              if (error instanceof RevisionConflict) return 'conflict' as const;
              throw error;
            });
          if (typeof outcome !== 'string') return { review: toReview(outcome), created: true };
          if (outcome === 'conflict') {
            const existing = await bySubmissionKey();
            if (existing !== undefined) return { review: existing, created: false };
          }
        }
        throw new Error(
          `Review ${revisionOf} in team ${input.teamId}: too many concurrent revisions, try again`,
        );
      }

      // ON CONFLICT DO NOTHING + select is race-free on both dialects: on PostgreSQL a concurrent
      // insert of the same key waits for the first transaction and then does nothing.
      const inserted = await db
        .insertInto('reviews')
        .values({ ...values, id: randomUUID(), revision_of: null, revision: 1 })
        .onConflict((oc) => oc.columns(['team_id', 'submission_key']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted !== undefined) return { review: toReview(inserted), created: true };

      const existing = await bySubmissionKey();
      if (existing === undefined) {
        // Only possible if the conflicting row was deleted in between (purgeTeam).
        throw new Error(
          `Review with submission key ${input.submissionKey} in team ${input.teamId} conflicted but was not found`,
        );
      }
      return { review: existing, created: false };
    },

    async claimDelivery(
      teamId: string,
      id: string,
      postable: readonly DeliveryStatus[],
      leaseMs: number,
      unattended = false,
    ) {
      if (postable.length === 0) return null;
      const at = now();
      // Each a conditional UPDATE, first of a review no posting has started, then of one whose
      // claim has ended: the claim knows which it took (RETURNING has only the new row). Another
      // posting claiming in between takes it, and the second finds it held.
      for (const startedBefore of [false, true]) {
        let query = setClaim(teamId, id, at + leaseMs)
          .where('status', 'in', [...postable])
          .where((eb) =>
            startedBefore
              ? eb('delivery_claimed_until', '<=', at)
              : eb('delivery_claimed_until', 'is', null),
          );
        if (unattended) query = query.where((eb) => unattendedPostable(eb, at));
        const row = await query.returningAll().executeTakeFirst();
        if (row !== undefined) return { ...toReview(row), startedBefore };
      }
      return null;
    },

    // A claim is known by when it ends: a later claim by another posting ends later still, so
    // the holder of a lapsed claim can neither extend nor release the claim that replaced it.
    async extendDelivery(teamId: string, id: string, heldUntil: Date, leaseMs: number) {
      const at = now();
      const held = heldUntil.getTime();
      if (held <= at) return null;
      const result = await setClaim(teamId, id, at + leaseMs)
        .where('delivery_claimed_until', '=', held)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? millisToDate(at + leaseMs) : null;
    },

    async releaseDelivery(teamId: string, id: string, heldUntil: Date, started = true) {
      // Not null unless nothing was sent: null is for a review no posting started (listUnattended).
      await setClaim(teamId, id, started ? RELEASED : null)
        .where('delivery_claimed_until', '=', heldUntil.getTime())
        .execute();
    },

    markDelivered(teamId: string, id: string, outcome: DeliveryOutcome) {
      return updateUndelivered(teamId, id, {
        status: outcome.status,
        delivery_claimed_until: null,
        last_error: outcome.channelError ?? null,
        posted_channel_id: outcome.postedChannelId,
        message_ts: outcome.messageTs,
        thread_ts: outcome.threadTs,
        permalink: outcome.permalink,
        posted_verdict: null,
      });
    },

    async recordPermalink(
      teamId: string,
      id: string,
      message: { channel: string; ts: string },
      permalink: string,
    ) {
      const row = await updateReview(teamId, id, { permalink })
        .where('status', 'not in', [...UNDELIVERED_STATUSES])
        .where('posted_channel_id', '=', message.channel)
        .where('message_ts', '=', message.ts)
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined) return toReview(row);
      const current = await get(teamId, id);
      if (current === null) throw new ReviewNotFoundError(teamId, id);
      return current;
    },

    recordPostedVerdict(
      teamId: string,
      id: string,
      posted: PostedVerdict | null,
      heldUntil: Date | null,
    ) {
      const valid =
        posted === null
          ? null
          : JSON.stringify(parseValue(postedVerdictSchema, posted, `review ${id} posted verdict`));
      // Over the caller's claim only: a posting that took over after it lapsed may be posting its
      // own copy, and the first delivery recorded decides which copy stays.
      return updateUndelivered(teamId, id, { posted_verdict: valid }, { heldUntil });
    },

    markFailed(teamId: string, id: string, error: string, heldUntil: Date | null) {
      // A posting whose claim lapsed must not turn a review another posting is posting into
      // 'failed' (Home would offer Post again, and a third posting could claim it meanwhile).
      return updateUndelivered(
        teamId,
        id,
        { status: 'failed', last_error: error, delivery_claimed_until: null },
        { heldUntil },
      );
    },

    async recordVisibility(teamId: string, id: string, visibility: ConversationVisibility) {
      const valid = parseValue(conversationVisibilitySchema, visibility, `review ${id} visibility`);
      const row = await updateReview(teamId, id, { conversation_visibility: valid })
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw new ReviewNotFoundError(teamId, id);
      return toReview(row);
    },

    async listUnknownVisibility(teamId?: string): Promise<UnknownVisibility[]> {
      let query = db
        .selectFrom('reviews')
        .where('conversation_visibility', 'is', null)
        .where('posted_channel_id', 'is not', null)
        .where('status', 'not in', [...UNDELIVERED_STATUSES]);
      if (teamId !== undefined) query = query.where('team_id', '=', teamId);
      const rows = await query
        .select((eb) => [
          'team_id',
          'posted_channel_id',
          eb.fn.max('enterprise_id').as('enterprise_id'),
          eb.fn.countAll<number | string>().as('reviews'),
        ])
        .groupBy(['team_id', 'posted_channel_id'])
        .orderBy('team_id')
        .orderBy('posted_channel_id')
        .execute();
      return rows.map((row) => ({
        teamId: row.team_id,
        enterpriseId: row.enterprise_id,
        conversationId: row.posted_channel_id ?? '',
        reviews: toCount(row.reviews),
      }));
    },

    async recordConversationVisibility(
      teamId: string,
      conversationId: string,
      visibility: ConversationVisibility,
    ) {
      const valid = parseValue(
        conversationVisibilitySchema,
        visibility,
        `${conversationId} visibility`,
      );
      const result = await db
        .updateTable('reviews')
        .set({ conversation_visibility: valid, updated_at: now() })
        .where('team_id', '=', teamId)
        .where('posted_channel_id', '=', conversationId)
        .where('conversation_visibility', 'is', null)
        .where('status', 'not in', [...UNDELIVERED_STATUSES])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async updateAnswers(teamId: string, id: string, answers: Answers, decision: Decision) {
      const validAnswers = parseValue(answersSchema, answers, `review ${id} answers`);
      const validDecision = parseValue(decisionSchema, decision, `review ${id} decision`);
      const at = now();
      const outcome = await db.transaction().execute(async (trx) => {
        // Written first (a column set to itself), the row is this transaction's until it ends:
        // PostgreSQL's row lock (FOR UPDATE would do, but SQLite has none), SQLite's write lock
        // (which a transaction that writes first waits for; one that read first could not write
        // once another connection had). A concurrent edit waits, then reads this one's answers:
        // each edit replaces what the row held right before it.
        const before = await trx
          .updateTable('reviews')
          .set((eb) => ({ answers: eb.ref('answers') }))
          .where('team_id', '=', teamId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (before === undefined) return undefined;
        // editRefusal's rule, checked by the UPDATE itself: a posting may claim the review, or
        // record its delivery, after the caller read it.
        const after = await updateReview(
          teamId,
          id,
          {
            answers: JSON.stringify(validAnswers),
            decision: JSON.stringify(validDecision),
            verdict: validDecision.verdict,
            rules_version: validDecision.rulesVersion,
          },
          at,
          trx,
        )
          // Against the verdict the row has as it is written (SET reads the old row): the votes
          // cast on the earlier verdict stop counting in this same write.
          .set((eb) => ({
            verdict_version: eb
              .case()
              .when('verdict', '=', validDecision.verdict)
              .then(eb.ref('verdict_version'))
              .else(eb('verdict_version', '+', 1))
              .end(),
          }))
          .where((eb) =>
            eb.or([
              eb.and([
                eb('status', 'in', [...UNDELIVERED_STATUSES]),
                eb.or([
                  eb('delivery_claimed_until', 'is', null),
                  eb('delivery_claimed_until', '<=', at),
                ]),
                eb('posted_verdict', 'is', null),
              ]),
              eb.and([
                eb('status', 'not in', [...UNDELIVERED_STATUSES]),
                eb('message_ts', 'is not', null),
              ]),
            ]),
          )
          // Not re-run since: an earlier revision's answers are its thread's history. The mark on
          // the row decides a race with a re-run (see createPending); the NOT EXISTS also covers
          // a revision made by an instance of a version before the mark, during a rolling upgrade.
          .where('superseded', '=', 0)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('reviews as later')
                  .select('later.id')
                  .whereRef('later.team_id', '=', 'reviews.team_id')
                  .whereRef('later.revision_of', '=', 'reviews.id'),
              ),
            ),
          )
          .returningAll()
          .executeTakeFirst();
        return { before, after };
      });
      if (outcome === undefined) throw new ReviewNotFoundError(teamId, id);
      const { before, after } = outcome;
      // Refused: the row is as the first write read it (nothing could change it since).
      if (after === undefined) return { updated: false, review: toReview(before) };
      const replaced = toReview(before);
      return {
        updated: true,
        review: toReview(after),
        replaced: { answers: replaced.answers, decision: replaced.decision },
      };
    },

    get,

    latestRevision,

    revisionLine,

    async revisedAmong(teamId: string, ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      // A later revision's own row, rather than the predecessor's mark: that also covers one made
      // by an instance of a version before the mark, during a rolling upgrade.
      const rows = await db
        .selectFrom('reviews')
        .select('revision_of')
        .where('team_id', '=', teamId)
        .where('revision_of', 'in', [...ids])
        .execute();
      return new Set(rows.flatMap((row) => (row.revision_of === null ? [] : [row.revision_of])));
    },

    async list(scope: ReviewScope, page: Page): Promise<ReviewList> {
      assertPage(page);
      const [rows, count] = await Promise.all([
        scoped(db.selectFrom('reviews'), scope)
          .selectAll()
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        scoped(db.selectFrom('reviews'), scope)
          .select((eb) => eb.fn.countAll<number | string>().as('total'))
          .executeTakeFirstOrThrow(),
      ]);
      return { reviews: rows.map(toReview), total: toCount(count.total) };
    },

    async countByVerdict(scope: ReviewScope) {
      const rows = await scoped(db.selectFrom('reviews'), scope)
        // A re-run replaces its chain's verdict: each chain counts once, by its newest revision.
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('reviews as later')
                .select('later.id')
                .whereRef('later.revision_of', '=', 'reviews.id'),
            ),
          ),
        )
        .select((eb) => ['verdict', eb.fn.countAll<number | string>().as('count')])
        .groupBy('verdict')
        .execute();
      const counts: Record<string, number> = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
      for (const row of rows) counts[row.verdict] = toCount(row.count);
      return counts;
    },

    async listUndelivered(teamId: string, userId: string, limit: number): Promise<ReviewList> {
      assertPage({ limit, offset: 0 });
      // Literal statuses, so the planner can use the partial index of migration 0006.
      const undelivered = scoped(db.selectFrom('reviews'), { teamId, userId }).where(
        'status',
        'in',
        UNDELIVERED_STATUSES.map((status) => sql.lit(status)),
      );
      const [rows, count] = await Promise.all([
        undelivered
          .selectAll()
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute(),
        undelivered
          .select((eb) => eb.fn.countAll<number | string>().as('total'))
          .executeTakeFirstOrThrow(),
      ]);
      return { reviews: rows.map(toReview), total: toCount(count.total) };
    },

    async listUnattended(savedBefore: Date, limit: number): Promise<Review[]> {
      assertPage({ limit, offset: 0 });
      const at = now();
      const rows = await db
        .selectFrom('reviews')
        .selectAll()
        .where('created_at', '<=', savedBefore.getTime())
        .where((eb) => unattendedPostable(eb, at))
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toReview);
    },

    purgeTeam(teamId: string) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('votes').where('team_id', '=', teamId).execute();
        const result = await trx
          .deleteFrom('reviews')
          .where('team_id', '=', teamId)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
  };
}

/**
 * `delivery_claimed_until` of a review whose posting gave its claim back (releaseDelivery) after it
 * may have posted: ended, like any claim in the past, but not null, which stays for a review no
 * posting started (never claimed, or given back with nothing sent).
 */
const RELEASED = 0;

/**
 * What a posting nobody asked for may claim (see ReviewRepository.listUnattended): pending, with no
 * unexpired claim, and either never started (null) or a posted verdict on record to finish.
 */
function unattendedPostable(eb: ExpressionBuilder<Schema, 'reviews'>, at: number) {
  return eb.and([
    // A literal, so the planner can use the partial index of migration 0006.
    eb('status', '=', sql.lit('pending')),
    eb.or([
      eb('delivery_claimed_until', 'is', null),
      eb.and([eb('delivery_claimed_until', '<=', at), eb('posted_verdict', 'is not', null)]),
    ]),
  ]);
}

/** Thrown to roll back a revision's transaction when its insert did nothing. */
class RevisionConflict extends Error {}

function scoped<O>(
  query: SelectQueryBuilder<Schema, 'reviews', O>,
  scope: ReviewScope,
): SelectQueryBuilder<Schema, 'reviews', O> {
  const { teamId, userId, channelId, publicOnly, deliveredOnly } = scope;
  let scopedQuery = query.where('team_id', '=', teamId);
  if (userId !== undefined) scopedQuery = scopedQuery.where('user_id', '=', userId);
  if (deliveredOnly) {
    scopedQuery = scopedQuery.where(
      'status',
      'not in',
      UNDELIVERED_STATUSES.map((status) => sql.lit(status)),
    );
  }
  if (publicOnly) {
    // A literal, so the planner can use the partial index of migration 0007.
    scopedQuery = scopedQuery.where('conversation_visibility', '=', sql.lit('public'));
  }
  if (channelId !== undefined) {
    scopedQuery = scopedQuery.where((eb) =>
      eb.or([eb('posted_channel_id', '=', channelId), eb('target_channel_id', '=', channelId)]),
    );
  }
  return scopedQuery;
}

function assertPage(page: Page): void {
  if (!Number.isSafeInteger(page.limit) || page.limit < 0) {
    throw new RangeError(`page.limit must be a whole number ≥ 0, got ${page.limit}`);
  }
  if (!Number.isSafeInteger(page.offset) || page.offset < 0) {
    throw new RangeError(`page.offset must be a whole number ≥ 0, got ${page.offset}`);
  }
}

function toReview(row: ReviewRow): Review {
  const where = `review ${row.id}`;
  return {
    id: row.id,
    teamId: row.team_id,
    enterpriseId: row.enterprise_id,
    userId: row.user_id,
    target: parseJsonColumn(deliveryTargetSchema, row.target, `${where} target`),
    answers: parseJsonColumn(answersSchema, row.answers, `${where} answers`),
    decision: parseJsonColumn(decisionSchema, row.decision, `${where} decision`),
    rulesVersion: row.rules_version,
    status: parseValue(deliveryStatusSchema, row.status, `${where} status`),
    lastError: row.last_error,
    postedChannelId: row.posted_channel_id,
    messageTs: row.message_ts,
    threadTs: row.thread_ts,
    permalink: row.permalink,
    createdAt: millisToDate(row.created_at),
    updatedAt: millisToDate(row.updated_at),
    revisionOf: row.revision_of,
    revision: Number(row.revision),
    deliveryClaimedUntil:
      row.delivery_claimed_until === null || Number(row.delivery_claimed_until) === RELEASED
        ? null
        : millisToDate(row.delivery_claimed_until),
    postingStarted: row.delivery_claimed_until !== null,
    conversationVisibility:
      row.conversation_visibility === null
        ? null
        : parseValue(
            conversationVisibilitySchema,
            row.conversation_visibility,
            `${where} conversation_visibility`,
          ),
    verdictVersion: Number(row.verdict_version),
    postedVerdict:
      row.posted_verdict === null
        ? null
        : parseJsonColumn(postedVerdictSchema, row.posted_verdict, `${where} posted_verdict`),
  };
}
