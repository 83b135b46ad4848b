import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockId } from '../../src/constants.js';
import {
  createVerdictRefresher,
  type RefreshDeps,
  type RefreshVerdictMessage,
  withDmNotice,
} from '../../src/delivery/reviewMessage.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { createStorage, type Review, type Storage } from '../../src/storage/index.js';
import { buildVerdictMessage } from '../../src/views/verdictMessage.js';
import { BackgroundWork } from '../../src/work.js';
import { newReviewFixture, storageBackends, uniqueId } from '../storage/support.js';
import { capturedLog } from '../support/capturedLog.js';
import { type FakeSlack, type StoredMessage, startFakeSlack } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';

const CHANNEL = 'C0TALLY001';
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const CAROL = 'U0CAROL001';
const VOTERS = ['U0VOTE0001', 'U0VOTE0002', 'U0VOTE0003', 'U0VOTE0004'] as const;

describe('the notice on a verdict sent as a DM instead of to its channel', () => {
  const notice = (channelError: string | null) =>
    JSON.stringify(withDmNotice({ text: 'Verdict', blocks: [] }, 'C0CHAN', channelError).blocks);
  const INVITE = 'Invite me with `/invite @ftrag` in that channel';

  it('advises an invite when the bot is not a member there', () => {
    for (const error of ['not_in_channel', 'channel_not_found']) {
      expect(notice(error)).toContain("in <#C0CHAN> because I'm not a member there.");
      expect(notice(error)).toContain(INVITE);
    }
  });

  it('says the channel is archived, posting there is restricted, or the thread is gone, without an invite', () => {
    const cases: [string, string][] = [
      ['is_archived', 'because that channel is archived, so here it is for you.'],
      ['restricted_action', 'because posting there is restricted, so here it is for you.'],
      [
        'restricted_action_read_only_channel',
        'because posting there is restricted, so here it is for you.',
      ],
      [
        'restricted_action_thread_only_channel',
        'because posting there is restricted, so here it is for you.',
      ],
      [
        'restricted_action_non_threadable_channel',
        'because posting there is restricted, so here it is for you.',
      ],
      [
        'thread_not_found',
        'because its thread is gone or takes no replies, so here it is for you.',
      ],
      [
        'message_not_found',
        'because its thread is gone or takes no replies, so here it is for you.',
      ],
      [
        'cannot_reply_to_message',
        'because its thread is gone or takes no replies, so here it is for you.',
      ],
    ];
    for (const [error, because] of cases) {
      expect(notice(error)).toContain(`I couldn't post this in <#C0CHAN> ${because}`);
      expect(notice(error)).not.toContain('/invite');
      expect(notice(error)).not.toContain('not a member');
    }
  });

  it('names no channel and advises no invite for a DM between other people (the command used there)', () => {
    for (const error of ['channel_not_found', 'not_in_channel', 'internal_error', null]) {
      const text = JSON.stringify(
        withDmNotice({ text: 'Verdict', blocks: [] }, 'D0THEIRS01', error).blocks,
      );
      expect(text).toContain(
        "I couldn't post this in that direct message, since I'm not part of it, so here it is for you.",
      );
      expect(text).not.toContain('<#D0THEIRS01>');
      expect(text).not.toContain('/invite');
    }
  });

  it('says only that it couldn’t post there for any other error', () => {
    for (const error of ['ratelimited', 'internal_error', null]) {
      expect(notice(error)).toContain("I couldn't post this in <#C0CHAN>, so here it is for you.");
      expect(notice(error)).not.toContain('/invite');
    }
  });
});

/** Two storages share one database, as instances share PostgreSQL: not `sqlite::memory:`. */
const backends = storageBackends.filter((backend) => backend.shared);

function tallyOf(message: StoredMessage | undefined): string {
  const tally = (message?.blocks ?? [])
    .filter(isRecord)
    .find((block) => block.block_id === BlockId.verdictTally);
  const elements = Array.isArray(tally?.elements) ? tally.elements.filter(isRecord) : [];
  return String(elements[0]?.text ?? '');
}

/** One app instance: its own storage (connection) and its own refresher (in-process queue). */
interface Instance {
  storage: Storage;
  refresh: RefreshVerdictMessage;
  deps: RefreshDeps;
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`verdict tally across instances: ${backend.title}`, () => {
    let fake: FakeSlack;
    let client: WebClient;
    let cleanup: () => Promise<void> = async () => {};
    let a: Instance;
    let b: Instance;
    const log = capturedLog();

    const instance = async (url: string): Promise<Instance> => {
      const storage = await createStorage(url);
      return {
        storage,
        refresh: createVerdictRefresher(),
        deps: { reviews: storage.reviews, votes: storage.votes, logger: new BoltLogger(log.log) },
      };
    };

    beforeAll(async () => {
      fake = await startFakeSlack();
      fake.addChannel(CHANNEL, { member: true });
      client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
      const prepared = await backend.prepare();
      cleanup = prepared.cleanup;
      a = await instance(prepared.url);
      b = await instance(prepared.url);
    });
    afterAll(async () => {
      await a?.storage.close();
      await b?.storage.close();
      await cleanup();
      await fake?.close();
    });

    /** A review posted in CHANNEL with no votes yet. */
    const postedReview = async (): Promise<Review> => {
      const { review } = await a.storage.reviews.createPending(
        newReviewFixture({
          teamId: uniqueId('T'),
          target: { channelId: CHANNEL, threadTs: null, broadcast: false, responseUrl: null },
        }),
      );
      const message = buildVerdictMessage({
        answers: review.answers,
        decision: review.decision,
        userId: review.userId,
        signOff: { reviewId: review.id, votes: [] },
      });
      const posted = await client.chat.postMessage({
        channel: CHANNEL,
        text: message.text,
        blocks: message.blocks,
      });
      const ts = String(posted.ts);
      return a.storage.reviews.markDelivered(review.teamId, review.id, {
        status: 'posted',
        postedChannelId: CHANNEL,
        messageTs: ts,
        threadTs: ts,
        permalink: null,
      });
    };
    const shown = (review: Review) =>
      tallyOf(fake.messages(CHANNEL).find((message) => message.ts === review.messageTs));
    const updates = () => fake.callCount('chat.update');

    it("shows both votes when one instance's update, built from the older tally, lands last", async () => {
      const review = await postedReview();
      const before = updates();

      // A saves Alice's vote, reads [Alice] and sends its update, which Slack holds.
      await a.storage.votes.setVote(review.teamId, review.id, ALICE, 'agree', null);
      const held = fake.holdNext('chat.update');
      const refreshA = a.refresh(client, review.teamId, review.id, a.deps);
      await held.arrived;

      // B saves Bob's vote, reads [Alice, Bob] and updates the message first.
      await b.storage.votes.setVote(review.teamId, review.id, BOB, 'challenge', 'old tickets');
      await b.refresh(client, review.teamId, review.id, b.deps);
      expect(shown(review)).toBe(`Agreed: <@${ALICE}> · Challenged: <@${BOB}>`);

      // A's update (built from [Alice]) lands last; A notices the tally moved on and sends it again.
      held.release();
      await refreshA;
      expect(shown(review)).toBe(`Agreed: <@${ALICE}> · Challenged: <@${BOB}>`);
      expect(updates() - before).toBe(3);
    });

    it('sends one update per refresh when nothing changes meanwhile', async () => {
      const review = await postedReview();
      const before = updates();
      await a.storage.votes.setVote(review.teamId, review.id, ALICE, 'agree', null);
      await a.refresh(client, review.teamId, review.id, a.deps);
      await b.storage.votes.setVote(review.teamId, review.id, CAROL, 'agree', null);
      await b.refresh(client, review.teamId, review.id, b.deps);
      expect(shown(review)).toBe(`Agreed: <@${ALICE}>, <@${CAROL}>`);
      expect(updates() - before).toBe(2);
    });

    /** Resolves once `work` has nothing running (without draining it, which a stop does). */
    const idle = (work: BackgroundWork) => expect.poll(() => work.size, { timeout: 5_000 }).toBe(0);
    const olderTallyWarnings = () =>
      log.lines.filter((line) => String(line.msg).includes('may show an older tally'));

    /**
     * A's refresh of `review` reaches its cap with the message out of date: each time A's update is
     * on its way, B records one more vote and updates the message, and A's older update lands
     * after B's. A's last update shows three of the four votes stored.
     */
    const refreshAUntilCapped = async (review: Review, deps: RefreshDeps): Promise<void> => {
      await a.storage.votes.setVote(review.teamId, review.id, VOTERS[0], 'agree', null);
      let held = fake.holdNext('chat.update');
      const refreshA = a.refresh(client, review.teamId, review.id, deps);
      await held.arrived;
      for (const voter of VOTERS.slice(1)) {
        await b.storage.votes.setVote(review.teamId, review.id, voter, 'agree', null);
        await b.refresh(client, review.teamId, review.id, b.deps);
        const next = voter === VOTERS.at(-1) ? null : fake.holdNext('chat.update');
        held.release();
        if (next) {
          await next.arrived;
          held = next;
        }
      }
      await refreshA;
    };
    /** Votes where every read finds one more, as if people kept clicking while updates were out. */
    const everyReadAddsAVote = (): RefreshDeps['votes'] => {
      let reads = 0;
      return {
        ...a.storage.votes,
        listVotes: async (teamId, reviewId) => {
          reads += 1;
          await a.storage.votes.setVote(teamId, reviewId, `U0VOTER${reads}`, 'agree', null);
          return a.storage.votes.listVotes(teamId, reviewId);
        },
      };
    };
    const allAgreed = `Agreed: ${VOTERS.map((voter) => `<@${voter}>`).join(', ')}`;

    it('re-checks after a pause when its last update is out of date at its cap, and sends it again', async () => {
      const review = await postedReview();
      const work = new BackgroundWork();
      const warnings = olderTallyWarnings().length;
      await refreshAUntilCapped(review, { ...a.deps, work, recheckDelaysMs: [20, 40] });
      expect(shown(review)).not.toBe(allAgreed);

      const before = updates();
      await idle(work);
      expect(shown(review)).toBe(allAgreed);
      expect(updates() - before).toBe(1);
      expect(olderTallyWarnings()).toHaveLength(warnings);
    });

    it('leaves no re-check waiting out its pause when a stop drains the work', async () => {
      const review = await postedReview();
      const work = new BackgroundWork();
      await refreshAUntilCapped(review, { ...a.deps, work, recheckDelaysMs: [60_000] });
      expect(work.size).toBe(1);

      const started = performance.now();
      expect(await work.drain(5_000)).toBe(true);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(shown(review)).toBe(allAgreed);
    });

    it('gives up after a few re-checks when the votes keep changing under it', async () => {
      const review = await postedReview();
      const before = updates();
      const warnings = olderTallyWarnings().length;
      const votes = everyReadAddsAVote();
      const work = new BackgroundWork();
      await a.refresh(client, review.teamId, review.id, {
        ...a.deps,
        votes,
        work,
        recheckDelaysMs: [5, 10],
      });
      expect(updates() - before).toBe(3);
      await idle(work);
      // Three updates per refresh and per re-check, then a warning.
      expect(updates() - before).toBe(9);
      expect(olderTallyWarnings()).toHaveLength(warnings + 1);
    });

    it('schedules no re-check for a verdict that went out through a response_url (5 uses in all)', async () => {
      const { review } = await a.storage.reviews.createPending(
        newReviewFixture({
          teamId: uniqueId('T'),
          target: { channelId: CHANNEL, threadTs: null, broadcast: false, responseUrl: null },
        }),
      );
      await a.storage.reviews.markDelivered(review.teamId, review.id, {
        status: 'posted-via-response-url',
        postedChannelId: CHANNEL,
        messageTs: null,
        threadTs: null,
        permalink: null,
      });
      const warnings = olderTallyWarnings().length;
      const votes = everyReadAddsAVote();
      let sent = 0;
      const work = new BackgroundWork();
      await a.refresh(
        client,
        review.teamId,
        review.id,
        { ...a.deps, votes, work, recheckDelaysMs: [5, 10] },
        async () => {
          sent += 1;
        },
      );
      await idle(work);
      expect(sent).toBe(3);
      expect(olderTallyWarnings()).toHaveLength(warnings + 1);
    });

    it('rebuilds the notice of a verdict sent as a DM from why the channel refused it', async () => {
      const { review } = await a.storage.reviews.createPending(
        newReviewFixture({
          teamId: uniqueId('T'),
          userId: ALICE,
          target: { channelId: CHANNEL, threadTs: null, broadcast: false, responseUrl: null },
        }),
      );
      const posted = await client.chat.postMessage({ channel: ALICE, text: 'Verdict', blocks: [] });
      const dm = String(posted.channel);
      await a.storage.reviews.markDelivered(review.teamId, review.id, {
        status: 'sent-as-dm',
        postedChannelId: dm,
        messageTs: String(posted.ts),
        threadTs: String(posted.ts),
        permalink: null,
        channelError: 'is_archived',
      });
      await a.storage.votes.setVote(review.teamId, review.id, ALICE, 'agree', null);
      await a.refresh(client, review.teamId, review.id, a.deps);
      const message = fake.messages(ALICE).find((m) => m.ts === posted.ts);
      const notice = JSON.stringify(message?.blocks?.[0]);
      expect(notice).toContain(`in <#${CHANNEL}> because that channel is archived`);
      expect(notice).not.toContain('/invite');
      expect(tallyOf(message)).toBe(`Agreed: <@${ALICE}>`);
    });
  });
}
