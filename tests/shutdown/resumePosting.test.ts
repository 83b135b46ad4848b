/**
 * A verdict posted, but its thread reply still waiting out Slack's Retry-After, when SIGTERM stops
 * the instance: the review stays pending with the verdict message on record, and Post again from
 * App Home on another instance finishes that message instead of posting a second copy.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { ActionId } from '../../src/constants.js';
import { createStorage, type Review } from '../../src/storage/index.js';
import { ASKER, CHANNEL, E2e, EXAMPLES } from '../e2e/harness.js';
import { isRecord } from '../support/json.js';
import { DEFAULT_TEAM_ID } from '../support/slackIds.js';

let e2e: E2e | undefined;

afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

async function reviewTitled(databaseUrl: string, title: string): Promise<Review> {
  const storage = await createStorage(databaseUrl);
  try {
    const { reviews } = await storage.reviews.list(
      { teamId: DEFAULT_TEAM_ID },
      { limit: 50, offset: 0 },
    );
    const review = reviews.find((r) => r.answers.title === title);
    if (!review) throw new Error(`no review titled ${title}`);
    return review;
  } finally {
    await storage.close();
  }
}

/**
 * A verdict posted in CHANNEL by `running`'s instance, whose thread reply Slack rate-limits for
 * longer than the shutdown timeout; SIGTERM then stops the instance mid-posting. Returns the review
 * as left (pending), the verdict message, and the verdicts with `title` in CHANNEL now.
 */
async function cutOffDuringThreadReply(running: E2e, title: string) {
  running.fake.addChannel(CHANNEL, { member: true });
  // Slack rate-limits the thread reply (about one message a second per channel, in a burst), for
  // longer than the shutdown timeout.
  running.fake.failNext(
    'chat.postMessage',
    { status: 429, retryAfter: 30 },
    1,
    (args) => args.thread_ts !== undefined,
  );
  const { modal } = await running.slashCommand(title);
  if (!modal) throw new Error('no modal');
  await running.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title });
  const verdicts = () => running.fake.messages(CHANNEL).filter((m) => m.text.includes(title));
  await expect.poll(() => verdicts().length, { timeout: 10_000 }).toBe(1);
  await running.fake.waitFor('chat.postMessage', (call) => call.args.thread_ts !== undefined);
  // A rolling deploy stops the instance while the reply waits out Retry-After.
  expect(await running.apps[0]?.stop('SIGTERM')).toMatchObject({ code: 0 });
  const cutOff = await reviewTitled(running.databaseUrl, title);
  expect(cutOff.status).toBe('pending');
  const [first] = verdicts();
  if (!first) throw new Error('no verdict');
  return { cutOff, first, verdicts };
}

it('Post again after SIGTERM cut a posting off during its thread reply: one verdict in the channel, its reply under it', async () => {
  // No delivery sweep: it would finish the posting before Post again is pressed (see below).
  e2e = await E2e.start({ env: { SHUTDOWN_TIMEOUT_MS: '2000', DELIVERY_SWEEP_INTERVAL_MS: '0' } });
  const running = e2e;
  const title = 'Cut off by a rolling deploy';
  const { cutOff, first, verdicts } = await cutOffDuringThreadReply(running, title);
  expect(running.fake.thread(CHANNEL, first.ts)).toHaveLength(1);

  // Another instance; once the stopped one's claim has lapsed, Home offers Post again.
  const instance = await running.startInstance();
  const blockId = `undelivered_${cutOff.id}`;
  const postAgainIn = (view: { view: { blocks?: unknown } }) =>
    (Array.isArray(view.view.blocks) ? view.view.blocks : [])
      .filter(isRecord)
      .some((b) => b.block_id === blockId && JSON.stringify(b).includes(ActionId.retryDelivery));
  let home = await running.openHome(ASKER, { instance });
  await vi.waitFor(
    async () => {
      home = await running.openHome(ASKER, { instance });
      expect(postAgainIn(home)).toBe(true);
    },
    { timeout: 15_000, interval: 1_000 },
  );
  await running.click(home, ActionId.retryDelivery, { user: ASKER, blockId, instance });

  // Posted, then its link: the delivery is recorded first, the link once Slack gives it.
  await expect
    .poll(async () => (await reviewTitled(running.databaseUrl, title)).permalink, {
      timeout: 10_000,
    })
    .not.toBeNull();
  // The verdict is in the channel once, on record, with its detail in its thread.
  expect(verdicts().map((m) => m.ts)).toEqual([first.ts]);
  const posted = await reviewTitled(running.databaseUrl, title);
  expect(posted).toMatchObject({
    status: 'posted',
    postedChannelId: CHANNEL,
    messageTs: first.ts,
    threadTs: first.ts,
    permalink: expect.stringContaining(first.ts.replace('.', '')),
    postedVerdict: null,
  });
  const thread = running.fake.thread(CHANNEL, first.ts);
  expect(thread).toHaveLength(2);
  expect(thread[1]?.thread_ts).toBe(first.ts);
}, 60_000);

it('with the delivery sweep, another instance finishes the cut-off posting by itself: one verdict, its reply under it', async () => {
  e2e = await E2e.start({ env: { SHUTDOWN_TIMEOUT_MS: '2000' } });
  const running = e2e;
  const title = 'Finished by the next instance';
  const { cutOff, verdicts } = await cutOffDuringThreadReply(running, title);
  expect(cutOff.postedVerdict).not.toBeNull();

  // Nobody presses Post again: once the stopped instance's claim has lapsed, a sweep finishes it.
  await running.startInstance({ DELIVERY_SWEEP_INTERVAL_MS: '500', DELIVERY_SWEEP_GRACE_MS: '0' });
  await expect
    .poll(async () => (await reviewTitled(running.databaseUrl, title)).status, { timeout: 20_000 })
    .toBe('posted');
  const [first] = verdicts();
  expect(verdicts()).toHaveLength(1);
  expect(await reviewTitled(running.databaseUrl, title)).toMatchObject({
    messageTs: first?.ts,
    postedVerdict: null,
  });
  expect(running.fake.thread(CHANNEL, first?.ts ?? '')).toHaveLength(2);
}, 60_000);
