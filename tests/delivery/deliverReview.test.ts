import { type FetchFunction, LogLevel, WebClient } from '@slack/web-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionId, BlockId } from '../../src/constants.js';
import {
  type DeliveryDeps,
  deliverReview,
  messageGoneError,
} from '../../src/delivery/deliverReview.js';
import { responseUrlTrust } from '../../src/delivery/responseUrl.js';
import { createVerdictRefresher } from '../../src/delivery/reviewMessage.js';
import type { UnconfirmedCause } from '../../src/delivery/slackErrors.js';
import { registerActions } from '../../src/listeners/actions/index.js';
import { ListenerRoutes } from '../../src/listeners/routes.js';
import { BoltLogger } from '../../src/observability/logger.js';
import { keepAliveFetch, SLACK_RETRY_CONFIG } from '../../src/observability/slackFetch.js';
import type { DeliveryOutcome, Review, ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../src/storage/reviewRepository.js';
import { createKyselyVoteRepository } from '../../src/storage/voteRepository.js';
import { verdictUnconfirmedText } from '../../src/views/signOff.js';
import type { SlackMessage } from '../../src/views/verdictMessage.js';
import { newReviewFixture, postedOutcomeFixture, uniqueId } from '../storage/support.js';
import { capturedLog } from '../support/capturedLog.js';
import { deliverySetup } from '../support/deliverySetup.js';
import type { FakeSlack, FaultSpec, StoredMessage } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import { clickButton } from '../support/slackRequests.js';

const logger = new BoltLogger(capturedLog().log);
const CHANNEL = 'C0DELIVER1';
const setup = deliverySetup(CHANNEL);
const votes = () => createKyselyVoteRepository(setup.database().db, () => new Date());

/** The sign-off line `message` shows. */
function tallyOf(message: StoredMessage): string {
  const tally = (message.blocks ?? [])
    .filter(isRecord)
    .find((block) => block.block_id === BlockId.verdictTally);
  const elements = Array.isArray(tally?.elements) ? tally.elements.filter(isRecord) : [];
  return String(elements[0]?.text ?? '');
}

describe('deliverReview after an earlier posting broke off with its verdict out', () => {
  /** A review whose first posting put its verdict out, then failed to record its delivery. */
  async function brokenOff() {
    const fake = setup.fake();
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const failing: ReviewRepository = {
      ...stored,
      markDelivered: async () => {
        throw new Error('database went away');
      },
    };
    const review = await setup.pendingReview(stored);
    const deps = {
      votes: votes(),
      logger,
      isTrustedResponseUrl: () => false,
      stopRenewingClaim: async () => null,
      recordRetryDelaysMs: [1],
    };
    await expect(deliverReview(client, review, { ...deps, reviews: failing })).rejects.toThrow(
      'database went away',
    );
    const left = await stored.get(review.teamId, review.id);
    if (!left?.postedVerdict) throw new Error('the verdict out is not on record');
    expect(left).toMatchObject({ status: 'pending', messageTs: null });
    return {
      fake,
      client,
      stored,
      left,
      posted: left.postedVerdict,
      deps: { ...deps, reviews: stored },
    };
  }

  it('finishes that verdict, brought up to date, instead of posting a second copy', async () => {
    const { fake, client, stored, left, posted, deps } = await brokenOff();
    expect(posted).toMatchObject({ status: 'posted', channelId: CHANNEL, channelError: null });
    expect(posted.threadTs).toBe(posted.messageTs);
    const before = fake.calls.length;

    const recorded = await deliverReview(client, left, deps);
    const since = fake.calls.slice(before);
    const posts = since.filter((call) => call.method === 'chat.postMessage');
    // Only the detail, in the verdict's thread; the verdict itself updated in place.
    expect(posts.map((call) => call.args.thread_ts)).toEqual([posted.messageTs]);
    const updates = since.filter((call) => call.method === 'chat.update');
    expect(updates.map((call) => [call.args.channel, call.args.ts])).toEqual([
      [CHANNEL, posted.messageTs],
    ]);
    expect(recorded).toMatchObject({
      status: 'posted',
      postedChannelId: CHANNEL,
      messageTs: posted.messageTs,
      threadTs: posted.messageTs,
      permalink: expect.stringContaining(posted.messageTs.replace('.', '')),
      postedVerdict: null,
    });
    expect(await stored.get(left.teamId, left.id)).toEqual(recorded);
  });

  it('posts the verdict again, as a first posting would, when the one out is gone', async () => {
    const { fake, client, left, posted, deps } = await brokenOff();
    // Deleted meanwhile, as Slack answers an update of it.
    fake.failNext('chat.update', { error: 'message_not_found' });
    const before = fake.calls.length;

    const recorded = await deliverReview(client, left, deps);
    const posts = fake.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.args.thread_ts).toBeUndefined();
    expect(recorded).toMatchObject({
      status: 'posted',
      postedChannelId: CHANNEL,
      postedVerdict: null,
    });
    expect(recorded.messageTs).not.toBe(posted.messageTs);
    expect(posts[1]?.args.thread_ts).toBe(recorded.messageTs);
  });

  it('forgets the gone message before posting anew, so a cut-off then leaves nothing to finish', async () => {
    const { fake, client, stored, left, posted, deps } = await brokenOff();
    fake.failNext('chat.update', { error: 'message_not_found' });
    const held = fake.holdNext('chat.postMessage');

    const delivering = deliverReview(client, left, deps);
    await held.arrived;
    // Were the posting cut off now, the review would be pending with nothing on record: the sweep
    // leaves it, and Post again posts it rather than "finish" the gone message.
    expect(await stored.get(left.teamId, left.id)).toMatchObject({
      status: 'pending',
      postedVerdict: null,
    });
    held.release();
    const recorded = await delivering;
    expect(recorded).toMatchObject({ status: 'posted', postedVerdict: null });
    expect(recorded.messageTs).not.toBe(posted.messageTs);
  });

  it('unattended, records the review failed when the message out is gone, and posts nothing', async () => {
    for (const error of ['message_not_found', 'channel_not_found', 'cant_update_message']) {
      const { fake, client, stored, left, posted, deps } = await brokenOff();
      fake.failNext('chat.update', { error });
      const before = fake.calls.length;

      const recorded = await deliverReview(client, left, { ...deps, unattended: true });
      const since = fake.calls.slice(before);
      expect(since.filter((call) => call.method === 'chat.postMessage')).toEqual([]);
      expect(recorded).toMatchObject({
        status: 'failed',
        lastError: messageGoneError(error),
        postedVerdict: posted,
        messageTs: null,
      });
      expect(await stored.get(left.teamId, left.id)).toEqual(recorded);
    }
  });

  it('shows a vote clicked while its update of the message was on its way', async () => {
    const { fake, client, stored, left, posted, deps } = await brokenOff();
    // Slack keeps the update of the message out (with the votes read before it) waiting.
    const held = fake.holdNext('chat.update');
    const delivering = deliverReview(client, left, deps);
    await held.arrived;

    // Agree on that message meanwhile: the review is still pending, with no message on record,
    // so the tally goes back through the click's response_url, and lands first.
    const clock = () => new Date();
    // The fake's response_urls are trusted, as the app trusts SLACK_API_URL's origin.
    const listenerDeps = {
      ...setup.listenerDeps(stored, clock),
      isTrustedResponseUrl: responseUrlTrust(fake.apiUrl),
    };
    const app = setup.boltApp(capturedLog().log);
    const routes = new ListenerRoutes();
    registerActions(routes, listenerDeps);
    app.use(routes.dispatch);
    const shown = () => {
      const found = fake.messages(CHANNEL).find((message) => message.ts === posted.messageTs);
      if (!found) throw new Error('the verdict out is not in the channel');
      return found;
    };
    const clicker = uniqueId('U');
    const responseUrl = fake.newResponseUrl({
      channel: CHANNEL,
      messageTs: posted.messageTs,
      userId: clicker,
    });
    const payload = clickButton({ ...shown(), channel: CHANNEL }, ActionId.agree, {
      user: clicker,
      workspace: { teamId: left.teamId },
      responseUrl,
    });
    await app.processEvent({ body: payload, ack: async () => {} });
    expect(await listenerDeps.work.drain(10_000)).toBe(true);
    expect(tallyOf(shown())).toBe(`Agreed: <@${clicker}>`);

    // Then the posting's older update lands, and the delivery is recorded.
    held.release();
    const recorded = await delivering;
    expect(recorded).toMatchObject({ status: 'posted', messageTs: posted.messageTs });
    expect(tallyOf(shown())).toBe(`Agreed: <@${clicker}>`);
  });

  it('unattended, still finishes a message that is there', async () => {
    const { fake, client, left, posted, deps } = await brokenOff();
    const recorded = await deliverReview(client, left, { ...deps, unattended: true });
    const posts = fake.calls.filter((call) => call.method === 'chat.postMessage');
    expect(posts.at(-1)?.args.thread_ts).toBe(posted.messageTs);
    expect(recorded).toMatchObject({ status: 'posted', messageTs: posted.messageTs });
  });
});

describe('deliverReview and the verdict’s link', () => {
  it('records the delivery before it asks Slack for the link, then records the link', async () => {
    const fake = setup.fake();
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const review = await setup.pendingReview(stored);
    // Slack keeps the link waiting (timeouts, a rate limit): a stop meanwhile must find the
    // delivery on record, or the verdict would be posted again.
    const held = fake.holdNext('chat.getPermalink');

    const delivering = deliverReview(client, review, {
      reviews: stored,
      votes: votes(),
      logger,
      isTrustedResponseUrl: () => false,
      stopRenewingClaim: async () => null,
    });
    await held.arrived;
    const meanwhile = await stored.get(review.teamId, review.id);
    held.release();
    const recorded = await delivering;

    expect(meanwhile).toMatchObject({
      status: 'posted',
      postedChannelId: CHANNEL,
      messageTs: recorded.messageTs,
      permalink: null,
      postedVerdict: null,
    });
    expect(recorded.permalink).toContain(String(recorded.messageTs).replace('.', ''));
    expect(await stored.get(review.teamId, review.id)).toEqual(recorded);
  });
});

describe('deliverReview when the database fails after the verdict is out', () => {
  it('tries to record it again, then reports the failure and posts the verdict nowhere else (no DM, no failed mark)', async () => {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    let failedMarks = 0;
    let recordAttempts = 0;
    const reviews: ReviewRepository = {
      ...stored,
      markDelivered: async () => {
        recordAttempts += 1;
        throw new Error('database went away');
      },
      markFailed: async (...args) => {
        failedMarks += 1;
        return stored.markFailed(...args);
      },
    };
    const review = await setup.pendingReview(reviews);
    const postsBefore = fake.callCount('chat.postMessage');

    await expect(
      deliverReview(new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }), review, {
        reviews,
        votes: votes(),
        logger,
        isTrustedResponseUrl: () => false,
        stopRenewingClaim: async () => null,
        recordRetryDelaysMs: [1, 1],
      }),
    ).rejects.toThrow('database went away');
    expect(recordAttempts).toBe(3);

    // The verdict and its thread reply, in the channel only.
    expect(fake.callCount('chat.postMessage') - postsBefore).toBe(2);
    expect(failedMarks).toBe(0);
    expect((await stored.get(review.teamId, review.id))?.status).toBe('pending');
  });

  it('records a verdict that is out once the database answers again, and posts it once', async () => {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    let recordAttempts = 0;
    const reviews: ReviewRepository = {
      ...stored,
      markDelivered: async (...args) => {
        recordAttempts += 1;
        if (recordAttempts <= 2) throw new Error('database busy');
        return stored.markDelivered(...args);
      },
    };
    const review = await setup.pendingReview(reviews);
    const postsBefore = fake.callCount('chat.postMessage');
    const log = capturedLog();

    const delivered = await deliverReview(
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      review,
      {
        reviews,
        votes: votes(),
        logger: new BoltLogger(log.log),
        isTrustedResponseUrl: () => false,
        stopRenewingClaim: async () => null,
        recordRetryDelaysMs: [1, 1, 1],
      },
    );

    expect(delivered.status).toBe('posted');
    expect((await stored.get(review.teamId, review.id))?.status).toBe('posted');
    expect(fake.callCount('chat.postMessage') - postsBefore).toBe(2);
    expect(recordAttempts).toBe(3);
    expect(log.lines.filter((line) => String(line.msg).includes('retrying'))).toHaveLength(2);
  });

  it('deletes its own copy when another posting delivered the verdict first and is on record', async () => {
    const fake = setup.fake();
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const review = await setup.pendingReview(stored);
    let elsewhere: DeliveryOutcome | undefined;
    const reviews: ReviewRepository = {
      ...stored,
      // Another instance, whose claim replaced this posting's lapsed one, posted the verdict and
      // recorded it while this posting was still at it.
      markDelivered: async (...args) => {
        const other = await client.chat.postMessage({ channel: 'C0DELIVER1', text: 'verdict' });
        elsewhere = postedOutcomeFixture({
          postedChannelId: 'C0DELIVER1',
          messageTs: other.ts ?? null,
          threadTs: other.ts ?? null,
        });
        await stored.markDelivered(review.teamId, review.id, elsewhere);
        return stored.markDelivered(...args);
      },
    };
    const before = fake.messages('C0DELIVER1').map((message) => message.ts);
    const log = capturedLog();

    const recorded = await deliverReview(client, review, {
      reviews,
      votes: votes(),
      logger: new BoltLogger(log.log),
      isTrustedResponseUrl: () => false,
      stopRenewingClaim: async () => null,
    });

    // This posting's own verdict and detail, then the other posting's verdict.
    const [ownVerdictTs, ownDetailTs] = fake
      .callsTo('chat.postMessage')
      .slice(-3)
      .map((call) => call.response?.ts);
    expect(recorded).toMatchObject({ status: 'posted', messageTs: elsewhere?.messageTs });
    expect(await stored.get(review.teamId, review.id)).toEqual(recorded);
    // Its own detail, then its own verdict, are deleted; the other posting's verdict stays.
    expect(fake.callsTo('chat.delete').map((call) => call.args.ts)).toEqual([
      ownDetailTs,
      ownVerdictTs,
    ]);
    expect(fake.thread('C0DELIVER1', String(ownVerdictTs))).toEqual([]);
    expect(fake.messages('C0DELIVER1').map((message) => message.ts)).toEqual([
      ...before,
      elsewhere?.messageTs,
    ]);
    expect(
      log.lines.filter((line) => String(line.msg).includes('delivered by another posting')),
    ).toHaveLength(1);
  });

  it('leaves a verdict another posting delivered meanwhile on record when its own posting fails', async () => {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const review = await setup.pendingReview(stored);
    const elsewhere = postedOutcomeFixture({ postedChannelId: 'C0DELIVER1' });
    const reviews: ReviewRepository = {
      ...stored,
      // Another instance, whose claim replaced this posting's lapsed one, recorded its delivery.
      markFailed: async (...args) => {
        await stored.markDelivered(review.teamId, review.id, elsewhere);
        return stored.markFailed(...args);
      },
    };
    // The channel post and the DM both fail.
    fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    const log = capturedLog();

    const recorded = await deliverReview(
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      review,
      {
        reviews,
        votes: votes(),
        logger: new BoltLogger(log.log),
        isTrustedResponseUrl: () => false,
        stopRenewingClaim: async () => null,
      },
    );

    expect(recorded).toMatchObject({ status: 'posted', messageTs: elsewhere.messageTs });
    expect(await stored.get(review.teamId, review.id)).toMatchObject({
      status: 'posted',
      lastError: null,
    });
    expect(
      log.lines.filter((line) => String(line.msg).includes('delivered by another posting')),
    ).toHaveLength(1);
  });

  it('records its failure over its own claim', async () => {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const review = await setup.pendingReview(stored);
    const claimed = await stored.claimDelivery(review.teamId, review.id, ['pending'], 60_000);
    // The channel post and the DM both fail.
    fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);

    const recorded = await deliverReview(
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      claimed ?? review,
      {
        reviews: stored,
        votes: votes(),
        logger,
        isTrustedResponseUrl: () => false,
        stopRenewingClaim: async () => claimed?.deliveryClaimedUntil ?? null,
      },
    );

    expect(recorded).toMatchObject({ status: 'failed', deliveryClaimedUntil: null });
    expect(await stored.get(review.teamId, review.id)).toEqual(recorded);
  });

  it('leaves a review to the posting that took it over after its claim lapsed when its own posting fails', async () => {
    const fake = setup.fake();
    let nowMs = Date.UTC(2026, 0, 1);
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date(nowMs));
    const review = await setup.pendingReview(stored);
    const claimed = await stored.claimDelivery(review.teamId, review.id, ['pending'], 10_000);
    // Slack kept this posting waiting past its claim; Post again elsewhere claimed the review.
    nowMs += 11_000;
    const other = await stored.claimDelivery(review.teamId, review.id, ['pending'], 60_000);
    fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    const log = capturedLog();

    const recorded = await deliverReview(
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      claimed ?? review,
      {
        reviews: stored,
        votes: votes(),
        logger: new BoltLogger(log.log),
        isTrustedResponseUrl: () => false,
        stopRenewingClaim: async () => claimed?.deliveryClaimedUntil ?? null,
      },
    );

    // Not failed (Home would offer Post again) and still claimed by the other posting.
    expect(other?.deliveryClaimedUntil).toBeInstanceOf(Date);
    expect(recorded).toMatchObject({
      status: 'pending',
      lastError: null,
      deliveryClaimedUntil: other?.deliveryClaimedUntil,
    });
    expect(await stored.get(review.teamId, review.id)).toEqual(recorded);
    expect(
      log.lines.filter((line) => String(line.msg).includes('claimed by another posting')),
    ).toHaveLength(1);
  });
});

interface UnconfirmedOptions {
  deps?: Partial<DeliveryDeps>;
  threadTs?: string;
  reviews?: (stored: ReviewRepository) => ReviewRepository;
  /** Slack's answer to a DM to the asker. */
  dmError?: string;
  /**
   * The channel the verdict is for (CHANNEL, where the bot is, by default); null for one asked to
   * come to the asker by DM (from Home), with no response_url.
   */
  channel?: string | null;
}

/**
 * Delivers a review of `channel` (in a thread with `threadTs`), with a response_url bound to that
 * channel, through the app's retry policy and transport (with a timeout short enough for a test);
 * `slack` scripts the fake before, and may return what to do once the delivery is over.
 */
async function unconfirmed(
  options: UnconfirmedOptions & {
    slack: (
      fake: FakeSlack,
      target: { review: Review; responseUrl: string },
    ) => (() => Promise<void>) | undefined;
  },
) {
  const fake = setup.fake();
  const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
  const channel = options.channel === undefined ? CHANNEL : options.channel;
  const responseUrl = fake.newResponseUrl(channel ? { channel } : {});
  const { review } = await stored.createPending(
    newReviewFixture({
      teamId: uniqueId('T'),
      userId: uniqueId('U'),
      target: {
        channelId: channel,
        threadTs: options.threadTs ?? null,
        broadcast: false,
        responseUrl: channel ? responseUrl : null,
      },
    }),
  );
  const transport = keepAliveFetch(300);
  const postedTo: string[] = [];
  const counting: FetchFunction = (url, init) => {
    const href = typeof url === 'string' ? url : url.href;
    if (href.endsWith('/chat.postMessage')) {
      postedTo.push(String(new URLSearchParams(String(init?.body)).get('channel')));
    }
    return transport(url, init);
  };
  const client = new WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    logLevel: LogLevel.ERROR,
    retryConfig: { ...SLACK_RETRY_CONFIG, minTimeout: 1, maxTimeout: 1 },
    fetch: counting,
  });
  if (options.dmError) {
    const error = options.dmError;
    fake.failNext('chat.postMessage', { error }, 1, (args) => args.channel === review.userId);
  }
  const after = options.slack(fake, { review, responseUrl });
  const log = capturedLog();

  const recorded = await deliverReview(client, review, {
    reviews: options.reviews?.(stored) ?? stored,
    votes: votes(),
    logger: new BoltLogger(log.log),
    isTrustedResponseUrl: () => true,
    stopRenewingClaim: async () => null,
    ...options.deps,
  });
  await after?.();
  return {
    review,
    recorded,
    stored: await stored.get(review.teamId, review.id),
    postedTo,
    inChannel: (channel ? fake.messages(channel) : []).filter(
      (message) =>
        message.text.includes(review.id) ||
        JSON.stringify(message.blocks ?? []).includes(review.id),
    ),
    dms: fake.messages(review.userId),
    responseUrlPosts: fake.responseUrlPostsTo(responseUrl),
    log,
  };
}

describe('deliverReview when Slack never answers the channel post', () => {
  const UNANSWERED =
    'no answer from Slack within 300 ms (chat.postMessage); the verdict may be in the channel already';

  /**
   * Delivers a review of CHANNEL (in a thread with `threadTs`) whose channel post Slack holds past
   * the client's timeout; `reviews` wraps the stored repository.
   */
  async function unanswered(options: UnconfirmedOptions = {}) {
    return unconfirmed({
      ...options,
      slack: (fake) => {
        const held = fake.holdNext('chat.postMessage');
        return async () => {
          await held.arrived;
          held.release();
        };
      },
    });
  }

  it('posts it once, nowhere else, records it failed, and tells the asker once to check the channel', async () => {
    const { review, recorded, stored, postedTo, dms, responseUrlPosts, log } = await unanswered();

    // One try in the channel, no retry; no copy through the response_url or in the DM: only a
    // word to the asker, who has no other sign of it (the modal closed, Home is not refreshed).
    expect(postedTo).toEqual([CHANNEL, review.userId]);
    expect(responseUrlPosts).toHaveLength(0);
    expect(recorded).toMatchObject({ status: 'failed', lastError: UNANSWERED });
    expect(stored).toEqual(recorded);
    expect(dms.map((message) => message.text)).toEqual([
      verdictUnconfirmedText(review, CHANNEL, false, { kind: 'no-answer' }),
    ]);
    expect(dms[0]?.text).toContain(`was posted in <#${CHANNEL}>:`);
    expect(
      log.lines.filter(
        (line) => line.level === 'warn' && String(line.msg).includes('may or may not be in'),
      ),
    ).toHaveLength(1);
  });

  it('names the thread when the verdict was to be a reply there', async () => {
    const { review, recorded, dms } = await unanswered({ threadTs: '1700000000.000100' });
    expect(dms.map((message) => message.text)).toEqual([
      verdictUnconfirmedText(review, CHANNEL, true, { kind: 'no-answer' }),
    ]);
    // Home shows it as the last error: the thread, as the DM says, not the channel.
    expect(recorded).toMatchObject({
      status: 'failed',
      lastError:
        'no answer from Slack within 300 ms (chat.postMessage); the verdict may be in the thread already',
    });
  });

  it('names the direct message it was started from when the verdict was to go there', async () => {
    const conversation = uniqueId('D');
    setup.fake().addChannel(conversation, { member: true });
    const { review, recorded, dms } = await unanswered({ channel: conversation });
    expect(dms.map((message) => message.text)).toEqual([
      verdictUnconfirmedText(review, conversation, false, { kind: 'no-answer' }),
    ]);
    expect(recorded).toMatchObject({
      status: 'failed',
      lastError:
        'no answer from Slack within 300 ms (chat.postMessage); the verdict may be in the direct message you started it from already',
    });
  });

  it('tells an unattended posting’s asker too (the sweep never takes a failed review again)', async () => {
    const { recorded, dms } = await unanswered({ deps: { unattended: true } });
    expect(recorded).toMatchObject({ status: 'failed', lastError: UNANSWERED });
    expect(dms).toHaveLength(1);
  });

  it('sends no DM when the asker sees the outcome on App Home (Post again, a review started there)', async () => {
    const { recorded, postedTo, dms } = await unanswered({ deps: { outcomeOnHome: true } });
    expect(recorded).toMatchObject({ status: 'failed', lastError: UNANSWERED });
    expect(postedTo).toEqual([CHANNEL]);
    expect(dms).toHaveLength(0);
  });

  it('sends no DM when another posting’s outcome stands over this failure', async () => {
    const { recorded, postedTo, dms } = await unanswered({
      reviews: (stored) => ({
        ...stored,
        // Another posting delivered it meanwhile: this failure is not recorded.
        markFailed: async (teamId, id) => {
          const current = await stored.get(teamId, id);
          if (!current) throw new Error('no review');
          return { ...current, status: 'posted' };
        },
      }),
    });
    expect(recorded.status).toBe('posted');
    expect(postedTo).toEqual([CHANNEL]);
    expect(dms).toHaveLength(0);
  });

  it('still records the failure when the DM to the asker fails too, and says so in the log', async () => {
    const { recorded, dms, log } = await unanswered({ dmError: 'user_not_found' });
    expect(recorded).toMatchObject({ status: 'failed', lastError: UNANSWERED });
    expect(dms).toHaveLength(0);
    expect(
      log.lines.filter(
        (line) => line.level === 'warn' && String(line.msg).includes('user_not_found'),
      ),
    ).toHaveLength(1);
  });
});

describe('deliverReview when Slack may have posted the verdict though it did not say so', () => {
  const MAY_BE_THERE = 'the verdict may be in the channel already';
  /**
   * The asker's DMs hold only the word to check the channel, naming what Slack answered (`cause`):
   * no copy of the verdict.
   */
  const expectOnlyTold = (
    dms: { text: string }[],
    review: Review,
    cause: UnconfirmedCause,
    channel: string = CHANNEL,
  ): void => {
    expect(dms.map((message) => message.text)).toEqual([
      verdictUnconfirmedText(review, channel, false, cause),
    ]);
  };

  for (const error of ['internal_error', 'fatal_error']) {
    it(`takes Slack's ${error} to the channel post as maybe posted: posted nowhere else, recorded failed`, async () => {
      const { review, recorded, postedTo, dms, responseUrlPosts } = await unconfirmed({
        slack: (fake) => {
          fake.failNext('chat.postMessage', { error }, 1, (args) => args.channel === CHANNEL);
          return undefined;
        },
      });
      expect(postedTo).toEqual([CHANNEL, review.userId]);
      expect(responseUrlPosts).toHaveLength(0);
      expectOnlyTold(dms, review, { kind: 'may-have-acted', error });
      expect(recorded).toMatchObject({
        status: 'failed',
        lastError: `Slack answered ${error} (chat.postMessage); ${MAY_BE_THERE}`,
      });
    });
  }

  it('sends a channel post answered with a 5xx once, and posts it nowhere else', async () => {
    const { review, recorded, postedTo, dms, responseUrlPosts } = await unconfirmed({
      slack: (fake) => {
        fake.failNext('chat.postMessage', { status: 504 }, 1, (args) => args.channel === CHANNEL);
        return undefined;
      },
    });
    expect(postedTo).toEqual([CHANNEL, review.userId]);
    expect(responseUrlPosts).toHaveLength(0);
    expectOnlyTold(dms, review, { kind: 'server-error', status: 504 });
    expect(recorded).toMatchObject({ status: 'failed' });
    expect(recorded.lastError).toMatch(/HTTP 504.*\(chat\.postMessage\); the verdict may be in/);
  });

  describe('through the response_url (the bot not in the channel)', () => {
    const OUTSIDE = 'C0OUTSIDE1';
    beforeAll(() => {
      setup.fake().addChannel(OUTSIDE, { member: false });
    });

    it('posts it once when the answer is lost, and nowhere else (no DM copy), recorded failed', async () => {
      const { review, recorded, dms, responseUrlPosts, inChannel } = await unconfirmed({
        channel: OUTSIDE,
        slack: (fake, { responseUrl }) => {
          fake.loseResponseUrlAnswerNext(responseUrl);
          return undefined;
        },
      });
      expect(responseUrlPosts).toHaveLength(1);
      expect(inChannel).toHaveLength(1);
      expectOnlyTold(dms, review, { kind: 'no-answer' }, OUTSIDE);
      expect(recorded).toMatchObject({ status: 'failed' });
      expect(recorded.lastError).toMatch(
        /^not_in_channel; then no answer from Slack.*\(response_url\); the verdict may be in the channel already$/,
      );
    });

    it('names the thread when the reply through the response_url was left unanswered', async () => {
      const { review, recorded, dms, responseUrlPosts } = await unconfirmed({
        channel: OUTSIDE,
        threadTs: '1700000000.000200',
        slack: (fake, { responseUrl }) => {
          fake.loseResponseUrlAnswerNext(responseUrl);
          return undefined;
        },
      });
      expect(responseUrlPosts).toHaveLength(1);
      expect(dms.map((message) => message.text)).toEqual([
        verdictUnconfirmedText(review, OUTSIDE, true, { kind: 'no-answer' }),
      ]);
      expect(recorded.lastError).toMatch(
        /^not_in_channel; then no answer from Slack.*\(response_url\); the verdict may be in the thread already$/,
      );
    });

    it('posts it once when Slack answers with a 5xx, and nowhere else, recorded failed', async () => {
      const { review, recorded, dms, responseUrlPosts } = await unconfirmed({
        channel: OUTSIDE,
        slack: (fake, { responseUrl }) => {
          fake.failResponseUrl(responseUrl, 503, { times: 1 });
          return undefined;
        },
      });
      expect(responseUrlPosts).toHaveLength(1);
      expectOnlyTold(dms, review, { kind: 'server-error', status: 503 }, OUTSIDE);
      expect(recorded).toMatchObject({
        status: 'failed',
        lastError: `not_in_channel; then Slack answered HTTP 503 (response_url); ${MAY_BE_THERE}`,
      });
    });

    it('still falls back to the DM when Slack refuses the response_url (nothing posted)', async () => {
      const { recorded, dms, responseUrlPosts } = await unconfirmed({
        channel: OUTSIDE,
        slack: (fake, { responseUrl }) => {
          fake.failResponseUrl(responseUrl, 404);
          return undefined;
        },
      });
      expect(responseUrlPosts).toHaveLength(1);
      expect(recorded).toMatchObject({ status: 'sent-as-dm' });
      expect(dms).toHaveLength(1);
    });
  });
});

describe('deliverReview when Slack may have posted the verdict in the asker’s DM though it did not say so', () => {
  const MAY_BE_IN_DM = 'the verdict may be in your DM with ftrag already';
  /** The bot is not in it, and its response_url is refused: the verdict goes to the DM instead. */
  const REFUSING = 'C0REFUSES1';
  beforeAll(() => {
    setup.fake().addChannel(REFUSING, { member: false });
  });

  type Script = (fake: FakeSlack, askersDm: string) => (() => Promise<void>) | undefined;
  /** Slack holds the DM post past the client's timeout, then carries it out. */
  const unanswered: Script = (fake) => {
    const channelPost = fake.holdNext('chat.postMessage');
    const dmPost = fake.holdNext('chat.postMessage');
    void channelPost.arrived.then(channelPost.release);
    return async () => {
      await dmPost.arrived;
      dmPost.release();
    };
  };
  const answered =
    (fault: FaultSpec): Script =>
    (fake, askersDm) => {
      fake.failNext('chat.postMessage', fault, 1, (args) => args.channel === askersDm);
      return undefined;
    };
  const cases: [string, Script, RegExp][] = [
    ['no answer', unanswered, /no answer from Slack within 300 ms \(chat\.postMessage\)/],
    ['internal_error', answered({ error: 'internal_error' }), /Slack answered internal_error/],
    ['a 5xx', answered({ status: 503 }), /HTTP 503/],
  ];

  for (const [answer, script, why] of cases) {
    it(`records the fallback DM answered with ${answer} failed, as maybe in the DM, and posts it once`, async () => {
      const { review, recorded, stored, postedTo, dms } = await unconfirmed({
        channel: REFUSING,
        slack: (fake, { review, responseUrl }) => {
          fake.failResponseUrl(responseUrl, 404);
          return script(fake, review.userId);
        },
      });
      // Not tried again, in the DM or anywhere: Post again from Home is the asker's to press.
      expect(postedTo).toEqual([REFUSING, review.userId]);
      expect(recorded).toMatchObject({ status: 'failed' });
      expect(stored).toEqual(recorded);
      expect(recorded.lastError).toMatch(/^not_in_channel; then DM: /);
      expect(recorded.lastError).toMatch(why);
      expect(recorded.lastError?.endsWith(`; ${MAY_BE_IN_DM}`)).toBe(true);
      // No word by DM of a verdict that may be in that DM: only the verdict, when it landed.
      expect(
        dms.filter((message) =>
          message.text?.startsWith(":information_source: I couldn't confirm"),
        ),
      ).toEqual([]);
      expect(dms.length).toBeLessThanOrEqual(1);
    });
  }

  it('says so of a verdict asked to come by DM (started from Home), left unanswered', async () => {
    const { review, recorded, postedTo, dms } = await unconfirmed({
      channel: null,
      slack: (fake) => {
        const dmPost = fake.holdNext('chat.postMessage');
        return async () => {
          await dmPost.arrived;
          dmPost.release();
        };
      },
    });
    expect(postedTo).toEqual([review.userId]);
    expect(recorded).toMatchObject({
      status: 'failed',
      lastError: `no answer from Slack within 300 ms (chat.postMessage); ${MAY_BE_IN_DM}`,
    });
    expect(dms).toHaveLength(1);
  });

  it('still records a refused DM as an ordinary failure', async () => {
    const { recorded } = await unconfirmed({
      channel: REFUSING,
      slack: (fake, { review, responseUrl }) => {
        fake.failResponseUrl(responseUrl, 404);
        return answered({ error: 'cannot_dm_bot' })(fake, review.userId);
      },
    });
    expect(recorded).toMatchObject({
      status: 'failed',
      lastError: 'not_in_channel; then DM: cannot_dm_bot',
    });
  });
});

describe('deliverReview records whether the verdict’s conversation is public', () => {
  const warnings = (log: ReturnType<typeof capturedLog>) =>
    log.lines.filter((line) => line.level === 'warn').map((line) => String(line.msg));

  async function deliver(
    target: Partial<Review['target']>,
    options: { client?: WebClient; reviews?: ReviewRepository; trustResponseUrl?: boolean } = {},
  ) {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const { review } = await stored.createPending(
      newReviewFixture({
        teamId: uniqueId('T'),
        userId: 'U0DELASKER',
        target: {
          channelId: CHANNEL,
          threadTs: null,
          broadcast: false,
          responseUrl: null,
          ...target,
        },
      }),
    );
    const log = capturedLog();
    const before = fake.calls.length;
    const recorded = await deliverReview(
      options.client ?? new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      review,
      {
        reviews: options.reviews ?? stored,
        votes: votes(),
        logger: new BoltLogger(log.log),
        isTrustedResponseUrl: () => options.trustResponseUrl ?? false,
        stopRenewingClaim: async () => null,
      },
    );
    const calls = fake.calls.slice(before);
    return {
      recorded,
      stored: await stored.get(review.teamId, review.id),
      log,
      infoAsked: calls.filter((call) => call.method === 'conversations.info'),
      posts: calls.filter((call) => call.method === 'chat.postMessage'),
    };
  }

  it('public for a public channel, once the delivery is on record', async () => {
    const { recorded, stored, infoAsked } = await deliver({});
    expect(recorded).toMatchObject({ status: 'posted', conversationVisibility: 'public' });
    expect(stored).toEqual(recorded);
    expect(infoAsked.map((call) => call.args.channel)).toEqual([CHANNEL]);
  });

  it('private for a private channel', async () => {
    const channel = 'C0DELPRIV1';
    setup.fake().addChannel(channel, { member: true, private: true });
    const { recorded, infoAsked } = await deliver({ channelId: channel });
    expect(recorded).toMatchObject({
      status: 'posted',
      postedChannelId: channel,
      conversationVisibility: 'private',
    });
    expect(infoAsked).toHaveLength(1);
  });

  it('private when Slack’s refusal says the channel is private, without a warning', async () => {
    const fake = setup.fake();
    const channel = 'C0DELNOGRP';
    fake.addChannel(channel, { member: true, private: true });
    // Installed with the manifest's scopes: channels:read, not groups:read.
    fake.setScopes(fake.botToken, ['chat:write', 'channels:read']);
    try {
      const { recorded, log, infoAsked } = await deliver({ channelId: channel });
      expect(infoAsked.map((call) => call.response)).toEqual([
        expect.objectContaining({ error: 'missing_scope', needed: 'groups:read' }),
      ]);
      expect(recorded).toMatchObject({ status: 'posted', conversationVisibility: 'private' });
      expect(warnings(log)).toEqual([]);
    } finally {
      fake.setScopes(fake.botToken, undefined);
    }
  });

  it('private for a DM, without asking Slack', async () => {
    const asked = await deliver({ channelId: null });
    expect(asked.recorded).toMatchObject({ status: 'posted', conversationVisibility: 'private' });
    expect(asked.recorded.postedChannelId).toMatch(/^D/);
    expect(asked.infoAsked).toHaveLength(0);

    // A verdict the channel refused, sent as a DM instead, is in the DM.
    const channel = 'C0DELNOTIN';
    setup.fake().addChannel(channel, { member: false });
    const fallback = await deliver({ channelId: channel });
    expect(fallback.recorded).toMatchObject({
      status: 'sent-as-dm',
      conversationVisibility: 'private',
    });
    expect(fallback.infoAsked).toHaveLength(0);
  });

  it('asks about the target channel for a verdict posted through the response_url', async () => {
    const fake = setup.fake();
    const channel = 'C0DELRESP1';
    fake.addChannel(channel, { member: false });
    const responseUrl = fake.newResponseUrl({ channel });
    const { recorded, infoAsked } = await deliver(
      { channelId: channel, responseUrl },
      { trustResponseUrl: true },
    );
    expect(recorded).toMatchObject({
      status: 'posted-via-response-url',
      conversationVisibility: 'public',
    });
    expect(infoAsked.map((call) => call.args.channel)).toEqual([channel]);
  });

  it('leaves it unknown when Slack answers with an error: posted once, warned once, not thrown', async () => {
    setup.fake().failNext('conversations.info', { error: 'missing_scope' });
    const { recorded, stored, log, posts, infoAsked } = await deliver({});
    expect(recorded).toMatchObject({ status: 'posted', conversationVisibility: null });
    expect(stored).toEqual(recorded);
    expect(posts).toHaveLength(2);
    expect(infoAsked).toHaveLength(1);
    const warned = warnings(log);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('missing_scope');
  });

  it('leaves it unknown when Slack does not answer', async () => {
    const fake = setup.fake();
    const client = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      logLevel: LogLevel.ERROR,
      retryConfig: { ...SLACK_RETRY_CONFIG, retries: 0 },
      fetch: keepAliveFetch(300),
    });
    const held = fake.holdNext('conversations.info');
    const { recorded, stored, log, posts } = await deliver({}, { client });
    held.release();
    expect(recorded).toMatchObject({ status: 'posted', conversationVisibility: null });
    expect(stored).toEqual(recorded);
    expect(posts).toHaveLength(2);
    const warned = warnings(log);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('no answer from Slack within 300 ms (conversations.info)');
  });

  it('keeps the delivery when recording the visibility fails', async () => {
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const reviews: ReviewRepository = {
      ...stored,
      recordVisibility: async () => {
        throw new Error('database went away');
      },
    };
    const { recorded, stored: kept, log, posts } = await deliver({}, { reviews });
    expect(recorded).toMatchObject({ status: 'posted', conversationVisibility: null });
    expect(kept).toEqual(recorded);
    expect(posts).toHaveLength(2);
    const warned = warnings(log);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('database went away');
  });
});

describe('deliverReview of a reply asked to go to the channel too, when the bot is not there', () => {
  /**
   * Delivers a thread reply in a channel the bot is not in, with `broadcast` asked: it goes out
   * through the response_url, which posts in the thread only. Then refreshes its message, as a
   * vote on it would (through the clicked message's response_url).
   */
  async function viaResponseUrl(broadcast: boolean) {
    const fake = setup.fake();
    const stored = createKyselyReviewRepository(setup.database().db, () => new Date());
    const channel = uniqueId('C');
    fake.addChannel(channel, { member: false });
    const parent = fake.addMessage(channel, { text: 'our support bot', user: 'U0SOMEONE' });
    const responseUrl = fake.newResponseUrl({ channel });
    const { review } = await stored.createPending(
      newReviewFixture({
        teamId: uniqueId('T'),
        target: { channelId: channel, threadTs: parent.ts, broadcast, responseUrl },
      }),
    );
    const deps = {
      reviews: stored,
      votes: votes(),
      logger,
      isTrustedResponseUrl: () => true,
      stopRenewingClaim: async () => null,
    };
    const recorded = await deliverReview(
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      review,
      deps,
    );
    const [verdict, detail] = fake.responseUrlPostsTo(responseUrl).map((post) => post.body);
    const refreshed: SlackMessage[] = [];
    await createVerdictRefresher()(
      new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }),
      review.teamId,
      review.id,
      deps,
      async (message) => {
        refreshed.push(message);
      },
    );
    return { channel, recorded, verdict, detail, refreshed };
  }

  const NOT_SENT = "I couldn't also send this to";

  it('says on the reply that it is only in the thread, and why, and keeps saying so', async () => {
    const { channel, recorded, verdict, detail, refreshed } = await viaResponseUrl(true);
    expect(recorded).toMatchObject({
      status: 'posted-via-response-url',
      lastError: 'not_in_channel',
    });
    expect(JSON.stringify(verdict)).toContain(
      `${NOT_SENT} <#${channel}> because I'm not a member there, so it is only in this thread.`,
    );
    expect(JSON.stringify(detail)).not.toContain(NOT_SENT);
    expect(refreshed).toHaveLength(1);
    expect(JSON.stringify(refreshed[0]?.blocks)).toContain(`${NOT_SENT} <#${channel}>`);
  });

  it('says nothing of it when the reply was not asked to go to the channel', async () => {
    const { recorded, verdict, refreshed } = await viaResponseUrl(false);
    expect(recorded.status).toBe('posted-via-response-url');
    expect(JSON.stringify(verdict)).not.toContain(NOT_SENT);
    expect(JSON.stringify(refreshed)).not.toContain(NOT_SENT);
  });
});
