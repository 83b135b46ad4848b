import { describe, expect, it, vi } from 'vitest';
import {
  ActionId,
  BlockId,
  BOT_SCOPES,
  CallbackId,
  ReviewMenuChoice,
} from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { createStorage } from '../../src/storage/index.js';
import type { StoredView } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import { DEFAULT_TEAM_ID } from '../support/slackIds.js';
import type { ViewValues } from '../support/slackRequests.js';
import {
  ASKER,
  blocksOf,
  E2e,
  EXAMPLES,
  headerOf,
  isVerdictActions,
  valuesForStep,
} from './harness.js';

const e2e = E2e.forFile();

function blockIdsOf(view: StoredView | undefined): string[] {
  const blocks = view && Array.isArray(view.view.blocks) ? view.view.blocks : [];
  return blocks.filter(isRecord).map((block) => String(block.block_id));
}

/** The id of the first listed review of `prefix` (mine/team/undelivered) whose line mentions `title`. */
function reviewIdIn(home: StoredView, prefix: string, title: string): string {
  const blocks = Array.isArray(home.view.blocks) ? home.view.blocks.filter(isRecord) : [];
  const block = blocks.find(
    (candidate) =>
      String(candidate.block_id).startsWith(`${prefix}_`) &&
      JSON.stringify(candidate).includes(title),
  );
  if (!block) throw new Error(`no ${prefix} review titled ${title} in Home`);
  return String(block.block_id).slice(prefix.length + 1);
}

async function postReview(
  channel: string,
  title: string,
  user = ASKER,
  channelOptions: { private?: boolean } = {},
  listedAcrossWorkspace = !channelOptions.private,
) {
  e2e.fake.addChannel(channel, { member: true, ...channelOptions });
  const { modal } = await e2e.slashCommand(title, { channel, user });
  if (!modal) throw new Error('no modal');
  const before = e2e.fake.calls.length;
  await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title }, { user });
  await e2e.fake.waitFor('chat.getPermalink', (call) => call.index >= before);
  // The review is marked posted right after the permalink arrives; only then is it among the
  // person's reviews (until then it is under "Not posted yet").
  await expect
    .poll(async () => listLines(await e2e.openHome(user), 'mine').join('\n'))
    .toContain(title);
  // The workspace's list shows it only once ftrag has asked Slack whether the channel is public,
  // after the delivery.
  if (listedAcrossWorkspace) {
    await expect
      .poll(async () => listLines(await e2e.openHome(user), 'team').join('\n'))
      .toContain(title);
  }
}

/** A message's link as Slack's "Copy link" gives it. */
function linkTo(channel: string, ts: string): string {
  return `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}`;
}

/** The lines of Home's list `prefix` (mine/team/undelivered), as JSON. */
function listLines(home: StoredView, prefix: string): string[] {
  const blocks = Array.isArray(home.view.blocks) ? home.view.blocks.filter(isRecord) : [];
  return blocks
    .filter((block) => String(block.block_id).startsWith(`${prefix}_`))
    .map((block) => JSON.stringify(block));
}

/** The block `blockId` of the Home view `user` has now, as JSON; '' when there is none. */
function homeBlock(user: string, blockId: string): string {
  const blocks = e2e.fake.homeView(user)?.view.blocks;
  const block = Array.isArray(blocks)
    ? blocks.filter(isRecord).find((candidate) => candidate.block_id === blockId)
    : undefined;
  return block ? JSON.stringify(block) : '';
}

/** Waits until the review titled `title` is on record as delivered (its Home line isn't pending). */
async function waitUntilDelivered(title: string, user = ASKER): Promise<void> {
  await expect
    .poll(async () => {
      const home = await e2e.openHome(user);
      const blocks = Array.isArray(home.view.blocks) ? home.view.blocks.filter(isRecord) : [];
      const line = blocks.find(
        (block) =>
          String(block.block_id).startsWith('mine_') && JSON.stringify(block).includes(title),
      );
      return line !== undefined && !JSON.stringify(line).includes('_pending_');
    })
    .toBe(true);
}

/** The verdict (with its buttons) a response_url posted in `channel`. */
function verdictIn(channel: string, title: string) {
  const found = e2e.fake
    .messages(channel)
    .find(
      (message) =>
        blocksOf(message).some(isVerdictActions) && JSON.stringify(message.blocks).includes(title),
    );
  if (!found) throw new Error(`no verdict titled ${title} in ${channel}`);
  return found;
}

/** The review id a verdict message's buttons carry. */
/** The review id a copy's buttons carry. */
function reviewIdOfCopy(message: { blocks?: unknown }): string {
  const actions = blocksOf(message).find(isVerdictActions);
  const challenge = Array.isArray(actions?.elements)
    ? actions.elements.filter(isRecord).find((element) => element.action_id === ActionId.challenge)
    : undefined;
  return String(challenge?.value);
}

/** The posted verdict says RAG, and still does once a vote has rebuilt it from the stored answers. */
async function expectAVoteKeepsRag(channel: string, title: string): Promise<void> {
  const posted = verdictIn(channel, title);
  expect(headerOf(posted)).toBe('Verdict: RAG');
  await e2e.click(posted, ActionId.agree);
  await expect
    .poll(() => JSON.stringify(verdictIn(channel, title).blocks))
    .toContain(`Agreed: <@${ASKER}>`);
  expect(headerOf(verdictIn(channel, title))).toBe('Verdict: RAG');
  expect(e2e.fake.violations).toEqual([]);
}

/**
 * A review by ASKER, in `channel`, whose posting failed everywhere (the test scripts the faults):
 * its id, once Home offers Post again for it.
 */
async function failedReview(channel: string, title: string, responseUrl: string): Promise<string> {
  const { modal } = await e2e.slashCommand(title, { channel, responseUrl });
  if (!modal) throw new Error('no modal');
  await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title });
  let id = '';
  await expect
    .poll(async () => {
      const home = await e2e.openHome();
      id = reviewIdIn(home, 'undelivered', title);
      return homeBlock(ASKER, `undelivered_${id}`);
    })
    .toContain(`"action_id":"${ActionId.retryDelivery}"`);
  return id;
}

/** Waits until ASKER's review `id` is on record as delivered (neither pending nor failed). */
async function waitUntilPosted(id: string): Promise<void> {
  await expect
    .poll(async () => {
      await e2e.openHome();
      return homeBlock(ASKER, `mine_${id}`);
    })
    .toMatch(/^(?!.*_(pending|failed)_).*— RAG/);
}

/** Submits each step of the checklist `modalId` with `answers` until it has no submit button. */
async function submitEdit(modalId: string, answers: Answers) {
  // The last step's answer replaces the modal: a refusal has no submit button.
  let last: Awaited<ReturnType<typeof e2e.submit>> | undefined;
  for (let step = 0; step < 8; step++) {
    const view = e2e.fake.view(modalId);
    if (!view?.view.submit) break;
    last = await e2e.submit(modalId, valuesForStep(view, answers, {}));
  }
  return last;
}

describe('App Home', () => {
  it('lists the person’s and the workspace’s reviews, with counts, and keeps them across a restart', async () => {
    await postReview('C0HOME0001', 'Home listed review');
    await e2e.restart(0);
    const home = await e2e.openHome();
    const text = JSON.stringify(home.view);
    expect(text).toContain('Home listed review');
    expect(text).toContain('Start a review');
    expect(text).toMatch(/RAG: \*[1-9]/);
    expect(blockIdsOf(home).some((id) => id.startsWith('mine_'))).toBe(true);
    expect(blockIdsOf(home).some((id) => id.startsWith('team_'))).toBe(true);
    expect(e2e.fake.violations).toEqual([]);
  });

  it('pages through the person’s reviews, newest first', async () => {
    const user = 'U0PAGER001';
    for (let index = 1; index <= 6; index++) {
      await postReview('C0PAGING01', `Paged review ${index}`, user);
    }
    const home = await e2e.openHome(user);
    const first = JSON.stringify(home.view);
    expect(first).toContain('1–5 of 6');
    expect(first).not.toContain('Paged review 1*');
    const before = e2e.fake.calls.length;
    await e2e.click(home, `${ActionId.homePage}_mine_older`, { user });
    await e2e.fake.waitFor('views.publish', (c) => c.index >= before && c.args.user_id === user);
    const second = JSON.stringify(e2e.fake.homeView(user)?.view);
    expect(second).toContain('6–6 of 6');
    expect(second).toContain('Paged review 1*');
    expect(second).toContain('← Newer');

    // Edit answers from the second page: Home is published again on that page.
    const secondPage = e2e.fake.homeView(user);
    if (!secondPage) throw new Error('no Home view');
    const id = reviewIdIn(secondPage, 'mine', 'Paged review 1');
    const opening = e2e.fake.calls.length;
    await e2e.chooseOverflow(
      secondPage,
      `mine_${id}`,
      ActionId.reviewMenu,
      `${ReviewMenuChoice.edit}:${id}`,
      { user },
    );
    const modal = await e2e.modalOpenedSince(opening);
    const editing = e2e.fake.calls.length;
    await e2e.walkChecklist(modal.id, { ...EXAMPLES.behavior, title: 'Paged review 1' }, { user });
    await e2e.fake.waitFor('views.publish', (c) => c.index >= editing && c.args.user_id === user);
    expect(JSON.stringify(e2e.fake.homeView(user)?.view)).toContain('6–6 of 6');
    expect(homeBlock(user, `mine_${id}`)).toContain('— Fine-tune');
  });

  it('never shows one workspace’s reviews to another', async () => {
    await postReview('C0TENANTA1', 'Team A secret plan');
    const other = await e2e.openHome('U0OTHERTEAM', { workspace: { teamId: 'T0OTHERTEAM' } });
    expect(JSON.stringify(other.view)).not.toContain('Team A secret plan');
    expect(blockIdsOf(other).some((id) => id.startsWith('team_'))).toBe(false);
  });

  it('lists a review from a public channel across the workspace, one from a private channel only to its asker', async () => {
    const secret = 'C0SECRET01';
    await postReview(secret, 'Private channel plan', ASKER, { private: true });
    await postReview('C0OPENPLAN', 'Public channel plan');
    const outsider = 'U0OUTSIDE1';

    await expect
      .poll(async () => listLines(await e2e.openHome(outsider), 'team').join('\n'))
      .toContain('Public channel plan');
    const seen = await e2e.openHome(outsider);
    expect(JSON.stringify(seen.view)).not.toContain('Private channel plan');
    const asker = await e2e.openHome();
    expect(listLines(asker, 'mine').join('\n')).toContain('Private channel plan');
    expect(listLines(asker, 'team').join('\n')).not.toContain('Private channel plan');
    expect(listLines(asker, 'team').join('\n')).toContain('Public channel plan');
    // ftrag asked Slack about the private channel; its refusal (no groups:read) says it is private.
    const asked = e2e.fake.callsTo('conversations.info').filter((c) => c.args.channel === secret);
    expect(asked.map((call) => call.response)).toEqual([
      expect.objectContaining({ ok: false, error: 'missing_scope', needed: 'groups:read' }),
    ]);
    expect(e2e.fake.violations).toEqual([]);
  });

  it('Open and Share of a private review from a Home view published before it was hidden: a notice, not the review', async () => {
    await postReview('C0SECRET02', 'Stale private plan', ASKER, { private: true });
    // A Home view as it was published before the upgrade, here the asker's, clicked by someone else.
    const stale = await e2e.openHome();
    const id = reviewIdIn(stale, 'mine', 'Stale private plan');
    const outsider = 'U0OUTSIDE2';
    for (const choice of [ReviewMenuChoice.open, ReviewMenuChoice.share]) {
      const before = e2e.fake.calls.length;
      // Unchecked: today's Home lists it under the asker's reviews only; the outsider's Home of
      // an earlier version listed it under the workspace's.
      await e2e.chooseOverflow(stale, `team_${id}`, ActionId.reviewMenu, `${choice}:${id}`, {
        user: outsider,
        unchecked: true,
      });
      const { args } = await e2e.modalOpenedSince(before);
      const shown = JSON.stringify(args);
      expect(shown).not.toContain('Stale private plan');
      expect(shown).toContain('private conversation');
    }
    // Its asker still opens it.
    const opened = await e2e.reviewMenuModal(stale, id, ReviewMenuChoice.open);
    expect(JSON.stringify(opened.args)).toContain('Stale private plan');
  });

  it('delivers a verdict once when Slack won’t say whether its channel is public, and leaves it off the workspace’s list', async () => {
    const channel = 'C0OLDSCOPE';
    const title = 'Reviewed before channels:read';
    const before = e2e.fake.calls.length;
    // An install from before ftrag asked for channels:read.
    e2e.fake.setScopes(
      e2e.fake.botToken,
      BOT_SCOPES.filter((scope) => scope !== 'channels:read'),
    );
    try {
      await postReview(channel, title, ASKER, {}, false);
      await waitUntilDelivered(title);
      const asked = await e2e.fake.waitFor(
        'conversations.info',
        (c) => c.index >= before && c.args.channel === channel,
      );
      expect(asked.response).toMatchObject({ error: 'missing_scope', needed: 'channels:read' });
    } finally {
      e2e.fake.setScopes(e2e.fake.botToken, BOT_SCOPES);
    }
    // Once granted, a later review is listed; the one before stays off the list.
    await postReview('C0NEWSCOPE', 'Reviewed with channels:read');
    const outsider = 'U0OUTSIDE2';
    await expect
      .poll(async () => listLines(await e2e.openHome(outsider), 'team').join('\n'))
      .toContain('Reviewed with channels:read');
    expect(JSON.stringify(e2e.fake.homeView(outsider)?.view)).not.toContain(title);

    // The verdict and its detail, in the channel only, once.
    const posts = e2e.fake
      .callsTo('chat.postMessage')
      .filter((call) => call.index >= before && JSON.stringify(call.args).includes(title));
    expect(posts.map((call) => call.args.channel)).toEqual([channel, channel]);
    expect(e2e.fake.messages(channel)).toHaveLength(1);
    expect(
      e2e.fake.callsTo('conversations.info').filter((call) => call.args.channel === channel),
    ).toHaveLength(1);
    const mine = listLines(await e2e.openHome(), 'mine').find((line) => line.includes(title));
    expect(mine).toBeDefined();
    expect(mine).not.toMatch(/_(pending|failed)_/);
  });

  it('"Start a review" posts the verdict to the channel picked in the last step, or to a DM', async () => {
    const channel = 'C0PICKED01';
    e2e.fake.addChannel(channel, { member: true });
    for (const destination of [channel, null]) {
      const home = await e2e.openHome();
      const before = e2e.fake.calls.length;
      await e2e.click(home, ActionId.startReview);
      const modalId = (await e2e.modalOpenedSince(before)).id;
      const title = destination ? 'From Home to a channel' : 'From Home to a DM';
      await e2e.walkChecklist(
        modalId,
        { ...EXAMPLES.behavior, title },
        {
          extra: destination
            ? { [BlockId.destination]: { [ActionId.destination]: destination } }
            : {},
        },
      );
      const where = destination ?? e2e.fake.dmChannelFor(ASKER);
      await e2e.fake.waitFor(
        'chat.postMessage',
        (c) => c.index >= before && c.args.channel === where && c.args.thread_ts !== undefined,
      );
      const parent = e2e.fake
        .messages(where)
        .find((message) => JSON.stringify(message.blocks).includes(title));
      expect(parent?.text).toMatch(/^Verdict: Fine-tune/);
      // Closing the modal doesn't reopen Home: the app publishes it once the verdict is posted.
      await e2e.fake.waitFor(
        'views.publish',
        (c) =>
          c.index >= before && c.args.user_id === ASKER && JSON.stringify(c.args).includes(title),
      );
      const published = e2e.fake.homeView(ASKER);
      if (!published) throw new Error('no Home view');
      const id = reviewIdIn(published, 'mine', title);
      expect(homeBlock(ASKER, `mine_${id}`)).not.toContain('_pending_');
      expect(homeBlock(ASKER, `undelivered_${id}`)).toBe('');
      // Where it went: a thread of the channel, or the asker's DM (by that name, not "thread").
      expect(homeBlock(ASKER, `mine_${id}`)).toContain(
        destination ? '|thread>' : '|sent to you by DM>',
      );
    }
  });

  it('offers Post again for a review started from Home whose posting failed, without reopening Home', async () => {
    const user = 'U0HOMEFAIL';
    const channel = 'C0HOMEFAIL';
    const title = 'Started from Home, not posted';
    e2e.fake.addChannel(channel, { member: true });
    const home = await e2e.openHome(user);
    const before = e2e.fake.calls.length;
    await e2e.click(home, ActionId.startReview, { user });
    const modalId = (await e2e.modalOpenedSince(before)).id;
    // The channel, then the DM (there is no response_url from Home).
    e2e.fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    await e2e.walkChecklist(
      modalId,
      { ...EXAMPLES.knowledge, title },
      { user, extra: { [BlockId.destination]: { [ActionId.destination]: channel } } },
    );
    // Closing the modal doesn't reopen Home: the app publishes it once the posting has failed.
    await e2e.fake.waitFor(
      'views.publish',
      (c) => c.index >= before && c.args.user_id === user && JSON.stringify(c.args).includes(title),
    );
    const published = e2e.fake.homeView(user);
    if (!published) throw new Error('no Home view');
    const id = reviewIdIn(published, 'undelivered', title);
    expect(homeBlock(user, `undelivered_${id}`)).toContain(
      `"action_id":"${ActionId.retryDelivery}"`,
    );
  });

  it('Open shows the full verdict; Share posts a card that links back, to a channel or into a thread of it', async () => {
    await postReview('C0SHARESRC', 'Shared review');
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', 'Shared review');

    const opened = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.open);
    expect(JSON.stringify(opened.args)).toContain('*Rationale*');
    expect(JSON.stringify(opened.args)).toContain('No sign-offs yet');
    // Signed off since: Open shows who, as the verdict message does.
    const storage = await createStorage(e2e.databaseUrl);
    try {
      await storage.votes.setVote(DEFAULT_TEAM_ID, id, 'U0AGREES01', 'agree', null);
    } finally {
      await storage.close();
    }
    const reopened = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.open);
    expect(JSON.stringify(reopened.args)).toContain('Agreed: <@U0AGREES01>');

    const target = 'C0SHAREDST';
    e2e.fake.addChannel(target, { member: true });
    const seeded = e2e.fake.addMessage(target, { text: 'a design thread', user: 'U0SOMEONE1' });
    const shares: ViewValues[] = [
      { [BlockId.shareChannel]: { [ActionId.shareChannel]: target } },
      {
        [BlockId.shareChannel]: { [ActionId.shareChannel]: target },
        [BlockId.shareThreadLink]: { [ActionId.shareThreadLink]: linkTo(target, seeded.ts) },
      },
    ];
    for (const values of shares) {
      const before = e2e.fake.calls.length;
      const share = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.share);
      const modalId = share.id;
      const ack = await e2e.submit(modalId, values);
      // The modal says where the card is going; it is posted right after.
      expect(ack.json).toMatchObject({ response_action: 'update' });
      expect(JSON.stringify(ack.json)).toContain(`Sharing *Shared review* in `);
      expect(JSON.stringify(ack.json)).toContain(`<#${target}> now.`);
      const card = await e2e.fake.waitFor(
        'chat.postMessage',
        (c) => c.index >= before && c.args.channel === target,
      );
      expect(JSON.stringify(card.args)).toContain('Open the original thread');
      expect(JSON.stringify(card.args)).toContain('Shared review');
      if (BlockId.shareThreadLink in values) expect(card.args.thread_ts).toBe(seeded.ts);
      else expect(card.args.thread_ts).toBeUndefined();
    }
  });

  it('Share of a review not in Slack is refused at once; once posted through a response_url, its card names the channel', async () => {
    const channel = 'C0SHARENOB';
    const title = 'Shared before posted';
    e2e.fake.setBotNotInChannel(channel);
    const responseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
    // The channel, the response_url, then the DM fail: the review waits for Post again.
    e2e.fake.failResponseUrl(responseUrl, 404, { times: 1 });
    e2e.fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    const id = await failedReview(channel, title, responseUrl);
    // Home lists it under "Not posted yet", with Post again and no menu…
    const notPosted = await e2e.openHome();
    expect(homeBlock(ASKER, `undelivered_${id}`)).toContain(ActionId.retryDelivery);
    expect(homeBlock(ASKER, `undelivered_${id}`)).not.toContain(ActionId.reviewMenu);
    // …so Share is chosen from a Home an earlier version published (unchecked).
    const refused = await e2e.reviewMenuModal(notPosted, id, ReviewMenuChoice.share, {
      unchecked: true,
    });
    const refusal = JSON.stringify(refused.args);
    expect(refusal).not.toContain('"submit"');
    expect(refusal).toContain('never reached Slack');
    expect(refusal).toContain('*Post again*');

    // Post again: out through the response_url, which gives no message to link.
    await e2e.click(await e2e.openHome(), ActionId.retryDelivery, { blockId: `undelivered_${id}` });
    await waitUntilPosted(id);
    const target = 'C0SHARENO2';
    e2e.fake.addChannel(target, { member: true });
    const share = await e2e.reviewMenuModal(await e2e.openHome(), id, ReviewMenuChoice.share);
    const before = e2e.fake.calls.length;
    await e2e.submit(share.id, { [BlockId.shareChannel]: { [ActionId.shareChannel]: target } });
    const card = await e2e.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.channel === target,
    );
    expect(JSON.stringify(card.args)).toContain(
      `The verdict was posted in <#${channel}>, but ftrag has no link to that message.`,
    );
    expect(e2e.fake.violations).toEqual([]);
  });

  it('Share that can’t post says why by DM, advising an invite only when the bot is not a member', async () => {
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', 'Shared review');
    const outside = 'C0SHAREOUT';
    const archived = 'C0SHAREARC';
    e2e.fake.addChannel(outside, { member: false });
    e2e.fake.addChannel(archived, { member: true });
    const shareTo = async (channel: string): Promise<string> => {
      const share = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.share);
      const before = e2e.fake.calls.length;
      if (channel === archived) e2e.fake.failNext('chat.postMessage', { error: 'is_archived' });
      await e2e.submit(share.id, { [BlockId.shareChannel]: { [ActionId.shareChannel]: channel } });
      const dm = await e2e.fake.waitFor(
        'chat.postMessage',
        (c) => c.index >= before && c.args.channel === ASKER,
      );
      return String(dm.args.text);
    };
    // The DM names the review, and links to its verdict as Home does.
    const permalink = /<(https:[^|>]+)\|thread>/.exec(homeBlock(ASKER, `mine_${id}`))?.[1];
    expect(permalink).toBeDefined();
    const review = `*Shared review* (<${permalink}|verdict>)`;
    expect(await shareTo(archived)).toBe(
      `:information_source: I couldn't share ${review} in <#${archived}> because that channel is archived.`,
    );
    expect(await shareTo(outside)).toBe(
      `:information_source: I couldn't share ${review} in <#${outside}> because I'm not a member there. Invite me there with \`/invite @ftrag\`, then share again.`,
    );
  });

  it('Share refuses a thread link into another channel than the one picked, and posts nothing', async () => {
    // A private channel the bot is in: its link must not take the card where the sharer may not be.
    const picked = 'C0SHAREPIK';
    const elsewhere = 'G0SHAREPRV';
    e2e.fake.addChannel(picked, { member: true });
    e2e.fake.addChannel(elsewhere, { member: true });
    const thread = e2e.fake.addMessage(elsewhere, { text: 'a private thread', user: 'U0SOMEONE1' });
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', 'Shared review');
    const share = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.share);
    const before = e2e.fake.calls.length;
    const ack = await e2e.submit(share.id, {
      [BlockId.shareChannel]: { [ActionId.shareChannel]: picked },
      [BlockId.shareThreadLink]: { [ActionId.shareThreadLink]: linkTo(elsewhere, thread.ts) },
    });
    expect(ack.json).toMatchObject({
      response_action: 'errors',
      errors: { [BlockId.shareThreadLink]: expect.stringMatching(/another channel/) },
    });
    expect(e2e.fake.view(share.id)?.open).toBe(true);
    // Give a wrongly posted card time to show up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });

  it('Share with no channel picked answers with an error on the picker, a thread link or not', async () => {
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', 'Shared review');
    const share = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.share);
    const blocks = blocksOf(e2e.fake.view(share.id)?.view ?? {});
    const picker = blocks.find((block) => block.block_id === BlockId.shareChannel);
    const link = blocks.find((block) => block.block_id === BlockId.shareThreadLink);
    expect(picker?.optional).not.toBe(true);
    expect(link?.optional).toBe(true);
    const target = 'C0SHAREDST';
    const seeded = e2e.fake.addMessage(target, { text: 'another thread', user: 'U0SOMEONE1' });
    const before = e2e.fake.calls.length;
    const submissions: ViewValues[] = [
      {},
      { [BlockId.shareThreadLink]: { [ActionId.shareThreadLink]: linkTo(target, seeded.ts) } },
    ];
    for (const values of submissions) {
      // Slack's client would not submit without the required channel; the app checks anyway.
      const ack = await e2e.submit(share.id, values, { skipClientValidation: true });
      expect(ack.json).toMatchObject({
        response_action: 'errors',
        errors: { [BlockId.shareChannel]: expect.any(String) },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });

  it('Share with a link that is not a message link answers with an error on the link', async () => {
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', 'Shared review');
    const share = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.share);
    const bad = await e2e.submit(share.id, {
      [BlockId.shareChannel]: { [ActionId.shareChannel]: 'C0SHAREDST' },
      [BlockId.shareThreadLink]: { [ActionId.shareThreadLink]: 'not a link' },
    });
    expect(bad.json).toMatchObject({
      response_action: 'errors',
      errors: { [BlockId.shareThreadLink]: expect.any(String) },
    });
  });

  it('Edit answers updates the original message and notes a changed verdict in its thread', async () => {
    const channel = 'C0EDITED01';
    await postReview(channel, 'Edited review');
    const [parent] = e2e.fake.messages(channel);
    if (!parent) throw new Error('no parent');
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', 'Edited review');
    const before = e2e.fake.calls.length;
    const opened = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.edit);
    const modalId = opened.id;
    expect(JSON.stringify(opened.args)).toContain('"initial_value":"Edited review"');
    const ack = await e2e.walkChecklist(modalId, { ...EXAMPLES.both, title: 'Edited review' }, {});
    expect(ack.bodyText).toBe('');
    const update = await e2e.fake.waitFor('chat.update', (c) => c.index >= before);
    expect(update.args.ts).toBe(parent.ts);
    await e2e.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.thread_ts === parent.ts,
    );
    expect(e2e.fake.messages(channel)[0]?.text).toMatch(/^Verdict: RAG \+ fine-tune/);
    const note = e2e.fake.thread(channel, parent.ts).at(-1);
    expect(note?.text).toBe(
      `:pencil2: Edited by <@${ASKER}>: verdict changed from *RAG* to *RAG + fine-tune*.`,
    );
    // Closing the modal doesn't reopen Home: the app publishes it with the edited verdict.
    await e2e.fake.waitFor('views.publish', (c) => c.index >= before && c.args.user_id === ASKER);
    expect(homeBlock(ASKER, `mine_${id}`)).toContain('— RAG + fine-tune');
  });

  it('Edit answers that Slack refuses to note in the thread is still saved: the editor is told, and Home shows it', async () => {
    const channel = 'C0EDITGONE';
    const title = 'Edit noted nowhere';
    await postReview(channel, title);
    const [parent] = e2e.fake.messages(channel);
    if (!parent) throw new Error('no parent');
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', title);
    const opened = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.edit);
    // The bot is removed from the channel while the edit is open.
    e2e.fake.setBotNotInChannel(channel);
    const before = e2e.fake.calls.length;
    await e2e.walkChecklist(opened.id, { ...EXAMPLES.both, title }, {});

    await e2e.fake.waitFor('views.publish', (c) => c.index >= before && c.args.user_id === ASKER);
    expect(homeBlock(ASKER, `mine_${id}`)).toContain('— RAG + fine-tune');
    const told = e2e.fake.messages(ASKER).map((message) => message.text);
    expect(told).toContain(
      `:warning: Your new answers to *${title}* are saved, but I couldn't note the change in the thread in <#${channel}> because I'm not a member there.`,
    );
    expect(told.join('\n')).not.toContain('Nothing you entered was posted');
    expect(e2e.fake.thread(channel, parent.ts).map((message) => message.text)).not.toContain(
      expect.stringContaining('Edited by'),
    );
  });

  /**
   * A review run in `channel` (set up so that its verdict goes out through the command's
   * response_url), then Edit answers from Home: what the window that opens says.
   */
  const editOfResponseUrlVerdict = async (channel: string, title: string): Promise<string> => {
    const { modal, responseUrl } = await e2e.slashCommand(title, { channel });
    if (!modal) throw new Error('no modal');
    await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title });
    await expect.poll(() => e2e.fake.responseUrlPostsTo(responseUrl).length).toBe(2);
    await waitUntilDelivered(title);
    const home = await e2e.openHome();
    const id = reviewIdIn(home, 'mine', title);
    // Home leaves Edit answers out of its menu (Open and Share stay)…
    expect(homeBlock(ASKER, `mine_${id}`)).toContain(`"value":"${ReviewMenuChoice.share}:${id}"`);
    expect(homeBlock(ASKER, `mine_${id}`)).not.toContain(`"value":"${ReviewMenuChoice.edit}:`);
    // …and chosen all the same, from a Home an earlier version published, it is refused.
    const opened = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.edit, { unchecked: true });
    return JSON.stringify(opened.args);
  };

  it('Edit answers on a verdict that went out through a response_url says why not, and changes nothing', async () => {
    const channel = 'C0EDITRU01';
    const title = 'Edit of a response_url verdict';
    e2e.fake.setBotNotInChannel(channel);
    const text = await editOfResponseUrlVerdict(channel, title);
    expect(text).toContain(`went out in <#${channel}> without me`);
    expect(text).toContain('Re-run with changes');
    expect(text).not.toContain(CallbackId.checklistStep);
  });

  it.each([
    {
      name: 'an archived channel',
      channel: 'C0EDITARCH',
      setUp: (channel: string) => {
        e2e.fake.addChannel(channel, { member: true });
        e2e.fake.failNext(
          'chat.postMessage',
          { error: 'is_archived' },
          1,
          (args) => args.channel === channel,
        );
      },
      where: '<#C0EDITARCH> without me because that channel is archived,',
    },
    {
      name: 'a DM between other people',
      channel: 'D0EDITOTHR',
      setUp: (channel: string) => e2e.fake.addChannel(channel, { member: false }),
      where: "that direct message without me because I'm not part of it,",
    },
  ])(
    'Edit answers on a response_url verdict in $name says why from the recorded error, inviting nobody',
    async ({ channel, setUp, where }) => {
      const title = `Edit of a response_url verdict in ${channel}`;
      setUp(channel);
      const text = await editOfResponseUrlVerdict(channel, title);
      expect(text).toContain(`went out in ${where} so I can't update that message`);
      expect(text).toContain('Re-run with changes');
      expect(text).not.toContain('/invite');
      expect(text).not.toContain('<#D');
    },
  );

  it('an edit begun before the verdict went out through a response_url is refused at its end: a vote then keeps the verdict', async () => {
    const channel = 'C0EDITRU02';
    const title = 'Edit overtaken by a response_url';
    e2e.fake.setBotNotInChannel(channel);
    const responseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
    // The channel, the response_url, then the DM fail: the review waits for Post again.
    e2e.fake.failResponseUrl(responseUrl, 404, { times: 1 });
    e2e.fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    const id = await failedReview(channel, title, responseUrl);
    // Not posted, and no posting holds it: Edit answers, chosen from a Home an earlier version
    // published (which listed it among the person's reviews, with its menu), opens the checklist.
    const home = await e2e.openHome();
    expect(listLines(home, 'mine').join('\n')).not.toContain(title);
    const editing = await e2e.reviewMenuModal(home, id, ReviewMenuChoice.edit, { unchecked: true });
    expect(JSON.stringify(editing.args)).toContain(CallbackId.checklistStep);
    // Post again, before the edit is submitted: out through the response_url this time.
    await e2e.click(await e2e.openHome(), ActionId.retryDelivery, { blockId: `undelivered_${id}` });
    await waitUntilPosted(id);
    expect(e2e.fake.messages(channel)[0]?.text).toMatch(/^Verdict: RAG/);

    const last = await submitEdit(editing.id, { ...EXAMPLES.behavior, title });
    expect(last?.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(last?.json)).toContain(`went out in <#${channel}> without me`);

    // The answers are unchanged, so a vote rebuilds the verdict people saw.
    await expectAVoteKeepsRag(channel, title);
  });

  it('an edit submitted while its verdict is being posted is refused: the verdict posted and the stored answers agree', async () => {
    const channel = 'C0EDITHELD';
    const title = 'Edit while being posted';
    e2e.fake.addChannel(channel, { member: true });
    const responseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
    e2e.fake.failResponseUrl(responseUrl, 404);
    e2e.fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    const id = await failedReview(channel, title, responseUrl);
    // Chosen from a Home an earlier version published, which listed it with its menu (today's
    // lists it under "Not posted yet", with no menu): unchecked.
    const editing = await e2e.reviewMenuModal(await e2e.openHome(), id, ReviewMenuChoice.edit, {
      unchecked: true,
    });
    expect(JSON.stringify(editing.args)).toContain(CallbackId.checklistStep);

    // Post again claims the review and posts the verdict built from the answers it read then.
    const held = e2e.fake.holdNext('chat.postMessage');
    await e2e.click(await e2e.openHome(), ActionId.retryDelivery, { blockId: `undelivered_${id}` });
    await held.arrived;
    // Meanwhile Edit answers is refused, when chosen (from that earlier Home again: today's shows
    // it as being posted, with no menu) and when the open edit is submitted.
    const refused = await e2e.reviewMenuModal(await e2e.openHome(), id, ReviewMenuChoice.edit, {
      unchecked: true,
    });
    expect(JSON.stringify(refused.args)).toContain('is being posted right now');
    expect(JSON.stringify(refused.args)).not.toContain(CallbackId.checklistStep);
    const last = await submitEdit(editing.id, { ...EXAMPLES.behavior, title });
    expect(last?.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(last?.json)).toContain('is being posted right now');
    expect(JSON.stringify(last?.json)).toContain('Try again in a moment');
    held.release();
    await waitUntilPosted(id);

    // The verdict posted is the one the stored answers give: Home says so, and a vote keeps it.
    await e2e.openHome();
    expect(homeBlock(ASKER, `mine_${id}`)).toContain('— RAG');
    expect(homeBlock(ASKER, `mine_${id}`)).not.toContain('fine-tune');
    await expectAVoteKeepsRag(channel, title);
  });

  it('a review saved but never posted (the app killed in between) is posted again from Home', async () => {
    const channel = 'C0CRASHED1';
    e2e.fake.addChannel(channel, { member: true });
    const { modal } = await e2e.slashCommand('Crashed before posting', { channel });
    if (!modal) throw new Error('no modal');
    const held = e2e.fake.holdNext('chat.postMessage');
    await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title: 'Crashed before posting' });
    await held.arrived;
    await e2e.restart(0, 'kill');
    held.release();
    expect(e2e.fake.messages(channel)).toEqual([]);

    // The dead instance's claim on the posting shows as "being posted" until it lapses (10 s).
    const crashed = await e2e.openHome();
    expect(JSON.stringify(crashed.view)).toContain('Not posted yet');
    const id = reviewIdIn(crashed, 'undelivered', 'Crashed before posting');
    const postAgainShown = (view: typeof crashed) =>
      JSON.stringify(view.view).includes(`"action_id":"${ActionId.retryDelivery}"`);
    expect(JSON.stringify(crashed.view)).toContain('Being posted now');
    expect(postAgainShown(crashed)).toBe(false);
    let home = crashed;
    await vi.waitFor(
      async () => {
        home = await e2e.openHome();
        expect(postAgainShown(home)).toBe(true);
      },
      { timeout: 15_000, interval: 1_000 },
    );

    const before = e2e.fake.calls.length;
    await e2e.click(home, ActionId.retryDelivery, { blockId: `undelivered_${id}` });
    await e2e.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.channel === channel && c.args.thread_ts !== undefined,
    );
    expect(e2e.fake.messages(channel)[0]?.text).toMatch(/^Verdict: RAG/);
    // Home is published at once (being posted), then again once it is posted.
    await vi.waitFor(
      () => expect(JSON.stringify(e2e.fake.homeView(ASKER)?.view)).not.toContain('Not posted yet'),
      { timeout: 5_000 },
    );
  }, 30_000);

  it('Post again after the answer to a posting that landed was lost: a click on the first copy counts, and points it to the second', async () => {
    const channel = 'C0LOSTANSR';
    const title = 'Posted though the answer was lost';
    e2e.fake.addChannel(channel, { member: true });
    e2e.fake.loseAnswerNext('chat.postMessage');
    const { modal } = await e2e.slashCommand(title, { channel });
    if (!modal) throw new Error('no modal');
    await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title });
    let id = '';
    await expect
      .poll(async () => {
        id = reviewIdIn(await e2e.openHome(), 'undelivered', title);
        return homeBlock(ASKER, `undelivered_${id}`);
      })
      .toContain('the verdict may be in the channel already');
    // Started with /ftrag: the modal closed, Home was not refreshed, so the asker is told by DM.
    const told = `I couldn't confirm that your verdict on *${title}* was posted in <#${channel}>`;
    await expect
      .poll(() => e2e.fake.messages(ASKER).filter((message) => message.text.includes(told)))
      .toHaveLength(1);
    const [first] = e2e.fake.messages(channel);
    if (!first) throw new Error('the first posting did not land');
    // A sign-off on the first copy before Post again: nothing on record yet, so only that copy
    // shows it, through the click's response_url.
    const early = 'U0EARLYVOT';
    await e2e.click(first, ActionId.agree, { user: early });
    await expect
      .poll(() => JSON.stringify(e2e.message(channel, first.ts).blocks))
      .toContain(`Agreed: <@${early}>`);

    await e2e.click(await e2e.openHome(), ActionId.retryDelivery, { blockId: `undelivered_${id}` });
    await waitUntilPosted(id);
    // Both copies carry the review's buttons; the second is the one on record, and was posted
    // with the sign-off already given.
    const copies = e2e.fake.messages(channel);
    expect(copies).toHaveLength(2);
    const second = copies[1];
    if (!second) throw new Error('no second copy');
    expect(reviewIdOfCopy(second)).toBe(id);
    expect(reviewIdOfCopy(first)).toBe(id);
    const posted = e2e.fake
      .callsTo('chat.postMessage')
      .find((call) => call.response?.ts === second.ts);
    expect(JSON.stringify(posted?.args.blocks)).toContain(`Agreed: <@${early}>`);

    const before = e2e.fake.ephemerals().length;
    await e2e.click(first, ActionId.agree);
    await expect
      .poll(() => JSON.stringify(e2e.message(channel, second.ts).blocks))
      .toContain(`Agreed: <@${early}>, <@${ASKER}>`);
    await expect.poll(() => e2e.message(channel, first.ts).text).toMatch(/is out of date/);
    const pointer = e2e.message(channel, first.ts);
    expect(blocksOf(pointer).some((block) => block.type === 'actions')).toBe(false);
    const link = `/archives/${channel}/p${second.ts.replace('.', '')}|the current verdict>`;
    expect(JSON.stringify(pointer.blocks)).toContain(link);
    await expect.poll(() => e2e.fake.ephemerals().slice(before).length).toBe(1);
    expect(e2e.fake.ephemerals().at(-1)?.text).toContain('Your agreement was recorded on it');
    expect(e2e.fake.ephemerals().at(-1)?.text).toContain(link);
    expect(e2e.fake.violations).toEqual([]);
  });
});

describe('App Home: reviews not posted', () => {
  const user = 'U0UNPOSTED';
  const channel = 'C0UNPOSTED';

  /** A review whose posting fails everywhere: the channel, the response_url, then the DM. */
  async function failedReview(title: string): Promise<void> {
    e2e.fake.addChannel(channel, { member: true });
    const responseUrl = e2e.fake.newResponseUrl({ channel, userId: user });
    e2e.fake.failResponseUrl(responseUrl, 404);
    e2e.fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);
    const { modal } = await e2e.slashCommand(title, { channel, user, responseUrl });
    if (!modal) throw new Error('no modal');
    const before = e2e.fake.calls.length;
    await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title }, { user });
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index >= before && call.args.channel === user,
    );
  }

  const undeliveredBlocks = (home: StoredView) =>
    (Array.isArray(home.view.blocks) ? home.view.blocks.filter(isRecord) : []).filter((block) =>
      String(block.block_id).startsWith('undelivered_'),
    );

  it('lists each once, with Post again, and counts and pages only posted ones under Your reviews', async () => {
    await failedReview('Unposted oldest');
    for (let index = 1; index <= 6; index++) {
      await postReview(channel, `Posted since ${index}`, user);
    }
    for (let index = 1; index <= 5; index++) await failedReview(`Unposted ${index}`);

    await expect
      .poll(async () => undeliveredBlocks(await e2e.openHome(user)).length, { timeout: 5_000 })
      .toBe(6);
    const home = await e2e.openHome(user);
    const text = JSON.stringify(home.view);
    expect(text).toContain('1–5 of 6');
    expect(listLines(home, 'mine').join('\n')).not.toContain('Unposted');
    for (const block of undeliveredBlocks(home)) {
      expect(JSON.stringify(block)).toContain(`"action_id":"${ActionId.retryDelivery}"`);
    }
    expect(JSON.stringify(undeliveredBlocks(home).at(-1))).toContain('Unposted oldest');

    // Post again from the second page of the person's reviews: Home stays on that page.
    const paged = e2e.fake.calls.length;
    await e2e.click(home, `${ActionId.homePage}_mine_older`, { user });
    await e2e.fake.waitFor('views.publish', (c) => c.index >= paged && c.args.user_id === user);
    const secondPage = e2e.fake.homeView(user);
    if (!secondPage) throw new Error('no Home view');
    expect(JSON.stringify(secondPage.view)).toContain('6–6 of 6');
    expect(listLines(secondPage, 'mine').join('\n')).not.toContain('Unposted');

    const id = reviewIdIn(secondPage, 'undelivered', 'Unposted oldest');
    const before = e2e.fake.calls.length;
    await e2e.click(secondPage, ActionId.retryDelivery, { user, blockId: `undelivered_${id}` });
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) =>
        call.index >= before && call.args.channel === channel && call.args.thread_ts !== undefined,
    );
    // Posted, it leaves "Not posted yet" for the person's reviews, where it is the oldest.
    await vi.waitFor(
      () => {
        const view = e2e.fake.homeView(user);
        if (!view) throw new Error('no Home view');
        expect(undeliveredBlocks(view)).toHaveLength(5);
        expect(JSON.stringify(undeliveredBlocks(view))).not.toContain('Unposted oldest');
        expect(JSON.stringify(view.view)).toContain('6–7 of 7');
        expect(listLines(view, 'mine').at(-1)).toContain('Unposted oldest');
      },
      { timeout: 5_000 },
    );
    const publishes = e2e.fake
      .callsTo('views.publish')
      .filter((call) => call.index >= before && call.args.user_id === user);
    expect(publishes.length).toBeGreaterThan(0);
    for (const publish of publishes) {
      expect(JSON.stringify(publish.args)).toMatch(/6–[67] of [67], newest first/);
    }
    expect(e2e.fake.violations).toEqual([]);
  }, 60_000);
});

describe('App Home’s review menu on a review no longer on record', () => {
  it.each([
    [ReviewMenuChoice.open, /so it can.t be opened/],
    [ReviewMenuChoice.share, /so it can.t be shared/],
    [ReviewMenuChoice.edit, /so its answers can.t be edited/],
  ])('%s: says so in a notice, and publishes Home again without it', async (choice, says) => {
    const user = 'U0GONEMENU';
    const home = await e2e.openHome(user);
    const before = e2e.fake.calls.length;
    // Unchecked: stands for the menu of a review deleted (ftrag purge, say) after the Home that
    // listed it was published; this Home never listed it.
    await e2e.chooseOverflow(home, 'mine_R0GONE', ActionId.reviewMenu, `${choice}:R0GONE`, {
      user,
      unchecked: true,
    });
    const notice = await e2e.modalOpenedSince(before);
    const shown = JSON.stringify(notice.args);
    expect(shown).toContain('no longer on record in ftrag');
    expect(shown).toMatch(says);
    expect(shown).not.toContain(CallbackId.checklistStep);
    await e2e.fake.waitFor('views.publish', (c) => c.index >= before && c.args.user_id === user);
    expect(e2e.fake.violations).toEqual([]);
  });
});

describe('routing of Home’s actions', () => {
  it('answers one of ftrag’s ids on an element it never sends that way at once, doing nothing', async () => {
    const home = await e2e.openHome();
    const before = e2e.fake.calls.length;
    const started = performance.now();
    await e2e.click(home, ActionId.startReview);
    await e2e.fake.waitFor('views.open', (call) => call.index >= before);
    const afterRealClick = e2e.fake.calls.length;
    // "Start a review" is a button; the same id on an overflow menu is nobody's. Unchecked: a
    // forged request, as Home has no such menu.
    const misrouted = await e2e.chooseOverflow(home, 'misrouted', ActionId.startReview, 'x', {
      unchecked: true,
    });
    expect(misrouted.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.fake.calls.slice(afterRealClick).map((call) => call.method)).toEqual([]);
  });
});
