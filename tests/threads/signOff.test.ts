import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, ReviewMenuChoice } from '../../src/constants.js';
import { ASKER, blocksOf, CHANNEL, headerOf, isVerdictActions } from '../e2e/harness.js';
import { isRecord } from '../support/json.js';
import { fillAndSubmit } from '../support/slackRequests.js';
import {
  ALICE,
  BEHAVIOR,
  BOB,
  expectSafeAndWithinLimits,
  HOSTILE,
  KNOWLEDGE,
  reviewIdOf,
  ThreadsApp,
  tallyOf,
} from './harness.js';

const t = ThreadsApp.forFile();

describe('signing off as a team', () => {
  it('signs off on a verdict that went out through a response_url (the bot not in the channel)', async () => {
    const channel = 'C0NOTIN0SO';
    t.fake.setBotNotInChannel(channel);
    const { modal, responseUrl } = await t.slashCommand(KNOWLEDGE.title, { channel });
    if (!modal) throw new Error('no modal');
    await t.walkChecklist(modal.id, KNOWLEDGE);
    await expect.poll(() => t.fake.responseUrlPostsTo(responseUrl).length).toBe(2);
    const posted = t.fake.messages(channel).find((m) => (m.blocks ?? []).some(isVerdictActions));
    if (!posted) throw new Error('no verdict in the channel');
    const review = await t.delivered(reviewIdOf(posted));
    expect(review).toMatchObject({ status: 'posted-via-response-url', messageTs: null });
    const current = () => t.message(channel, posted.ts);

    // Agree and Challenge answer through the response_url each click carries.
    await t.click(posted, ActionId.agree, { user: ALICE });
    await expect.poll(() => tallyOf(current())).toBe(`Agreed: <@${ALICE}>`);

    const before = t.fake.calls.length;
    await t.click(current(), ActionId.challenge, { user: BOB });
    const challengeModal = await t.openedModal(before);
    await t.submit(
      challengeModal.id,
      { [BlockId.challengeReason]: { [ActionId.challengeReason]: `Stale tickets ${HOSTILE}` } },
      { user: BOB },
    );
    await expect.poll(() => tallyOf(current())).toBe(`Agreed: <@${ALICE}> · Challenged: <@${BOB}>`);
    const replies = t.fake.thread(channel, posted.ts);
    const challenge = replies.find((reply) => reply.text.includes('challenged the verdict'));
    expect(JSON.stringify(challenge?.blocks)).toContain('Stale tickets &lt;!channel&gt;');
    expect(t.fake.calls.filter((c) => c.method === 'chat.update')).toHaveLength(0);

    // A response_url that is not Slack's, written into the modal's metadata, is never called.
    const elsewhere = createServer((_req, res) => res.end('ok'));
    let calledElsewhere = 0;
    elsewhere.on('request', () => {
      calledElsewhere += 1;
    });
    elsewhere.listen(0, '127.0.0.1');
    await once(elsewhere, 'listening');
    try {
      const address = elsewhere.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const opened = t.fake.calls.length;
      await t.click(current(), ActionId.challenge, { user: ALICE });
      const tampered = await t.openedModal(opened);
      const payload = fillAndSubmit(
        tampered,
        { [BlockId.challengeReason]: { [ActionId.challengeReason]: 'Changed my mind' } },
        { user: ALICE },
      );
      const metadata: unknown = JSON.parse(payload.view.private_metadata);
      if (!isRecord(metadata) || !isRecord(metadata.message)) throw new Error('no clicked message');
      metadata.message.responseUrl = `http://127.0.0.1:${port}/response/x`;
      payload.view.private_metadata = JSON.stringify(metadata);
      expect((await t.slack().interactive(payload)).status).toBe(200);
      await expect
        .poll(async () => (await t.storage.votes.listVotes(t.fake.teamId, review.id)).length)
        .toBe(2);
      await expect
        .poll(async () =>
          (await t.storage.votes.listVotes(t.fake.teamId, review.id)).every(
            (vote) => vote.vote === 'challenge',
          ),
        )
        .toBe(true);
      // Nothing follows the vote to wait for when the URL is refused: give a call time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calledElsewhere).toBe(0);
    } finally {
      elsewhere.close();
    }
    expectSafeAndWithinLimits(t.fake);
  });

  it('shows an agreement on a verdict posted through a response_url whose replace got a 503 once', async () => {
    const channel = 'C0NOTIN503';
    t.fake.setBotNotInChannel(channel);
    const { modal, responseUrl } = await t.slashCommand(KNOWLEDGE.title, { channel });
    if (!modal) throw new Error('no modal');
    await t.walkChecklist(modal.id, KNOWLEDGE);
    await expect.poll(() => t.fake.responseUrlPostsTo(responseUrl).length).toBe(2);
    const posted = t.fake.messages(channel).find((m) => (m.blocks ?? []).some(isVerdictActions));
    if (!posted) throw new Error('no verdict in the channel');
    const current = () => t.message(channel, posted.ts);

    // A replace of the original may be carried out twice with no harm: it is tried again.
    const before = t.fake.responseUrlPosts.length;
    t.fake.failResponseUrl('all', 503, { times: 1 });
    await t.click(posted, ActionId.agree, { user: ALICE });
    await expect.poll(() => tallyOf(current())).toBe(`Agreed: <@${ALICE}>`);
    const replaces = t.fake.responseUrlPosts.slice(before);
    expect(replaces.map((post) => post.status)).toEqual([503, 200]);
    for (const post of replaces) {
      expect(post.body).toMatchObject({
        replace_original: true,
        unfurl_links: false,
        unfurl_media: false,
      });
    }
    expectSafeAndWithinLimits(t.fake);
  });

  it('keeps the notice of a verdict sent as a DM when a vote or an edit updates it', async () => {
    const channel = 'C0GONE0SO1';
    t.fake.setChannelNotFound(channel);
    const responseUrl = t.fake.newResponseUrl({ channel, userId: ASKER });
    t.fake.failResponseUrl(responseUrl, 404, { body: 'expired_url' });
    const { modal } = await t.slashCommand(KNOWLEDGE.title, { channel, responseUrl });
    if (!modal) throw new Error('no modal');
    const call = await t.walkToVerdict(modal.id, KNOWLEDGE);
    const dm = t.message(String(call.response?.channel), String(call.response?.ts));
    const reviewId = reviewIdOf(dm);
    expect(await t.delivered(reviewId)).toMatchObject({ status: 'sent-as-dm' });
    // The fake updates the message in place: the notice as first posted, kept as text.
    const notice = (message: typeof dm) => {
      const first = blocksOf(message)[0];
      return first?.type === 'context' ? JSON.stringify(first.elements) : '';
    };
    const posted = notice(dm);
    expect(posted).toContain('/invite @ftrag');
    expect(posted).toContain(`<#${channel}>`);

    const voted = await t.clickAndWaitForUpdate(dm, ActionId.agree, ASKER);
    expect(tallyOf(voted)).toBe(`Agreed: <@${ASKER}>`);
    expect(notice(voted)).toBe(posted);

    const home = await t.openHome(ASKER);
    const editModal = await t.reviewMenuModal(home, reviewId, ReviewMenuChoice.edit);
    const editing = t.fake.calls.length;
    await t.walkChecklist(editModal.id, BEHAVIOR, { user: ASKER });
    await t.fake.waitFor('chat.update', (c) => c.index >= editing && c.args.ts === dm.ts);
    const edited = t.message(dm.channel, dm.ts);
    expect(headerOf(edited)).toBe('Verdict: Fine-tune');
    expect(notice(edited)).toBe(posted);
    expectSafeAndWithinLimits(t.fake);
  });

  it('tallies agreements and challenges, one changeable vote per person, reasons in the thread', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    expect(tallyOf(parent)).toBe('No sign-offs yet: agree, or challenge it with a reason.');

    let message = await t.clickAndWaitForUpdate(parent, ActionId.agree, ALICE);
    expect(tallyOf(message)).toBe(`Agreed: <@${ALICE}>`);

    message = await t.challenge(message, BOB, `We only have old tickets ${HOSTILE}`);
    expect(tallyOf(message)).toBe(`Agreed: <@${ALICE}> · Challenged: <@${BOB}>`);
    const replies = t.fake.thread(CHANNEL, parent.ts);
    const challenge = replies.find((reply) => reply.text.includes('challenged the verdict'));
    const quoted = JSON.stringify(challenge?.blocks);
    expect(quoted).toContain(`<@${BOB}> challenged this verdict:`);
    expect(quoted).toContain('We only have old tickets &lt;!channel&gt;');

    // Clicking Agree twice keeps one vote; agreeing after a challenge moves the person.
    message = await t.clickAndWaitForUpdate(message, ActionId.agree, ALICE);
    expect(tallyOf(message)).toBe(`Agreed: <@${ALICE}> · Challenged: <@${BOB}>`);
    message = await t.clickAndWaitForUpdate(message, ActionId.agree, BOB);
    expect(tallyOf(message)).toBe(`Agreed: <@${ALICE}>, <@${BOB}>`);
    message = await t.challenge(message, ALICE, 'Second thoughts: the policy changes weekly');
    expect(tallyOf(message)).toBe(`Agreed: <@${BOB}> · Challenged: <@${ALICE}>`);

    // The message is the verdict as posted, with the tally and the four buttons.
    expect(headerOf(message)).toBe('Verdict: RAG');
    const actions = (message.blocks ?? []).filter(isRecord).find((b) => b.type === 'actions');
    const buttons = Array.isArray(actions?.elements) ? actions.elements.filter(isRecord) : [];
    expect(buttons.map((b) => isRecord(b.text) && b.text.text)).toEqual([
      'Agree',
      'Challenge',
      'Re-run with changes',
      'Export decision record',
    ]);
    // The buttons' block names the version of the verdict the message shows; each value is the
    // review id alone, which an instance from before versions reads whole (rolling upgrade).
    const reviewId = reviewIdOf(parent);
    expect(actions?.block_id).toBe(`${BlockId.verdictActions}@1`);
    expect(buttons.map((b) => b.value)).toEqual([reviewId, reviewId, reviewId, reviewId]);

    const votes = await t.storage.votes.listVotes(t.fake.teamId, reviewIdOf(parent));
    expect(votes.map((v) => [v.userId, v.vote, v.reason])).toEqual([
      [BOB, 'agree', null],
      [ALICE, 'challenge', 'Second thoughts: the policy changes weekly'],
    ]);
    expect(JSON.stringify((await t.openHome(ASKER)).view.blocks)).toContain('✅ 1 · ❓ 1');
    expectSafeAndWithinLimits(t.fake);
  });

  it('asks for a reason of at most 500 characters before posting a challenge', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const before = t.fake.calls.length;
    await t.click(parent, ActionId.challenge, { user: BOB });
    const modal = await t.openedModal(before);
    const blank = await t.submit(
      modal.id,
      { [BlockId.challengeReason]: { [ActionId.challengeReason]: '   ' } },
      { user: BOB },
    );
    expect(blank.json).toEqual({
      response_action: 'errors',
      errors: { [BlockId.challengeReason]: 'Say why you disagree.' },
    });
    expect(await t.storage.votes.listVotes(t.fake.teamId, reviewIdOf(parent))).toEqual([]);
    expectSafeAndWithinLimits(t.fake);
  });

  it('clears the sign-offs when an edit changes the verdict, and says so in the thread', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const reviewId = reviewIdOf(parent);
    await t.clickAndWaitForUpdate(parent, ActionId.agree, ALICE);
    const home = await t.openHome(ASKER);
    expect(JSON.stringify(home.view.blocks)).toContain('✅ 1 · ❓ 0');

    // Edit answers, from the review's menu in App Home: RAG becomes Fine-tune.
    const modal = await t.reviewMenuModal(home, reviewId, ReviewMenuChoice.edit);
    const editing = t.fake.calls.length;
    await t.walkChecklist(modal.id, BEHAVIOR, { user: ASKER });
    const note = await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= editing && c.args.thread_ts === parent.ts,
    );

    const edited = t.message(CHANNEL, parent.ts);
    expect(headerOf(edited)).toBe('Verdict: Fine-tune');
    expect(tallyOf(edited)).toBe('No sign-offs yet: agree, or challenge it with a reason.');
    expect(reviewIdOf(edited)).toBe(reviewId);
    expect(await t.storage.votes.listVotes(t.fake.teamId, reviewId)).toEqual([]);
    expect(String(note.args.text)).toBe(
      `:pencil2: Edited by <@${ASKER}>: verdict changed from *RAG* to *Fine-tune*. Earlier sign-offs were cleared: agree or challenge the new verdict.`,
    );
    // Then the detail as it is now, the last reply in the thread.
    await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.index > note.index && c.args.thread_ts === parent.ts,
    );
    const replies = t.fake.thread(CHANNEL, parent.ts);
    const detail = replies[replies.length - 1];
    expect(detail?.text).toMatch(/^Edited detail: Why Fine-tune/);
    expect(JSON.stringify(detail?.blocks)).toContain(`Edited by <@${ASKER}>`);
    expectSafeAndWithinLimits(t.fake);
  });

  it('records no vote cast on the verdict as it was before an edit changed it', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const reviewId = reviewIdOf(parent);
    // The message as the channel saw it before the edit (the fake updates `parent` in place).
    const asPosted = structuredClone(parent);
    // Bob opens Challenge on the verdict as posted (RAG) and is still typing when it is edited.
    const opening = t.fake.calls.length;
    await t.click(parent, ActionId.challenge, { user: BOB });
    const challengeModal = await t.openedModal(opening);
    expect(JSON.stringify(challengeModal.view.blocks)).toContain('Verdict: RAG');

    const home = await t.openHome(ASKER);
    const modal = await t.reviewMenuModal(home, reviewId, ReviewMenuChoice.edit);
    const editing = t.fake.calls.length;
    await t.walkChecklist(modal.id, BEHAVIOR, { user: ASKER });
    await t.fake.waitFor('chat.update', (c) => c.index >= editing && c.args.ts === parent.ts);
    // The edit's last call, so none of its posts lands after `submitted` below.
    await t.fake.waitFor(
      'chat.postMessage',
      (c) =>
        c.index >= editing &&
        c.args.thread_ts === parent.ts &&
        String(c.args.text).startsWith('Edited detail'),
    );
    expect(headerOf(t.message(CHANNEL, parent.ts))).toBe('Verdict: Fine-tune');

    // Alice clicks Agree on the message as her Slack still showed it: RAG.
    const ephemerals = t.fake.ephemerals().length;
    const refreshed = await t.clickAndWaitForUpdate(asPosted, ActionId.agree, ALICE);
    expect(tallyOf(refreshed)).toBe('No sign-offs yet: agree, or challenge it with a reason.');
    await expect.poll(() => t.fake.ephemerals().slice(ephemerals).length).toBe(1);
    expect(t.fake.ephemerals().at(-1)?.text).toContain(
      'This verdict was edited after you saw it, so your agreement was not recorded.',
    );

    // Bob's challenge, written against RAG, is not recorded nor posted: he gets his reason back.
    const submitted = t.fake.calls.length;
    const answer = await t.submit(
      challengeModal.id,
      { [BlockId.challengeReason]: { [ActionId.challengeReason]: `RAG is overkill ${HOSTILE}` } },
      { user: BOB },
    );
    expect(answer.json).toMatchObject({ response_action: 'update' });
    const notice = JSON.stringify(answer.json);
    expect(notice).toContain('so your challenge was not recorded');
    expect(notice).toContain('RAG is overkill &lt;!channel&gt;');
    expect(await t.storage.votes.listVotes(t.fake.teamId, reviewId)).toEqual([]);
    const replies = t.fake.thread(CHANNEL, parent.ts);
    expect(replies.some((reply) => reply.text.includes('challenged the verdict'))).toBe(false);
    const posted = t.fake.calls.slice(submitted).filter((call) => call.method.startsWith('chat.'));
    expect(posted).toEqual([]);

    // On the message as it is now, Agree counts.
    const agreed = await t.clickAndWaitForUpdate(refreshed, ActionId.agree, ALICE);
    expect(tallyOf(agreed)).toBe(`Agreed: <@${ALICE}>`);
    expectSafeAndWithinLimits(t.fake);
  });

  it('keeps the tally when an edit keeps the verdict', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const reviewId = reviewIdOf(parent);
    await t.clickAndWaitForUpdate(parent, ActionId.agree, ALICE);
    const home = await t.openHome(ASKER);

    const modal = await t.reviewMenuModal(home, reviewId, ReviewMenuChoice.edit);
    const editing = t.fake.calls.length;
    await t.walkChecklist(
      modal.id,
      { ...KNOWLEDGE, problem: `Quotes an outdated refund window ${HOSTILE}` },
      { user: ASKER },
    );
    await t.fake.waitFor('chat.update', (c) => c.index >= editing && c.args.ts === parent.ts);
    await t.fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= editing && c.args.thread_ts === parent.ts,
    );

    const edited = t.message(CHANNEL, parent.ts);
    expect(headerOf(edited)).toBe('Verdict: RAG');
    expect(tallyOf(edited)).toBe(`Agreed: <@${ALICE}>`);
    expect(await t.storage.votes.listVotes(t.fake.teamId, reviewId)).toHaveLength(1);
    // No verdict note, but the detail with the new answers, last in the thread.
    const replies = t.fake.thread(CHANNEL, parent.ts);
    expect(replies.some((reply) => reply.text.includes('verdict changed'))).toBe(false);
    const detail = replies[replies.length - 1];
    expect(detail?.text).toMatch(/^Edited detail: Why RAG/);
    expect(JSON.stringify(detail?.blocks)).toContain('Quotes an outdated refund window');

    // Saving the same answers again changes nothing, so nothing more is posted in the thread.
    const again = await t.reviewMenuModal(await t.openHome(ASKER), reviewId, ReviewMenuChoice.edit);
    const saving = t.fake.calls.length;
    await t.walkChecklist(
      again.id,
      { ...KNOWLEDGE, problem: `Quotes an outdated refund window ${HOSTILE}` },
      { user: ASKER },
    );
    await t.fake.waitFor('views.publish', (c) => c.index >= saving && c.args.user_id === ASKER);
    expect(t.fake.thread(CHANNEL, parent.ts)).toHaveLength(replies.length);
    expectSafeAndWithinLimits(t.fake);
  });
});
