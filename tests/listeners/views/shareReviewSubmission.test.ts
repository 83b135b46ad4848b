import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../../src/constants.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { shareReviewSubmission } from '../../../src/listeners/views/shareReviewSubmission.js';
import type {
  ConversationVisibility,
  DeliveryOutcome,
  Review,
} from '../../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { newReviewFixture, postedOutcomeFixture, uniqueId } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup, submitView } from '../../support/deliverySetup.js';
import { isRecord, type JsonObject } from '../../support/json.js';
import { unconfirmedPostsOf } from '../../support/unconfirmedPosts.js';

const SOURCE = 'C0SHARESRC';
const TARGET = 'C0SHAREDST';
const SHARER = 'U0SHARER01';
const setup = deliverySetup(TARGET);

const THREAD_LINK = `https://fake.slack.test/archives/${SOURCE}/p1700000001000200`;

/**
 * `appTransport`: delivery clients with the app's transport (a timeout short enough for a test) and
 * retry policy, which tell a post sent without an answer, or answered with a 5xx, from one never
 * sent.
 */
function instance(options: { appTransport?: boolean } = {}) {
  const clock = () => new Date();
  const reviews = createKyselyReviewRepository(setup.database().db, clock);
  const _fake = setup.fake();
  const deps = {
    ...setup.listenerDeps(reviews, clock),
    ...(options.appTransport ? { deliveryClients: setup.appDeliveryClients() } : {}),
  };
  const app = setup.boltApp(capturedLog().log);
  app.use(
    new ListenerRoutes().viewSubmission(CallbackId.shareReview, shareReviewSubmission(deps))
      .dispatch,
  );
  const teamId = uniqueId('T');
  return {
    reviews,
    teamId,
    /** A review of the asker's, saved (pending) as a revision of `revisionOf` when given. */
    async saved(revisionOf?: string): Promise<Review> {
      const { review } = await reviews.createPending(
        newReviewFixture({
          teamId,
          userId: 'U0ASKER001',
          target: { channelId: SOURCE, threadTs: null, broadcast: false, responseUrl: null },
          ...(revisionOf ? { revisionOf, verdict: 'fine-tune' as const } : {}),
        }),
      );
      return review;
    },
    /**
     * A review of the asker's, delivered with `outcome`, in a conversation Slack said is public
     * (`visibility`: 'public' unless given; null for one Slack wouldn't say about).
     */
    async delivered(
      outcome: Partial<DeliveryOutcome>,
      revisionOf?: string,
      visibility: ConversationVisibility | null = 'public',
    ): Promise<Review> {
      const review = await this.saved(revisionOf);
      const delivered = await reviews.markDelivered(
        teamId,
        review.id,
        postedOutcomeFixture(outcome),
      );
      return visibility ? reviews.recordVisibility(teamId, delivered.id, visibility) : delivered;
    },
    /**
     * Shares `review` to TARGET as `userId` (SHARER unless given): what the listener acknowledged
     * with, and the card it posted.
     */
    async share(
      review: Review,
      userId = SHARER,
      threadLink?: string,
    ): Promise<{ ack: unknown; card: string | null; told: string[] }> {
      const fake = setup.fake();
      const before = fake.calls.length;
      const values: JsonObject = {
        [BlockId.shareChannel]: {
          [ActionId.shareChannel]: { type: 'conversations_select', selected_conversation: TARGET },
        },
        ...(threadLink
          ? {
              [BlockId.shareThreadLink]: {
                [ActionId.shareThreadLink]: { type: 'plain_text_input', value: threadLink },
              },
            }
          : {}),
      };
      const ack = await submitView(app, deps.work, {
        callbackId: CallbackId.shareReview,
        privateMetadata: JSON.stringify({ reviewId: review.id }),
        values,
        teamId,
        userId,
      });
      const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
      const posted = posts.find((call) => call.args.channel === TARGET);
      const told = posts
        .filter((call) => call.args.channel === userId)
        .map((call) => String(call.args.text));
      return { ack, card: posted ? JSON.stringify(posted.args) : null, told };
    },
  };
}

function viewOf(ack: unknown): string {
  return JSON.stringify(isRecord(ack) ? ack.view : undefined);
}

describe('Share of a review not in Slack', () => {
  it.each(['pending', 'failed'] as const)(
    '(%s): refused inside ack, and no card is posted',
    async (status) => {
      const app = instance();
      let review = await app.saved();
      if (status === 'failed') {
        review = await app.reviews.markFailed(app.teamId, review.id, 'channel_not_found', null);
      }
      expect(review.status).toBe(status);
      // By its asker: Home lists a review not posted yet only to them.
      const { ack, card } = await app.share(review, review.userId);
      expect(ack).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
      expect(viewOf(ack)).toMatch(/nothing is shared/);
      expect(isRecord(ack) && isRecord(ack.view) ? ack.view.submit : 'no view').toBeUndefined();
      expect(card).toBeNull();
    },
  );
});

describe('Share of a delivered review', () => {
  it('says in the modal that the card is being shared, and where', async () => {
    const app = instance();
    const review = await app.delivered({ postedChannelId: SOURCE, permalink: THREAD_LINK });
    const { ack, card } = await app.share(review);
    expect(ack).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    expect(viewOf(ack)).toContain(`<#${TARGET}>`);
    expect(card).toContain(`<${THREAD_LINK}|Open the original thread>`);
    // The card quotes what the asker typed: none of its links is previewed in the channel.
    const args: unknown = JSON.parse(card ?? '{}');
    expect(isRecord(args) && [String(args.unfurl_links), String(args.unfurl_media)]).toEqual([
      'false',
      'false',
    ]);
  });

  it('of a superseded revision: the card says so and links the newest', async () => {
    const app = instance();
    const first = await app.delivered({ postedChannelId: SOURCE, permalink: THREAD_LINK });
    const newestLink = `${THREAD_LINK}?thread_ts=1700000001.000200&cid=${SOURCE}`;
    await app.delivered(
      { postedChannelId: SOURCE, messageTs: '1700000002.000300', permalink: newestLink },
      first.id,
    );
    const { card } = await app.share(first);
    expect(card).toMatch(/Superseded/);
    expect(card).toContain('revision 2 is current');
    expect(card).toContain(`<${newestLink}|Open revision 2>`);
  });

  it('sent to its asker by DM: the card links nothing others can’t open, and says where it is', async () => {
    const app = instance();
    const dmLink = 'https://fake.slack.test/archives/D0ASKERDM1/p1700000001000200';
    const review = await app.delivered(
      { status: 'sent-as-dm', postedChannelId: 'D0ASKERDM1', permalink: dmLink },
      undefined,
      'private',
    );
    const { card } = await app.share(review, review.userId);
    expect(card).not.toContain(dmLink);
    expect(card).toContain('was sent to <@U0ASKER001> by DM, so only they can open it');
  });

  it('posted through a response_url: the card names the channel and says there is no link', async () => {
    const app = instance();
    const review = await app.delivered({
      status: 'posted-via-response-url',
      postedChannelId: SOURCE,
      messageTs: null,
      threadTs: null,
      permalink: null,
    });
    const { card } = await app.share(review);
    expect(card).toContain(`was posted in <#${SOURCE}>, but ftrag has no link to that message`);
  });
});

describe('Share of a card Slack may have posted without saying so', () => {
  const cases = unconfirmedPostsOf('chat.postMessage');

  it.each(cases)(
    '(%s): posts it once, and tells the sharer by DM it may be there already',
    async (_, slack, why) => {
      const app = instance({ appTransport: true });
      const review = await app.delivered({ postedChannelId: SOURCE, permalink: THREAD_LINK });
      const fake = setup.fake();
      const before = fake.calls.length;
      slack(fake);
      const { card, told } = await app.share(review);
      expect(card).not.toBeNull();
      const cards = fake.calls
        .slice(before)
        .filter((call) => call.method === 'chat.postMessage' && call.args.channel === TARGET);
      expect(cards).toHaveLength(1);
      expect(told).toHaveLength(1);
      expect(told[0]).toContain(`I couldn't confirm that *${review.answers.title}*`);
      expect(told[0]).toContain(`was shared in <#${TARGET}>: ${why}.`);
      expect(told[0]).toContain(
        'It may be there already: check the channel before you share it again.',
      );
      expect(told[0]).not.toContain("couldn't share");
    },
  );

  it('in a thread (internal_error): says the thread', async () => {
    const app = instance();
    const review = await app.delivered({ postedChannelId: SOURCE, permalink: THREAD_LINK });
    setup.fake().failNext('chat.postMessage', { error: 'internal_error' });
    const link = `https://fake.slack.test/archives/${TARGET}/p1700000009000900`;
    const { told } = await app.share(review, SHARER, link);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`was shared in the thread in <#${TARGET}>: Slack answered`);
    expect(told[0]).toContain('check the thread before you share it again.');
  });

  it('refused, and the DM that says so refused too: the failure is logged, nothing thrown', async () => {
    const app = instance();
    const review = await app.delivered({ postedChannelId: SOURCE, permalink: THREAD_LINK });
    setup.fake().failNext('chat.postMessage', { error: 'is_archived' });
    setup.fake().failNext('chat.postMessage', { error: 'cannot_dm_bot' });
    const { ack, card, told } = await app.share(review);
    expect(ack).toMatchObject({ response_action: 'update' });
    expect(card).not.toBeNull();
    expect(told).toHaveLength(1);
  });

  it('refused (is_archived): says it couldn’t share it, as before', async () => {
    const app = instance();
    const review = await app.delivered({ postedChannelId: SOURCE, permalink: THREAD_LINK });
    setup.fake().failNext('chat.postMessage', { error: 'is_archived' });
    const { told } = await app.share(review);
    expect(told).toEqual([expect.stringContaining(`I couldn't share *${review.answers.title}*`)]);
  });
});

describe('Share of a review from a private conversation', () => {
  it.each([
    ['private', 'private' as const],
    ['Slack wouldn’t say', null],
  ])(
    '(%s) by anyone but its asker (a forged Share window): refused inside ack, and no card is posted',
    async (_what, visibility) => {
      const app = instance();
      const review = await app.delivered(
        { postedChannelId: 'G0PRIVATE1', permalink: THREAD_LINK },
        undefined,
        visibility,
      );
      const { ack, card } = await app.share(review);
      expect(ack).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
      expect(viewOf(ack)).toContain('only the person who asked for it can open or share it');
      expect(card).toBeNull();
    },
  );

  it('by its asker: shared', async () => {
    const app = instance();
    const review = await app.delivered(
      { postedChannelId: 'G0PRIVATE1', permalink: THREAD_LINK },
      undefined,
      'private',
    );
    const { card } = await app.share(review, review.userId);
    expect(card).toContain(`<${THREAD_LINK}|Open the original thread>`);
  });
});
