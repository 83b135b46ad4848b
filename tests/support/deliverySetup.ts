import { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, expect } from 'vitest';
import { DeliveryClients } from '../../src/delivery/deliveryClients.js';
import { DeliveryQueue } from '../../src/delivery/deliveryQueue.js';
import type { ListenerDeps } from '../../src/listeners/deps.js';
import { type AppLogger, BoltLogger } from '../../src/observability/logger.js';
import { keepAliveFetch, SLACK_RETRY_CONFIG } from '../../src/observability/slackFetch.js';
import { type Database, openDatabase } from '../../src/storage/database.js';
import type { Review, ReviewRepository } from '../../src/storage/repository.js';
import { createKyselyVoteRepository } from '../../src/storage/voteRepository.js';
import { BackgroundWork } from '../../src/work.js';
import { newReviewFixture, uniqueId } from '../storage/support.js';
import { type FakeSlack, startFakeSlack } from './fakeSlack.js';
import type { JsonObject } from './json.js';

/** The token {@link TokenedDeliveryClients}' clients call with; the fake accepts it too. */
export const DELIVERY_TOKEN = 'xoxb-delivery-clients';

/**
 * Delivery clients that call with {@link DELIVERY_TOKEN} whatever token they are asked for: the
 * fake records each call's token, which tells their calls from those of Bolt's own client.
 */
export class TokenedDeliveryClients extends DeliveryClients {
  override for(_token: string, teamId?: string): WebClient {
    return super.for(DELIVERY_TOKEN, teamId);
  }
}

export interface DeliverySetup {
  fake(): FakeSlack;
  database(): Database;
  /** A pending review, in a workspace of its own, whose verdict goes to the channel. */
  pendingReview(reviews: ReviewRepository): Promise<Review>;
  /** What the listeners get: `reviews`, votes in the same database, one posting at a time. */
  listenerDeps(reviews: ReviewRepository, clock: () => Date): ListenerDeps;
  /**
   * Delivery clients with the app's transport (a timeout short enough for a test) and retry
   * policy, which tell a post sent without an answer, or answered with a 5xx, from one never sent.
   */
  appDeliveryClients(): DeliveryClients;
  /**
   * A Bolt app calling the fake, for listeners given events by hand (`app.processEvent`): with
   * both bot ids given Bolt asks Slack nothing (no auth.test).
   */
  boltApp(log: AppLogger): App;
}

export interface ViewSubmission {
  callbackId: string;
  privateMetadata: string;
  values: JsonObject;
  teamId: string;
  userId: string;
}

/**
 * Hands `app` a view_submission as Slack sends it and waits for the work it started; resolves with
 * what its listener acknowledged with, which must be exactly once.
 */
export async function submitView(
  app: App,
  work: BackgroundWork,
  submission: ViewSubmission,
): Promise<unknown> {
  const { teamId } = submission;
  const acks: unknown[] = [];
  await app.processEvent({
    body: {
      type: 'view_submission',
      team: { id: teamId, domain: 'listener-tests' },
      user: { id: submission.userId, team_id: teamId },
      view: {
        id: uniqueId('V'),
        type: 'modal',
        callback_id: submission.callbackId,
        private_metadata: submission.privateMetadata,
        state: { values: submission.values },
        team_id: teamId,
      },
    },
    ack: async (response?: unknown) => {
      acks.push(response);
    },
  });
  expect(await work.drain(10_000)).toBe(true);
  expect(acks).toHaveLength(1);
  return acks[0];
}

/**
 * For one test file's delivery tests: a fake Slack whose bot is in `channel`, and an in-memory
 * database, started before the file's tests and closed after them.
 */
export function deliverySetup(channel: string): DeliverySetup {
  let fake: FakeSlack | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    fake = await startFakeSlack({ extraTokens: [DELIVERY_TOKEN] });
    fake.addChannel(channel, { member: true });
    database = await openDatabase('sqlite::memory:');
  });
  afterAll(async () => {
    await database?.close();
    await fake?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('deliverySetup: used outside the tests');
    return value;
  };
  return {
    fake: () => started(fake),
    database: () => started(database),
    async pendingReview(reviews) {
      const { review } = await reviews.createPending(
        newReviewFixture({
          teamId: uniqueId('T'),
          target: { channelId: channel, threadTs: null, broadcast: false, responseUrl: null },
        }),
      );
      return review;
    },
    listenerDeps: (reviews, clock) => ({
      reviews,
      votes: createKyselyVoteRepository(started(database).db, clock),
      installations: null,
      clock,
      isTrustedResponseUrl: () => false,
      work: new BackgroundWork(),
      deliveries: new DeliveryQueue(1),
      deliveryClients: new DeliveryClients({ slackApiUrl: started(fake).apiUrl }),
    }),
    appDeliveryClients: () =>
      new DeliveryClients({
        slackApiUrl: started(fake).apiUrl,
        fetch: keepAliveFetch(300),
        retryConfig: SLACK_RETRY_CONFIG,
      }),
    boltApp: (log) =>
      new App({
        token: started(fake).botToken,
        signingSecret: 'listener-test-secret',
        botId: 'B0LISTENER',
        botUserId: 'U0LISTENBOT',
        tokenVerificationEnabled: false,
        convoStore: false,
        clientOptions: { slackApiUrl: started(fake).apiUrl },
        logger: new BoltLogger(log),
      }),
  };
}
