import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { decodeState } from '../../../src/checklist/state.js';
import { ActionId, BlockId, CallbackId } from '../../../src/constants.js';
import { applyEdit } from '../../../src/delivery/applyEdit.js';
import { deliverReview } from '../../../src/delivery/deliverReview.js';
import { responseUrlTrust } from '../../../src/delivery/responseUrl.js';
import { verdictInputFor } from '../../../src/delivery/reviewMessage.js';
import { registerActions } from '../../../src/listeners/actions/index.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { challengeSubmission } from '../../../src/listeners/views/challengeSubmission.js';
import { BoltLogger } from '../../../src/observability/logger.js';
import type { Review, ReviewRepository } from '../../../src/storage/repository.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { EXPORT_REFUSED, RERUN_REFUSED } from '../../../src/views/signOff.js';
import { buildVerdictMessage, verdictActionsBlockId } from '../../../src/views/verdictMessage.js';
import { decisionFixture, newReviewFixture, uniqueId } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import {
  DELIVERY_TOKEN,
  deliverySetup,
  submitView,
  TokenedDeliveryClients,
} from '../../support/deliverySetup.js';
import type { RecordedCall, StoredMessage } from '../../support/fakeSlack.js';
import { isRecord } from '../../support/json.js';
import {
  type BlockActionsPayload,
  clickButton,
  forgedBlockAction,
} from '../../support/slackRequests.js';

const CHANNEL = 'C0STALECPY';
const ASKER = 'U0STALEASK';
const USER = 'U0STALECLK';
const OTHER = 'U0STALEOTH';
const setup = deliverySetup(CHANNEL);

function instance() {
  const clock = () => new Date();
  const reviews = createKyselyReviewRepository(setup.database().db, clock);
  // Calls through the delivery clients carry a token of their own, to tell them from Bolt's. The
  // fake's response_urls are trusted, as the app trusts SLACK_API_URL's origin.
  const deps = {
    ...setup.listenerDeps(reviews, clock),
    isTrustedResponseUrl: responseUrlTrust(setup.fake().apiUrl),
    deliveryClients: new TokenedDeliveryClients({ slackApiUrl: setup.fake().apiUrl }),
  };
  const log = capturedLog();
  const app = setup.boltApp(log.log);
  const routes = new ListenerRoutes().viewSubmission(
    CallbackId.challengeReason,
    challengeSubmission(deps),
  );
  registerActions(routes, deps);
  app.use(routes.dispatch);
  const client = new WebClient(setup.fake().botToken, { slackApiUrl: setup.fake().apiUrl });
  return { reviews, deps, app, log, client };
}

type Instance = ReturnType<typeof instance>;

function deliver(instance: Instance, review: Review): Promise<Review> {
  return deliverReview(instance.client, review, {
    reviews: instance.reviews,
    votes: instance.deps.votes,
    logger: new BoltLogger(instance.log.log),
    isTrustedResponseUrl: () => false,
    stopRenewingClaim: async () => null,
  });
}

function reviewTarget(): Review['target'] {
  return { channelId: CHANNEL, threadTs: null, broadcast: false, responseUrl: null };
}

/** A pending review, in a workspace of its own, asked by ASKER for the channel. */
async function pendingReview(reviews: ReviewRepository): Promise<Review> {
  const { review } = await reviews.createPending(
    newReviewFixture({ teamId: uniqueId('T'), userId: ASKER, target: reviewTarget() }),
  );
  return review;
}

function message(ts: string, channel = CHANNEL): StoredMessage {
  const found = setup
    .fake()
    .allMessages()
    .find((m) => m.channel === channel && m.ts === ts);
  if (!found) throw new Error(`no message ${ts} in ${channel}`);
  return found;
}

const blocksOf = (m: StoredMessage) => (m.blocks ?? []).filter(isRecord);
const hasButtons = (m: StoredMessage) => blocksOf(m).some((block) => block.type === 'actions');
/** The blocks of `m` as the app last sent them (Slack makes up a block_id for those without). */
function sentBlocks(m: StoredMessage): unknown[] {
  const update = setup
    .fake()
    .callsTo('chat.update')
    .filter((call) => call.args.channel === m.channel && call.args.ts === m.ts)
    .at(-1);
  if (!Array.isArray(update?.args.blocks)) throw new Error(`${m.ts} was not updated`);
  return update.args.blocks;
}
function tallyOf(m: StoredMessage): string {
  const tally = blocksOf(m).find((block) => block.block_id === BlockId.verdictTally);
  const elements = Array.isArray(tally?.elements) ? tally.elements.filter(isRecord) : [];
  return String(elements[0]?.text ?? '');
}

interface TwoCopies {
  /** Done after the first copy landed and the review was marked failed, before Post again. */
  beforePostAgain?: (failed: Review, firstTs: string) => Promise<void>;
  /** The channel refuses Post again, which sends the verdict to the asker's DM instead. */
  channelRefuses?: boolean;
}

/**
 * The defect's channel: the first posting's verdict landed but Slack's answer was lost, so the
 * review was marked failed; Post again posted a second copy, which is the one on record (in the
 * channel, or with `channelRefuses` in the asker's DM).
 */
async function reviewWithTwoCopies(
  instance: Instance,
  { beforePostAgain, channelRefuses = false }: TwoCopies = {},
) {
  const { reviews, client } = instance;
  const pending = await pendingReview(reviews);
  const firstCopy = buildVerdictMessage(await verdictInputFor(pending, reviews, []));
  const first = await client.chat.postMessage({
    channel: CHANNEL,
    text: firstCopy.text,
    blocks: firstCopy.blocks,
  });
  if (!first.ts) throw new Error('no ts');
  const firstTs = first.ts;
  const failed = await reviews.markFailed(
    pending.teamId,
    pending.id,
    'no answer from Slack within 10000 ms (chat.postMessage); the verdict may be in the channel already',
    null,
  );
  await beforePostAgain?.(failed, firstTs);
  if (channelRefuses) {
    setup
      .fake()
      .failNext(
        'chat.postMessage',
        { error: 'not_in_channel' },
        1,
        (args) => args.channel === CHANNEL,
      );
  }
  const review = await deliver(instance, failed);
  const landed = channelRefuses ? 'sent-as-dm' : 'posted';
  if (review.status !== landed || !review.messageTs || !review.permalink) {
    throw new Error(`not ${landed}: ${JSON.stringify(review)}`);
  }
  expect(review.messageTs).not.toBe(firstTs);
  return { review, staleTs: firstTs, currentTs: review.messageTs, permalink: review.permalink };
}

interface Click {
  user?: string;
  /** Where the clicked message is. */
  channel?: string;
  /** A trigger the fake accepts, for the buttons that open a modal. */
  trigger?: boolean;
}

/** Clicks `actionId` on the message `ts` as Slack sends it, and waits for the work it started. */
async function click(
  { app, deps }: Instance,
  review: Review,
  ts: string,
  actionId: string,
  { user = USER, channel = CHANNEL, trigger = false }: Click = {},
) {
  const fake = setup.fake();
  const clicked = message(ts, channel);
  const responseUrl = fake.newResponseUrl({ channel, messageTs: ts, userId: user });
  const payload = clickButton({ ...clicked, channel }, actionId, {
    user,
    workspace: { teamId: review.teamId },
    responseUrl,
    ...(trigger ? { triggerId: fake.issueTriggerId({ userId: user }) } : {}),
  });
  await app.processEvent({ body: payload, ack: async () => {} });
  expect(await deps.work.drain(10_000)).toBe(true);
  return { responseUrl };
}

/** What the fake recorded from `before` on: calls, ephemerals by response_url, and their texts. */
/**
 * The calls among `calls` made with Bolt's own client, not a delivery client's: a click's calls
 * after its ack go through the delivery client, so that one Slack rate-limits (a 429 pauses the
 * whole client) holds up no modal in the workspace.
 */
function onBoltsClient(calls: readonly RecordedCall[]): string[] {
  return calls.filter((call) => call.token !== DELIVERY_TOKEN).map((call) => call.method);
}

/** `USER` submits the Challenge modal `view` (as opened) with a reason. */
async function submitChallenge(
  running: Instance,
  review: Review,
  view: Record<string, unknown>,
): Promise<void> {
  await submitView(running.app, running.deps.work, {
    callbackId: CallbackId.challengeReason,
    privateMetadata: String(view.private_metadata),
    values: {
      [BlockId.challengeReason]: {
        [ActionId.challengeReason]: { type: 'plain_text_input', value: 'Too few labels' },
      },
    },
    teamId: review.teamId,
    userId: USER,
  });
}

/** Slack refuses the next chat.update of the out-of-date copy at `staleTs`. */
function refuseCopyUpdate(staleTs: string): void {
  setup
    .fake()
    .failNext('chat.update', { error: 'cant_update_message' }, 1, (args) => args.ts === staleTs);
}

function since(before: { calls: number; ephemerals: number }) {
  const fake = setup.fake();
  return {
    calls: fake.calls.slice(before.calls),
    ephemerals: fake.ephemerals().slice(before.ephemerals),
  };
}

function mark() {
  const fake = setup.fake();
  return { calls: fake.calls.length, ephemerals: fake.ephemerals().length };
}

/** The out-of-date copy, as the click left it: a pointer to `permalink`, without buttons. */
function expectPointer(staleTs: string, permalink: string) {
  const stale = message(staleTs);
  expect(hasButtons(stale)).toBe(false);
  expect(stale.text).toMatch(/This copy of the verdict on .* is out of date/);
  expect(JSON.stringify(stale.blocks)).toContain(`<${permalink}|the current verdict>`);
}

function expectNotice(
  ephemerals: ReturnType<typeof since>['ephemerals'],
  permalink: string,
  says: RegExp,
) {
  expect(ephemerals).toHaveLength(1);
  expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER });
  expect(ephemerals[0]?.args).toMatchObject({ replace_original: false });
  expect(ephemerals[0]?.text).toContain('You clicked an out-of-date copy of this verdict');
  expect(ephemerals[0]?.text).toContain(`<${permalink}|the current verdict>`);
  expect(ephemerals[0]?.text).toMatch(says);
}

describe('a click on an out-of-date copy of a verdict (posted again after a lost answer)', () => {
  it('Agree counts on the review and its current copy; the clicked copy points there, and the clicker is told', async () => {
    const running = instance();
    const { review, staleTs, currentTs, permalink } = await reviewWithTwoCopies(running);
    const before = mark();

    await click(running, review, staleTs, ActionId.agree);

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'agree' },
    ]);
    expect(tallyOf(message(currentTs))).toBe(`Agreed: <@${USER}>`);
    expect(hasButtons(message(currentTs))).toBe(true);
    expectPointer(staleTs, permalink);
    const { calls, ephemerals } = since(before);
    // The current copy first, then the stale one; the link on record needs no chat.getPermalink.
    expect(calls.map((call) => [call.method, call.args.ts])).toEqual([
      ['chat.update', currentTs],
      ['chat.update', staleTs],
    ]);
    expect(onBoltsClient(calls)).toEqual([]);
    expectNotice(ephemerals, permalink, /Your agreement was recorded on it/);
    expect(setup.fake().violations).toEqual([]);
  });

  it('Agree still counts when Slack refuses to update the out-of-date copy', async () => {
    const running = instance();
    const { review, staleTs, currentTs, permalink } = await reviewWithTwoCopies(running);
    refuseCopyUpdate(staleTs);
    const before = mark();

    await click(running, review, staleTs, ActionId.agree);

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'agree' },
    ]);
    expect(tallyOf(message(currentTs))).toBe(`Agreed: <@${USER}>`);
    // Slack refused: the copy is as it was, and the clicker still learns where the current one is.
    expect(hasButtons(message(staleTs))).toBe(true);
    const { calls, ephemerals } = since(before);
    expect(calls.find((call) => call.args.ts === staleTs)?.response).toMatchObject({
      ok: false,
      error: 'cant_update_message',
    });
    expectNotice(ephemerals, permalink, /Your agreement was recorded on it/);
    expect(ephemerals[0]?.text).toContain('I couldn’t change the copy');
    const lines = running.log.lines;
    expect(
      lines.some(
        (line) =>
          line.level === 'warn' &&
          String(line.msg).includes(`pointing the out-of-date copy ${staleTs}`) &&
          String(line.msg).includes('cant_update_message'),
      ),
    ).toBe(true);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('Agree on a copy whose verdict an edit changed since: not recorded; one notice says so, where the current verdict is, and to sign off there', async () => {
    const running = instance();
    const { review, staleTs, currentTs, permalink } = await reviewWithTwoCopies(running);
    const edit = await running.reviews.updateAnswers(
      review.teamId,
      review.id,
      review.answers,
      decisionFixture('prompt'),
    );
    expect(edit.review.verdictVersion).toBe(2);
    const before = mark();

    await click(running, review, staleTs, ActionId.agree);

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toEqual([]);
    // The current copy shows the verdict as edited; the clicked one points to it.
    expect(JSON.stringify(message(currentTs).blocks)).toContain('Go with prompt');
    expectPointer(staleTs, permalink);
    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => [call.method, call.args.ts])).toEqual([
      ['chat.update', currentTs],
      ['chat.update', staleTs],
    ]);
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER });
    expect(ephemerals[0]?.text).toBe(
      `:pencil2: This verdict was edited after you saw it, so your agreement was not recorded. You clicked an out-of-date copy of this verdict: <${permalink}|the current verdict> is the one to use, and the copy now points to it. The current one shows the verdict as it is now: agree with it or challenge it there.`,
    );
  });

  it('Agree on an edited copy, the current verdict in the asker’s DM or the copy unchanged by Slack: one notice, saying where it is and what the copy shows', async () => {
    const variants = [
      {
        channelRefuses: true,
        user: USER,
        keepsButtons: true,
        says: () =>
          'the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, and shows the verdict as it is now. Agree with it or challenge it on this copy.',
      },
      {
        channelRefuses: true,
        copyRefused: true,
        user: USER,
        keepsButtons: true,
        says: () =>
          'the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, though I couldn’t bring it up to date.',
      },
      {
        channelRefuses: true,
        user: ASKER,
        keepsButtons: false,
        says: (permalink: string) =>
          `<${permalink}|the current verdict>, sent to you by DM, is the one to use, and the copy now points to it. The current one shows the verdict as it is now: agree with it or challenge it there.`,
      },
      {
        channelRefuses: false,
        copyRefused: true,
        user: USER,
        keepsButtons: true,
        says: (permalink: string) =>
          `<${permalink}|the current verdict> is the one to use, though I couldn’t change the copy, so its buttons are still there. The current one shows the verdict as it is now: agree with it or challenge it there.`,
      },
    ];
    for (const { channelRefuses, copyRefused, user, keepsButtons, says } of variants) {
      const running = instance();
      const { review, staleTs, permalink } = await reviewWithTwoCopies(running, { channelRefuses });
      await running.reviews.updateAnswers(
        review.teamId,
        review.id,
        review.answers,
        decisionFixture('prompt'),
      );
      if (copyRefused) {
        refuseCopyUpdate(staleTs);
      }
      const before = mark();

      await click(running, review, staleTs, ActionId.agree, { user });

      expect(await running.deps.votes.listVotes(review.teamId, review.id)).toEqual([]);
      expect(hasButtons(message(staleTs))).toBe(keepsButtons);
      const { ephemerals } = since(before);
      expect(ephemerals.map((ephemeral) => ephemeral.text)).toEqual([
        `:pencil2: This verdict was edited after you saw it, so your agreement was not recorded. You clicked an out-of-date copy of this verdict: ${says(permalink)}`,
      ]);
      expect(ephemerals[0]).toMatchObject({ via: 'response_url', user });
    }
  });

  it('links the current copy through chat.getPermalink when no link is on record', async () => {
    const running = instance();
    const fake = setup.fake();
    const pending = await pendingReview(running.reviews);
    const landed = buildVerdictMessage(await verdictInputFor(pending, running.reviews, []));
    const first = await running.client.chat.postMessage({
      channel: CHANNEL,
      text: landed.text,
      blocks: landed.blocks,
    });
    const staleTs = String(first.ts);
    const failed = await running.reviews.markFailed(pending.teamId, pending.id, 'lost', null);
    // Post again: the verdict is out, but Slack gave no link for it then.
    fake.failNext('chat.getPermalink', { error: 'internal_error' });
    const review = await deliver(running, failed);
    expect(review).toMatchObject({ status: 'posted', permalink: null });
    const before = mark();

    await click(running, review, staleTs, ActionId.agree);

    const { calls, ephemerals } = since(before);
    const asked = calls.find((call) => call.method === 'chat.getPermalink');
    expect(asked?.args).toMatchObject({ channel: CHANNEL, message_ts: review.messageTs });
    const permalink = String(asked?.response?.permalink);
    expect(permalink).toContain(String(review.messageTs).replace('.', ''));
    expect(onBoltsClient(calls)).toEqual([]);
    expectPointer(staleTs, permalink);
    expectNotice(ephemerals, permalink, /Your agreement was recorded on it/);
  });

  it('Challenge opens the modal; the challenge lands on the current copy and in its thread', async () => {
    const running = instance();
    const { review, staleTs, currentTs, permalink } = await reviewWithTwoCopies(running);
    const before = mark();

    await click(running, review, staleTs, ActionId.challenge, { trigger: true });

    const { calls, ephemerals } = since(before);
    const opened = calls.find((call) => call.method === 'views.open');
    expect(opened?.response).toMatchObject({ ok: true });
    const view = isRecord(opened?.args.view) ? opened.args.view : {};
    expectPointer(staleTs, permalink);
    expectNotice(ephemerals, permalink, /Once you post your challenge, it counts there/);

    await submitChallenge(running, review, view);
    expect(tallyOf(message(currentTs))).toBe(`Challenged: <@${USER}>`);
    const replies = setup.fake().thread(CHANNEL, currentTs);
    expect(replies.some((reply) => reply.text.includes('challenged the verdict'))).toBe(true);
    expect(setup.fake().thread(CHANNEL, staleTs)).toHaveLength(1);
  });

  it('Re-run opens the checklist for the current copy’s thread', async () => {
    const running = instance();
    const { review, staleTs, permalink } = await reviewWithTwoCopies(running);
    const before = mark();

    await click(running, review, staleTs, ActionId.rerun, { user: ASKER, trigger: true });

    const { calls, ephemerals } = since(before);
    const opened = calls.find((call) => call.method === 'views.open');
    expect(opened?.response).toMatchObject({ ok: true });
    const view = isRecord(opened?.args.view) ? opened.args.view : {};
    const decoded = decodeState(String(view.private_metadata));
    expect(decoded).toMatchObject({
      ok: true,
      state: { origin: 'rerun', reviewId: review.id, threadTs: review.threadTs },
    });
    expectPointer(staleTs, permalink);
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]?.user).toBe(ASKER);
    expect(ephemerals[0]?.text).toContain(`<${permalink}|the current verdict>`);
    expect(ephemerals[0]?.text).toContain(
      'Once you finish the checklist, the re-run is posted in its thread.',
    );
  });

  it('Re-run refused on an out-of-date copy: one notice, the refusal first, then where the current verdict is and to challenge it there', async () => {
    const running = instance();
    const { review, staleTs, currentTs, permalink } = await reviewWithTwoCopies(running);
    const before = mark();

    await click(running, review, staleTs, ActionId.rerun, { trigger: true });

    expectPointer(staleTs, permalink);
    expect(hasButtons(message(currentTs))).toBe(true);
    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => [call.method, call.args.ts])).toEqual([['chat.update', staleTs]]);
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER });
    expect(ephemerals[0]?.args).toMatchObject({ replace_original: false });
    expect(ephemerals[0]?.text).toBe(
      `Only the person who asked for this review can re-run it, until someone challenges it. You clicked an out-of-date copy of this verdict: <${permalink}|the current verdict> is the one to use, and the copy now points to it. Challenge the current one with your reason first, then anyone can re-run it.`,
    );
  });

  it('Re-run refused on an out-of-date copy, the current verdict in the asker’s DM or the copy unchanged by Slack: one notice, saying where it is and what the copy shows', async () => {
    const variants = [
      {
        channelRefuses: true,
        says: () =>
          'the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, and shows the verdict as it is now. Challenge it on this copy with your reason first, then anyone can re-run it.',
      },
      {
        channelRefuses: true,
        copyRefused: true,
        says: () =>
          'the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, though I couldn’t bring it up to date. Challenge it on this copy with your reason first, then anyone can re-run it.',
      },
      {
        channelRefuses: false,
        copyRefused: true,
        says: (permalink: string) =>
          `<${permalink}|the current verdict> is the one to use, though I couldn’t change the copy, so its buttons are still there. Challenge the current one with your reason first, then anyone can re-run it.`,
      },
    ];
    for (const { channelRefuses, copyRefused, says } of variants) {
      const running = instance();
      const { review, staleTs, permalink } = await reviewWithTwoCopies(running, { channelRefuses });
      if (copyRefused) {
        refuseCopyUpdate(staleTs);
      }
      const before = mark();

      await click(running, review, staleTs, ActionId.rerun, { trigger: true });

      // Only the asker can open their DM: for anyone else, the copy stays the place to act from.
      expect(hasButtons(message(staleTs))).toBe(channelRefuses || copyRefused === true);
      const { calls, ephemerals } = since(before);
      expect(calls.some((call) => call.method === 'views.open')).toBe(false);
      expect(ephemerals.map((ephemeral) => ephemeral.text)).toEqual([
        `Only the person who asked for this review can re-run it, until someone challenges it. You clicked an out-of-date copy of this verdict: ${says(permalink)}`,
      ]);
      expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER });
    }
  });

  it('Re-run after a revision that went out through a response_url: still the current copy’s thread', async () => {
    const running = instance();
    const { review, staleTs } = await reviewWithTwoCopies(running);
    const { review: pendingRevision } = await running.reviews.createPending(
      newReviewFixture({
        teamId: review.teamId,
        userId: ASKER,
        target: { ...reviewTarget(), threadTs: review.threadTs },
        revisionOf: review.id,
      }),
    );
    await running.reviews.markDelivered(review.teamId, pendingRevision.id, {
      status: 'posted-via-response-url',
      postedChannelId: CHANNEL,
      messageTs: null,
      threadTs: null,
      permalink: null,
    });
    const before = mark();

    await click(running, review, staleTs, ActionId.rerun, { user: ASKER, trigger: true });

    const opened = since(before).calls.find((call) => call.method === 'views.open');
    const view = isRecord(opened?.args.view) ? opened.args.view : {};
    // Not the clicked copy's thread, nor its response_url: the line lives in the current one's.
    expect(decodeState(String(view.private_metadata))).toMatchObject({
      ok: true,
      state: { reviewId: pendingRevision.id, threadTs: review.threadTs, responseUrl: null },
    });
  });

  it('Export posts the decision record in the current copy’s thread', async () => {
    const running = instance();
    const { review, staleTs, currentTs, permalink } = await reviewWithTwoCopies(running);
    const before = mark();

    await click(running, review, staleTs, ActionId.exportRecord);

    const file = setup
      .fake()
      .files()
      .find((f) => f.initialComment?.includes('Decision record') && f.threadTs === currentTs);
    expect(file?.completed).toBe(true);
    const { calls } = since(before);
    expect(calls.map((call) => call.method)).toContain('files.completeUploadExternal');
    expect(onBoltsClient(calls)).toEqual([]);
    expectPointer(staleTs, permalink);
    expectNotice(
      since(before).ephemerals,
      permalink,
      /The decision record is posted in its thread/,
    );
  });

  it('Export that could only go to the clicker’s DM does not say it is in the thread', async () => {
    const running = instance();
    const { review, staleTs, permalink } = await reviewWithTwoCopies(running);
    setup
      .fake()
      .failNext(
        'files.completeUploadExternal',
        { error: 'not_in_channel' },
        1,
        (args) => args.channel_id === review.postedChannelId,
      );
    const before = mark();

    await click(running, review, staleTs, ActionId.exportRecord);

    const dm = setup.fake().dmChannelFor(USER);
    const file = setup
      .fake()
      .files()
      .find((f) => f.initialComment?.includes('Decision record') && f.channelId === dm);
    expect(file?.completed).toBe(true);
    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => call.method)).toContain('conversations.open');
    expect(onBoltsClient(calls)).toEqual([]);
    expectNotice(ephemerals, permalink, /now points to it\.$/);
    expect(ephemerals[0]?.text).not.toContain('decision record');
  });

  it('Export that Slack refused everywhere: one notice, saying so and where the current verdict is; the copy keeps its buttons to try again', async () => {
    for (const channelRefuses of [false, true]) {
      const running = instance();
      const { review, staleTs, permalink } = await reviewWithTwoCopies(running, {
        channelRefuses,
      });
      const staleBefore = structuredClone(message(staleTs));
      // The record's thread (the current copy's, or the clicked copy's when that is in the
      // asker's DM), then the clicker's DM.
      setup.fake().failNext('files.completeUploadExternal', { error: 'is_archived' });
      setup.fake().failNext('files.completeUploadExternal', { error: 'ratelimited' });
      const before = mark();

      await click(running, review, staleTs, ActionId.exportRecord);

      const { calls, ephemerals } = since(before);
      expect(ephemerals.map((ephemeral) => ephemeral.text)).toHaveLength(1);
      expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER });
      const notice = String(ephemerals[0]?.text);
      expect(notice).toMatch(
        new RegExp(
          `^:warning: I couldn't attach the decision record for \\*.*\\* in <#${CHANNEL}> because that channel is archived, nor send it to you by DM \\(Slack answered \`ratelimited\`\\)\\. Please try again in a moment\\. `,
        ),
      );
      expect(notice).toMatch(
        channelRefuses
          ? /You clicked an out-of-date copy of this verdict: the current one was sent to the asker by DM, where only they can open it\.$/
          : new RegExp(
              `You clicked an out-of-date copy of this verdict: <${permalink.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')}\\|the current verdict> is the one to use\\.$`,
            ),
      );
      expect(notice).not.toContain('points to it');
      // Not pointed away: a retry from it exports the current verdict to the same place.
      expect(calls.filter((call) => call.method === 'chat.update')).toEqual([]);
      expect(message(staleTs)).toEqual(staleBefore);
    }
  });

  it('Export that Slack didn’t confirm in the thread: one notice, that it may be there and where the current verdict is; nothing sent to the DM, the copy keeps its buttons', async () => {
    for (const channelRefuses of [false, true]) {
      const running = instance();
      const { review, staleTs } = await reviewWithTwoCopies(running, { channelRefuses });
      const staleBefore = structuredClone(message(staleTs));
      setup.fake().failNext('files.completeUploadExternal', { error: 'fatal_error' });
      const before = mark();

      await click(running, review, staleTs, ActionId.exportRecord);

      const { calls, ephemerals } = since(before);
      expect(ephemerals.map((ephemeral) => ephemeral.text)).toHaveLength(1);
      expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER });
      const notice = String(ephemerals[0]?.text);
      expect(notice).toMatch(
        /^:information_source: I couldn't confirm that the decision record for \*.*\* was attached in the thread in .*: Slack answered `fatal_error`, which can come after a message was posted\. It may be there already: look in the thread, and click \*Export decision record\* again if it isn't\. You clicked an out-of-date copy of this verdict: /,
      );
      expect(calls.filter((call) => call.method === 'files.completeUploadExternal')).toHaveLength(
        1,
      );
      expect(calls.filter((call) => call.method === 'chat.update')).toEqual([]);
      expect(message(staleTs)).toEqual(staleBefore);
    }
  });

  it('votes cast on the first copy before Post again show on the second copy as it is posted', async () => {
    const running = instance();
    const { review, currentTs } = await reviewWithTwoCopies(running, {
      beforePostAgain: async (failed, firstTs) => {
        // Nothing on record to update yet: the click's response_url updates the copy clicked.
        await click(running, failed, firstTs, ActionId.agree);
        expect(tallyOf(message(firstTs))).toBe(`Agreed: <@${USER}>`);
      },
    });

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'agree' },
    ]);
    const posted = setup
      .fake()
      .callsTo('chat.postMessage')
      .find((call) => call.response?.ts === currentTs);
    expect(JSON.stringify(posted?.args.blocks)).toContain(`Agreed: <@${USER}>`);
    expect(tallyOf(message(currentTs))).toBe(`Agreed: <@${USER}>`);
  });

  it('Post again that went to the asker’s DM: Agree by anyone else on the channel copy counts there; the copy keeps its buttons, shows the tally, and others sign off from it too', async () => {
    const running = instance();
    const { review, staleTs, currentTs } = await reviewWithTwoCopies(running, {
      channelRefuses: true,
    });
    const dm = setup.fake().dmChannelFor(ASKER);
    expect(review).toMatchObject({ status: 'sent-as-dm', postedChannelId: dm });
    const before = mark();

    await click(running, review, staleTs, ActionId.agree);

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'agree' },
    ]);
    expect(tallyOf(message(currentTs, dm))).toBe(`Agreed: <@${USER}>`);
    // The verdict as the DM shows it, without the notice there of why it went to the asker.
    const stale = message(staleTs);
    expect(hasButtons(stale)).toBe(true);
    expect(tallyOf(stale)).toBe(`Agreed: <@${USER}>`);
    expect(sentBlocks(stale)).toEqual(sentBlocks(message(currentTs, dm)).slice(1));
    expect(JSON.stringify(stale)).not.toContain('out of date');
    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => [call.method, call.args.channel, call.args.ts])).toEqual([
      ['chat.update', dm, currentTs],
      ['chat.update', CHANNEL, staleTs],
    ]);
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER });
    expect(ephemerals[0]?.text).toBe(
      ':information_source: You clicked an out-of-date copy of this verdict: the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, and shows the verdict as it is now. Your agreement was recorded on it.',
    );

    // Someone else, from the same copy: their agreement counts too.
    await click(running, review, staleTs, ActionId.agree, { user: OTHER });

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'agree' },
      { userId: OTHER, vote: 'agree' },
    ]);
    expect(tallyOf(message(currentTs, dm))).toBe(`Agreed: <@${USER}>, <@${OTHER}>`);
    expect(tallyOf(message(staleTs))).toBe(`Agreed: <@${USER}>, <@${OTHER}>`);
    expect(setup.fake().violations).toEqual([]);
  });

  it('Post again that went to the asker’s DM, the verdict edited since: anyone else’s Agree on the channel copy is refused once, the copy then shows the verdict as edited, and their Agree from it counts', async () => {
    const running = instance();
    const { review, staleTs, currentTs } = await reviewWithTwoCopies(running, {
      channelRefuses: true,
    });
    const dm = setup.fake().dmChannelFor(ASKER);
    const edit = await running.reviews.updateAnswers(
      review.teamId,
      review.id,
      review.answers,
      decisionFixture('prompt'),
    );
    expect(edit.review.verdictVersion).toBe(2);

    await click(running, review, staleTs, ActionId.agree);

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toEqual([]);
    const stale = message(staleTs);
    expect(JSON.stringify(stale.blocks)).toContain('Go with prompt');
    expect(sentBlocks(stale)).toEqual(sentBlocks(message(currentTs, dm)).slice(1));
    expect(blocksOf(stale).find((block) => block.type === 'actions')?.block_id).toMatch(/@2$/);

    await click(running, review, staleTs, ActionId.agree);

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'agree' },
    ]);
    expect(tallyOf(message(currentTs, dm))).toBe(`Agreed: <@${USER}>`);
    expect(tallyOf(message(staleTs))).toBe(`Agreed: <@${USER}>`);
  });

  it('Post again that went to the asker’s DM: anyone else’s Challenge from the channel copy opens the modal and counts; the copy keeps its buttons', async () => {
    const running = instance();
    const { review, staleTs, currentTs } = await reviewWithTwoCopies(running, {
      channelRefuses: true,
    });
    const dm = setup.fake().dmChannelFor(ASKER);
    const before = mark();

    await click(running, review, staleTs, ActionId.challenge, { trigger: true });

    const { calls, ephemerals } = since(before);
    const opened = calls.find((call) => call.method === 'views.open');
    expect(opened?.response).toMatchObject({ ok: true });
    expect(hasButtons(message(staleTs))).toBe(true);
    expect(ephemerals.map((ephemeral) => ephemeral.text)).toEqual([
      ':information_source: You clicked an out-of-date copy of this verdict: the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, and shows the verdict as it is now. Once you post your challenge, it counts on the current one, and your reason goes to the asker in its thread.',
    ]);
    const view = isRecord(opened?.args.view) ? opened.args.view : {};
    await submitChallenge(running, review, view);
    expect(tallyOf(message(currentTs, dm))).toBe(`Challenged: <@${USER}>`);
    const replies = setup.fake().thread(dm, currentTs);
    expect(replies.some((reply) => reply.text.includes('challenged the verdict'))).toBe(true);
    expect(hasButtons(message(staleTs))).toBe(true);
  });

  it('Post again that went to the asker’s DM: the asker clicking the channel copy is linked to it', async () => {
    const running = instance();
    const { review, staleTs, currentTs, permalink } = await reviewWithTwoCopies(running, {
      channelRefuses: true,
    });
    const dm = setup.fake().dmChannelFor(ASKER);
    const before = mark();

    await click(running, review, staleTs, ActionId.agree, { user: ASKER });

    expect(tallyOf(message(currentTs, dm))).toBe(`Agreed: <@${ASKER}>`);
    expect(hasButtons(message(staleTs))).toBe(false);
    const { ephemerals } = since(before);
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]?.user).toBe(ASKER);
    expect(ephemerals[0]?.text).toContain(
      `<${permalink}|the current verdict>, sent to you by DM, is the one to use, and the copy now points to it.`,
    );
  });
});

describe('clicks that are not on an out-of-date copy', () => {
  it('Agree on the current copy of a verdict posted twice: as before, the other copy left alone', async () => {
    const running = instance();
    const { review, staleTs, currentTs } = await reviewWithTwoCopies(running);
    const staleBefore = structuredClone(message(staleTs));
    const before = mark();

    await click(running, review, currentTs, ActionId.agree);

    expect(await running.deps.votes.listVotes(review.teamId, review.id)).toMatchObject([
      { userId: USER, vote: 'agree' },
    ]);
    expect(tallyOf(message(currentTs))).toBe(`Agreed: <@${USER}>`);
    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => [call.method, call.args.ts])).toEqual([['chat.update', currentTs]]);
    expect(ephemerals).toEqual([]);
    expect(message(staleTs)).toEqual(staleBefore);
  });

  it('Re-run refused on the current copy of a verdict posted twice: the refusal as before, the other copy left alone', async () => {
    const running = instance();
    const { review, staleTs, currentTs } = await reviewWithTwoCopies(running);
    const staleBefore = structuredClone(message(staleTs));
    const currentBefore = structuredClone(message(currentTs));
    const before = mark();

    await click(running, review, currentTs, ActionId.rerun, { trigger: true });

    const { calls, ephemerals } = since(before);
    expect(calls).toEqual([]);
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]).toMatchObject({ via: 'response_url', user: USER, text: RERUN_REFUSED });
    expect(ephemerals[0]?.args).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
    });
    expect(message(staleTs)).toEqual(staleBefore);
    expect(message(currentTs)).toEqual(currentBefore);
  });

  it('Agree on the current copy in the asker’s DM, after Post again went there: as before', async () => {
    const running = instance();
    const { review, staleTs, currentTs } = await reviewWithTwoCopies(running, {
      channelRefuses: true,
    });
    const dm = setup.fake().dmChannelFor(ASKER);
    const staleBefore = structuredClone(message(staleTs));
    const before = mark();

    await click(running, review, currentTs, ActionId.agree, { user: ASKER, channel: dm });

    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => [call.method, call.args.ts])).toEqual([['chat.update', currentTs]]);
    expect(ephemerals).toEqual([]);
    expect(tallyOf(message(currentTs, dm))).toBe(`Agreed: <@${ASKER}>`);
    expect(message(staleTs)).toEqual(staleBefore);
  });

  it('a revision in the thread and its first verdict are each their own review’s current copy', async () => {
    const running = instance();
    const first = await deliver(running, await pendingReview(running.reviews));
    const firstTs = String(first.messageTs);
    const { review: pendingRevision } = await running.reviews.createPending(
      newReviewFixture({
        teamId: first.teamId,
        userId: ASKER,
        target: { ...reviewTarget(), threadTs: first.threadTs },
        revisionOf: first.id,
      }),
    );
    const revision = await deliver(running, pendingRevision);
    const revisionTs = String(revision.messageTs);
    expect(message(revisionTs).thread_ts).toBe(firstTs);
    const before = mark();

    await click(running, revision, revisionTs, ActionId.agree);
    await click(running, first, firstTs, ActionId.agree);

    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => [call.method, call.args.ts])).toEqual([
      ['chat.update', revisionTs],
      ['chat.update', firstTs],
    ]);
    expect(ephemerals).toEqual([]);
    expect(tallyOf(message(revisionTs))).toBe(`Agreed: <@${USER}>`);
    expect(tallyOf(message(firstTs))).toBe(`Agreed: <@${USER}>`);
  });

  it('a verdict edited in place is still its current copy', async () => {
    const running = instance();
    const review = await deliver(running, await pendingReview(running.reviews));
    const ts = String(review.messageTs);
    const edited = await applyEdit(
      running.client,
      {
        teamId: review.teamId,
        reviewId: review.id,
        editorId: ASKER,
        answers: { ...review.answers, title: 'Edited title' },
      },
      { ...running.deps, logger: new BoltLogger(running.log.log) },
    );
    expect(edited?.review).toMatchObject({ messageTs: ts });
    expect(JSON.stringify(message(ts).blocks)).toContain('Edited title');
    const before = mark();

    await click(running, review, ts, ActionId.agree);

    const { calls, ephemerals } = since(before);
    expect(calls.map((call) => [call.method, call.args.ts])).toEqual([['chat.update', ts]]);
    expect(ephemerals).toEqual([]);
    expect(tallyOf(message(ts))).toBe(`Agreed: <@${USER}>`);
  });

  it('a verdict that went out through a response_url (no ts on record) is updated the way it was', async () => {
    const running = instance();
    const pending = await pendingReview(running.reviews);
    const review = await running.reviews.markDelivered(pending.teamId, pending.id, {
      status: 'posted-via-response-url',
      postedChannelId: CHANNEL,
      messageTs: null,
      threadTs: null,
      permalink: null,
    });
    // As a response_url posts it: the bot's message, with no ts the app was told.
    const landed = buildVerdictMessage(await verdictInputFor(review, running.reviews, []));
    const posted = await running.client.chat.postMessage({
      channel: CHANNEL,
      text: landed.text,
      blocks: landed.blocks,
    });
    const ts = String(posted.ts);
    const before = mark();

    const { responseUrl } = await click(running, review, ts, ActionId.agree);

    const { calls, ephemerals } = since(before);
    expect(calls).toEqual([]);
    expect(ephemerals).toEqual([]);
    expect(setup.fake().responseUrlPostsTo(responseUrl)).toHaveLength(1);
    expect(hasButtons(message(ts))).toBe(true);
    expect(tallyOf(message(ts))).toBe(`Agreed: <@${USER}>`);
  });
});

/** Hands the app a click Slack's client could not send (a forged, correctly signed payload). */
async function forgedClick({ app, deps }: Instance, payload: BlockActionsPayload): Promise<void> {
  await app.processEvent({ body: payload, ack: async () => {} });
  expect(await deps.work.drain(10_000)).toBe(true);
}

/** A sign-off button naming `review`, as if it were in the message a forged click names. */
function verdictButton(actionId: string, review: Review) {
  return {
    type: 'button',
    action_id: actionId,
    block_id: verdictActionsBlockId(review.verdictVersion),
    value: review.id,
  };
}

describe('forged clicks naming a review (defense in depth)', () => {
  it('never rewrite a message that does not carry the review’s sign-off buttons as an out-of-date copy', async () => {
    const running = instance();
    const { review, staleTs } = await reviewWithTwoCopies(running);
    // Another message of the bot's: a forged click names it, with the review's id.
    const other = await running.client.chat.postMessage({ channel: CHANNEL, text: 'Lunch at 12' });
    const otherTs = String(other.ts);
    const otherBefore = structuredClone(message(otherTs));
    const responseUrl = setup.fake().newResponseUrl({ channel: CHANNEL, userId: USER });
    const options = { user: USER, workspace: { teamId: review.teamId }, responseUrl };

    // Its own message, with the review's button in the action only.
    await forgedClick(
      running,
      forgedBlockAction(message(otherTs), verdictButton(ActionId.agree, review), options),
    );
    // A real out-of-date copy in `message`, the other message in `container`.
    const mixed = forgedBlockAction(
      message(staleTs),
      verdictButton(ActionId.agree, review),
      options,
    );
    mixed.container = { ...mixed.container, message_ts: otherTs };
    await forgedClick(running, mixed);

    expect(message(otherTs)).toEqual(otherBefore);
    expect(
      setup
        .fake()
        .callsTo('chat.update')
        .filter((call) => call.args.ts === otherTs),
    ).toEqual([]);
  });

  it('Export of a verdict in its asker’s DM, by someone else from no message: refused and said so; the record goes to nobody’s DM', async () => {
    const running = instance();
    const pending = await pendingReview(running.reviews);
    setup
      .fake()
      .failNext(
        'chat.postMessage',
        { error: 'not_in_channel' },
        1,
        (args) => args.channel === CHANNEL,
      );
    const review = await deliver(running, pending);
    expect(review.status).toBe('sent-as-dm');
    const dmCopy = message(String(review.messageTs), String(review.postedChannelId));
    const exportFrom = async (user: string) => {
      const responseUrl = setup.fake().newResponseUrl({ channel: CHANNEL, userId: user });
      const payload = forgedBlockAction(dmCopy, verdictButton(ActionId.exportRecord, review), {
        user,
        workspace: { teamId: review.teamId },
        responseUrl,
      });
      // No conversation, no message: nothing says where the click came from.
      delete payload.channel;
      delete payload.message;
      const files = setup.fake().files().length;
      const before = mark();
      await forgedClick(running, payload);
      return { files: setup.fake().files().slice(files), ...since(before) };
    };

    const byOther = await exportFrom(USER);
    expect(byOther.files).toEqual([]);
    expect(byOther.calls.filter((call) => call.method === 'conversations.open')).toEqual([]);
    expect(byOther.ephemerals.map((ephemeral) => ephemeral.text)).toEqual([EXPORT_REFUSED]);

    // The asker's own: in the DM's thread, as a click there does.
    const byAsker = await exportFrom(ASKER);
    expect(byAsker.files.map((file) => [file.channelId, file.threadTs])).toEqual([
      [review.postedChannelId, review.threadTs],
    ]);
    expect(byAsker.ephemerals).toEqual([]);
  });
});
