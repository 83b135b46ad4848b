import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerdictChangedError } from '../../src/storage/errors.js';
import { createStorage, type Review, type Storage } from '../../src/storage/index.js';
import {
  answersFixture,
  createPostgresSchema,
  decisionFixture,
  newReviewFixture,
  type PostgresSchema,
  postedOutcomeFixture,
  postgresProbe,
  postgresSuiteTitle,
  uniqueId,
} from './support.js';

const BOB = 'U0BOB00001';
const CAROL = 'U0CAROL001';

/** How a promise ended, without throwing. */
type Settled<T> = { ok: T } | { error: unknown };
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );
}

// SQLite runs one write at a time, so a vote and an edit never overlap there; PostgreSQL runs them
// side by side under READ COMMITTED.
describe.skipIf(!postgresProbe.available)(
  postgresSuiteTitle('a vote racing a verdict-changing edit (postgres)'),
  () => {
    let schema: PostgresSchema;
    let storage: Storage;
    /** A second session, holding locks as a slow statement of another request would. */
    let other: pg.Client;
    let otherPid: number;
    /** Watches who waits on whom (outside `other`'s transactions, whose statistics stand still). */
    let watcher: pg.Client;

    beforeAll(async () => {
      schema = await createPostgresSchema();
      storage = await createStorage(schema.url);
      other = new pg.Client({ connectionString: schema.url });
      await other.connect();
      const { rows } = await other.query<{ pid: number }>('select pg_backend_pid() as pid');
      otherPid = Number(rows[0]?.pid);
      watcher = new pg.Client({ connectionString: schema.url });
      await watcher.connect();
    });
    afterAll(async () => {
      await other?.end();
      await watcher?.end();
      await storage?.close();
      await schema?.drop();
    });

    /**
     * The session waiting on a lock that session `blockerPid` holds, as soon as one does; null
     * once `over()` says there is no point waiting any longer.
     */
    const waitingOn = async (blockerPid: number, over: () => boolean): Promise<number | null> => {
      for (let tries = 0; tries < 1_000; tries++) {
        const { rows } = await watcher.query<{ pid: number }>(
          'select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid))',
          [blockerPid],
        );
        const pid = rows[0]?.pid;
        if (pid !== undefined) return Number(pid);
        if (over()) return null;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`nothing waited on session ${blockerPid}`);
    };

    const postedReview = async (): Promise<Review> => {
      const teamId = uniqueId('T');
      const { review } = await storage.reviews.createPending(
        newReviewFixture({ teamId, verdict: 'rag' }),
      );
      return storage.reviews.markDelivered(teamId, review.id, postedOutcomeFixture());
    };

    it('makes an edit wait for a vote under way, which the edit then clears', async () => {
      const review = await postedReview();
      const { teamId, id } = review;
      expect(review.verdictVersion).toBe(1);
      // Bob challenged earlier; his vote's row is held a moment by another session, so his
      // Agree (on the verdict he saw, version 1) is under way but not done when the edit comes.
      await storage.votes.setVote(teamId, id, BOB, 'challenge', 'old tickets', 1);
      await other.query('begin');
      try {
        await other.query('select 1 from votes where review_id = $1 and user_id = $2 for update', [
          id,
          BOB,
        ]);
        let voteDone = false;
        const vote = settle(storage.votes.setVote(teamId, id, BOB, 'agree', null, 1)).finally(
          () => {
            voteDone = true;
          },
        );
        const votePid = await waitingOn(otherPid, () => voteDone);
        if (votePid === null) throw new Error('the vote did not wait for the row held');

        // The asker's edit changes the verdict (the clearing follows, below, as in applyEdit).
        let saved = false;
        const edit = storage.reviews
          .updateAnswers(teamId, id, answersFixture(), decisionFixture('prompt'))
          .finally(() => {
            saved = true;
          });
        // The edit waits for the vote (its share lock on the review's row) rather than saving
        // while the vote still holds the version it read before.
        expect(await waitingOn(votePid, () => saved)).not.toBeNull();
        expect(saved).toBe(false);
        await other.query('commit');

        const [voted, edited] = await Promise.all([vote, edit]);
        expect(voted).toHaveProperty('ok');
        expect(edited.updated).toBe(true);
        expect(edited.review.verdictVersion).toBe(2);
        // Recorded on version 1, then cleared by the edit: Bob is asked to sign off again.
        expect(await storage.votes.clearStaleVotes(teamId, id)).toBe(1);
        expect(await storage.votes.listVotes(teamId, id)).toEqual([]);
      } finally {
        await other.query('rollback');
      }
    });

    it('refuses as stale a vote that comes while an edit changing the verdict is saved', async () => {
      const review = await postedReview();
      const { teamId, id } = review;
      // An edit's save, held open by another session (the UPDATE that moves the version on).
      await other.query('begin');
      try {
        await other.query(
          'update reviews set verdict_version = verdict_version + 1 where team_id = $1 and id = $2',
          [teamId, id],
        );
        let voteDone = false;
        const vote = settle(storage.votes.setVote(teamId, id, CAROL, 'agree', null, 1)).finally(
          () => {
            voteDone = true;
          },
        );
        // The vote waits for the edit to finish, to read the version the edit leaves.
        expect(await waitingOn(otherPid, () => voteDone)).not.toBeNull();
        await other.query('commit');

        const voted = await vote;
        expect('error' in voted && voted.error).toBeInstanceOf(VerdictChangedError);
        expect(await storage.votes.listVotes(teamId, id)).toEqual([]);
        expect(await storage.votes.clearStaleVotes(teamId, id)).toBe(0);
      } finally {
        await other.query('rollback');
      }
    });
  },
);
