import { describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId, ReviewMenuChoice } from '../../src/constants.js';
import { type Answers, answersSchema } from '../../src/decision/answers.js';
import {
  type DecisionRecordContext,
  decide,
  renderDecisionRecord,
  VERDICT_LABELS,
} from '../../src/decision/index.js';
import type { Review } from '../../src/storage/index.js';
import { RERUN_REFUSED, RERUN_REFUSED_WHY } from '../../src/views/signOff.js';
import { escapeMrkdwn } from '../../src/views/text.js';
import {
  ASKER,
  blocksOf,
  CHANNEL,
  headerOf,
  isVerdictActions,
  valuesForStep,
} from '../e2e/harness.js';
import type { StoredMessage, StoredView } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import { unconfirmedPostsOf } from '../support/unconfirmedPosts.js';
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
const CAROL = 'U0CAROL001';

const label = (answers: Answers) => VERDICT_LABELS[decide(answersSchema.parse(answers)).verdict];

function revisionNote(message: StoredMessage): string {
  const note = blocksOf(message).find((block) => block.block_id === BlockId.revisionNote);
  return isRecord(note?.text) ? String(note.text.text) : '';
}

/** The text of the line `blockId` (e.g. `mine_<id>`) of a published Home. */
function homeLine(home: StoredView, blockId: string): string {
  const line = blocksOf(home.view).find((block) => block.block_id === blockId);
  return isRecord(line?.text) ? String(line.text.text) : '';
}

/** Presses Re-run as `user`, answers the pre-filled checklist with `answers`; the new revision. */
async function rerun(
  message: StoredMessage,
  user: string,
  answers: Answers,
  expectPrefilled: Answers,
): Promise<StoredMessage> {
  const before = t.fake.calls.length;
  await t.click(message, ActionId.rerun, { user });
  const modal = await t.openedModal(before);
  expect(isRecord(modal.view.title) && modal.view.title.text).toBe('Re-run review');
  expect(JSON.stringify(modal.view.blocks)).toContain(JSON.stringify(expectPrefilled.title));
  const call = await t.walkToVerdict(modal.id, answers, { user });
  return t.message(CHANNEL, String(call.response?.ts));
}

describe('re-run with changes', () => {
  it('posts each outcome in the thread as a new revision and keeps the earlier ones', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const posted = parent.text;

    // Before anyone challenges, only the person who asked may re-run.
    const refused = t.fake.calls.length;
    await t.click(parent, ActionId.rerun, { user: BOB });
    const refusal = await waitForResponseUrlPost(RERUN_REFUSED);
    expect(refusal).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(t.fake.calls.slice(refused).some((c) => c.method === 'views.open')).toBe(false);

    const second = await rerun(parent, ASKER, BEHAVIOR, KNOWLEDGE);
    expect(second.thread_ts).toBe(parent.ts);
    expect(revisionNote(second)).toBe(
      `:repeat: *Revision 2: verdict changed from ${label(KNOWLEDGE)} to ${label(BEHAVIOR)}*`,
    );
    expect(headerOf(second)).toBe(`Verdict: ${label(BEHAVIOR)}`);
    expect(reviewIdOf(second)).not.toBe(reviewIdOf(parent));
    // The first verdict stays as it was posted.
    const original = t.message(CHANNEL, parent.ts);
    expect(original.text).toBe(posted);
    expect(original.edited).toBeUndefined();
    expect(headerOf(original)).toBe(`Verdict: ${label(KNOWLEDGE)}`);

    // After a challenge anyone may re-run, from any revision's message: it revises the newest.
    const challenged = await t.challenge(second, ALICE, `Labels are stale ${HOSTILE}`);
    expect(tallyOf(challenged)).toBe(`Challenged: <@${ALICE}>`);
    const third = await rerun(parent, ALICE, KNOWLEDGE, BEHAVIOR);
    expect(third.thread_ts).toBe(parent.ts);
    expect(revisionNote(third)).toBe(
      `:repeat: *Revision 3: verdict changed from ${label(BEHAVIOR)} to ${label(KNOWLEDGE)}*`,
    );

    const stored = await t.storage.reviews.get(t.fake.teamId, reviewIdOf(third));
    expect(stored).toMatchObject({ revision: 3, revisionOf: reviewIdOf(second), userId: ALICE });
    // Home marks each revision a later one superseded (revision 2 by Alice's), in both lists, for
    // the asker and for anyone else; the current one with its number alone.
    const ids = [parent, second, third].map(reviewIdOf);
    const asker = await t.openHome(ASKER);
    for (const list of ['mine', 'team']) {
      expect(homeLine(asker, `${list}_${ids[0]}`)).toContain(
        'revision 1 · superseded by revision 2',
      );
      expect(homeLine(asker, `${list}_${ids[1]}`)).toContain(
        'revision 2 · superseded by revision 3',
      );
    }
    const alice = await t.openHome(ALICE);
    expect(homeLine(alice, `team_${ids[0]}`)).toContain('revision 1 · superseded by revision 2');
    expect(homeLine(alice, `mine_${ids[2]}`)).toContain(' · revision 3');
    expect(homeLine(alice, `mine_${ids[2]}`)).not.toContain('superseded');

    // /ftrag history lists the same revisions the same way, with the challenge's tally.
    const { responseUrl } = await t.slashCommand('history', { user: BOB });
    await expect.poll(() => t.fake.responseUrlPostsTo(responseUrl).length).toBe(1);
    const history = t.fake.responseUrlPostsTo(responseUrl)[0]?.body;
    const historyLines = (isRecord(history) && Array.isArray(history.blocks) ? history.blocks : [])
      .map((block: unknown) =>
        isRecord(block) && isRecord(block.text) ? String(block.text.text) : '',
      )
      .filter((text: string) => text.startsWith('•'));
    expect(historyLines).toHaveLength(3);
    const lineOf = (revision: number) =>
      historyLines.find((text: string) => text.includes(`revision ${revision}`)) ?? '';
    expect(lineOf(1)).toContain('revision 1 · superseded by revision 2');
    expect(lineOf(2)).toContain('revision 2 · superseded by revision 3 · ✅ 0 · ❓ 1');
    expect(lineOf(3)).not.toContain('superseded');
    expectSafeAndWithinLimits(t.fake);
  });

  it('refuses Edit answers on a revision that has a later one, when chosen and at the final save', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const first = reviewIdOf(parent);
    // Begun before the re-run: the checklist opens. A copy, as the fake updates its Home in place
    // when the app publishes it again, and this is the Home as published before the re-run.
    const beforeRerun = structuredClone(await t.openHome(ASKER));
    const editing = await t.reviewMenuModal(beforeRerun, first, ReviewMenuChoice.edit);
    expect(JSON.stringify(editing.args)).toContain(CallbackId.checklistStep);
    const second = await rerun(parent, ASKER, BEHAVIOR, KNOWLEDGE);

    // Its last step, submitted once revision 2 exists, is refused: revision 1 stays as it was.
    let last: Awaited<ReturnType<typeof t.submit>> | undefined;
    for (let step = 0; step < 8; step++) {
      const view = t.fake.view(editing.id);
      if (!view?.view.submit) break;
      last = await t.submit(editing.id, valuesForStep(view, BEHAVIOR, {}), { user: ASKER });
    }
    expect(last?.json).toMatchObject({ response_action: 'update' });
    const refusedAtSave = JSON.stringify(last?.json);
    expect(refusedAtSave).toContain('has a later revision');
    expect(refusedAtSave).toContain('Re-run with changes');
    const stored = await t.storage.reviews.get(t.fake.teamId, first);
    expect(stored?.decision.verdict).toBe(decide(answersSchema.parse(KNOWLEDGE)).verdict);
    expect(headerOf(t.message(CHANNEL, parent.ts))).toBe(`Verdict: ${label(KNOWLEDGE)}`);

    // Home no longer offers it on revision 1, only on revision 2…
    const now = JSON.stringify((await t.openHome(ASKER)).view.blocks);
    expect(now).toContain(`"value":"${ReviewMenuChoice.open}:${first}"`);
    expect(now).not.toContain(`"value":"${ReviewMenuChoice.edit}:${first}"`);
    expect(now).toContain(`"value":"${ReviewMenuChoice.edit}:${reviewIdOf(second)}"`);
    // …and chosen from the Home published before the re-run, it is refused at once.
    const refused = await t.reviewMenuModal(beforeRerun, first, ReviewMenuChoice.edit);
    const refusedText = JSON.stringify(refused.args);
    expect(refusedText).toContain('has a later revision');
    expect(refusedText).not.toContain(CallbackId.checklistStep);
    const latest = await t.reviewMenuModal(
      await t.openHome(ASKER),
      reviewIdOf(second),
      ReviewMenuChoice.edit,
    );
    expect(JSON.stringify(latest.args)).toContain(CallbackId.checklistStep);
    expectSafeAndWithinLimits(t.fake);
  });

  it('lets the person who asked re-run from any revision, and anyone once any revision was challenged', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE, ALICE);
    const second = await rerun(parent, ALICE, BEHAVIOR, KNOWLEDGE);

    // Nobody has challenged yet: from revision 2's message, too, only Alice may re-run.
    await expectRerunRefused(second, BOB);

    // A challenge of revision 1 opens the whole line: Bob re-runs from revision 2's message.
    await t.challenge(parent, BOB, 'The refund policy changes weekly');
    const third = await rerun(second, BOB, KNOWLEDGE, BEHAVIOR);
    expect(await t.storage.reviews.get(t.fake.teamId, reviewIdOf(third))).toMatchObject({
      revision: 3,
      userId: BOB,
    });

    // Revision 3 is Bob's, but Alice asked: she may re-run from it; and so may Carol, since
    // revision 1 was challenged, though nobody challenged revision 3 itself.
    const fourth = await rerun(third, ALICE, BEHAVIOR, KNOWLEDGE);
    expect(fourth.thread_ts).toBe(parent.ts);
    const before = t.fake.calls.length;
    await t.click(fourth, ActionId.rerun, { user: CAROL });
    const modal = await t.openedModal(before);
    expect(isRecord(modal.view.title) && modal.view.title.text).toBe('Re-run review');
    expectSafeAndWithinLimits(t.fake);
  });

  it('refuses at its last step a re-run whose challenge was withdrawn while its checklist was open: the modal says why, nothing is saved', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const id = reviewIdOf(parent);
    const challenged = await t.challenge(parent, ALICE, 'The policy changes weekly');
    expect(tallyOf(challenged)).toBe(`Challenged: <@${ALICE}>`);
    // The challenge lets Bob re-run: his checklist opens.
    const opened = t.fake.calls.length;
    await t.click(challenged, ActionId.rerun, { user: BOB });
    const modal = await t.openedModal(opened);
    // Alice agrees instead while it is open: no challenge stands anywhere in the line any more.
    const agreed = await t.clickAndWaitForUpdate(challenged, ActionId.agree, ALICE);
    expect(tallyOf(agreed)).toBe(`Agreed: <@${ALICE}>`);

    const last = await walkToLastStep(modal.id, BEHAVIOR, BOB);
    const before = t.fake.calls.length;
    const response = await t.submit(modal.id, valuesForStep(last, BEHAVIOR, {}), { user: BOB });

    expect(response.json).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const shown = JSON.stringify(response.json);
    expect(shown).toContain(RERUN_REFUSED_WHY);
    expect(shown).toContain('nothing was posted');
    expect(shown).not.toContain('"submit"');
    // Nothing follows the refusal to wait for: give a save or a post time to happen.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const line = await t.storage.reviews.revisionLine(t.fake.teamId, id);
    expect(line.map((review) => [review.revision, review.userId])).toEqual([[1, ASKER]]);
    expect((await t.storage.reviews.revisedAmong(t.fake.teamId, [id])).size).toBe(0);
    expect(t.fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expectSafeAndWithinLimits(t.fake);
  });

  it('posts the revision in the thread of a verdict that went out through a response_url (the bot not in the channel)', async () => {
    const channel = 'C0NOTIN0RR';
    const parent = await verdictThroughResponseUrl(channel);

    const before = t.fake.calls.length;
    await t.click(parent, ActionId.rerun, { user: ASKER });
    const rerunModal = await t.openedModal(before);
    const reviewStep = await walkToLastStep(rerunModal.id, BEHAVIOR);
    const promised = JSON.stringify(reviewStep.view.blocks);
    expect(promised).toContain('The outcome is posted in the verdict’s thread as a new revision');
    // A response_url cannot broadcast a reply, so the modal does not offer to.
    expect(blocksOf(reviewStep.view).some((b) => b.block_id === BlockId.broadcast)).toBe(false);
    await t.submit(rerunModal.id, valuesForStep(reviewStep, BEHAVIOR, {}));

    const revisionInThread = () =>
      t.fake.thread(channel, parent.ts).find((m) => isVerdict(m) && m.ts !== parent.ts);
    const dmsSince = () =>
      t.fake.calls
        .slice(before)
        .filter(
          (c) =>
            c.method === 'chat.postMessage' &&
            (c.args.channel === ASKER || c.args.channel === t.fake.dmChannelFor(ASKER)),
        )
        .map((c) => String(c.args.text));
    await expect
      .poll(() => revisionInThread() !== undefined || dmsSince().length > 0, { timeout: 10_000 })
      .toBe(true);
    expect(dmsSince()).toEqual([]);
    const second = revisionInThread();
    if (!second) throw new Error('no revision in the verdict’s thread');
    expect(second.thread_ts).toBe(parent.ts);
    expect(headerOf(second)).toBe(`Verdict: ${label(BEHAVIOR)}`);
    expect(revisionNote(second)).toBe(
      `:repeat: *Revision 2: verdict changed from ${label(KNOWLEDGE)} to ${label(BEHAVIOR)}*`,
    );
    expect(await t.delivered(reviewIdOf(second))).toMatchObject({
      status: 'posted-via-response-url',
      revision: 2,
      revisionOf: reviewIdOf(parent),
    });
    // Through the response_url the click carried: new replies in the thread, the verdict kept.
    const threaded = t.fake.responseUrlPosts.filter(
      (p) => isRecord(p.body) && p.body.thread_ts === parent.ts,
    );
    expect(threaded.map((p) => isRecord(p.body) && p.body.replace_original)).toEqual([
      false,
      false,
    ]);
    expect(headerOf(t.message(channel, parent.ts))).toBe(`Verdict: ${label(KNOWLEDGE)}`);
    // Its detail went to the same thread, so it points there.
    expect(JSON.stringify(second.blocks)).toContain('how to measure are in the thread.');
    expectSafeAndWithinLimits(t.fake);
  });
});

describe('a revision that went out through a response_url', () => {
  it('gets its challenges in the verdict’s thread, not under itself', async () => {
    const { channel, parent, second } = await revisionThroughResponseUrl('C0NOTIN0RC');

    // Challenging revision 2 (a reply): the reason goes in the thread, whose parent is revision 1.
    const challenging = t.fake.calls.length;
    await t.click(second, ActionId.challenge, { user: BOB });
    const challengeModal = await t.openedModal(challenging);
    await t.submit(
      challengeModal.id,
      { [BlockId.challengeReason]: { [ActionId.challengeReason]: `Stale labels ${HOSTILE}` } },
      { user: BOB },
    );
    await expect.poll(() => tallyOf(t.message(channel, second.ts))).toBe(`Challenged: <@${BOB}>`);
    await expect
      .poll(() =>
        t.fake
          .thread(channel, parent.ts)
          .some((reply) => reply.text.includes('challenged the verdict')),
      )
      .toBe(true);
    expectSafeAndWithinLimits(t.fake);
  });

  it('once the bot is in the channel, gets its exported record in the verdict’s thread', async () => {
    const { channel, parent, second } = await revisionThroughResponseUrl('C0NOTIN0RE');
    t.fake.addChannel(channel);
    for (const [message, revision] of [
      [second, '-revision-2'],
      [parent, ''],
    ] as const) {
      const files = t.fake.files().length;
      const exporting = t.fake.calls.length;
      await t.click(message, ActionId.exportRecord, { user: BOB });
      await t.fake.waitFor('files.completeUploadExternal', (c) => c.index >= exporting);
      const file = t.fake
        .files()
        .slice(files)
        .find((f) => f.completed);
      expect(file).toMatchObject({ channelId: channel, threadTs: parent.ts });
      expect(file?.filename.endsWith(`${revision}.md`)).toBe(true);
      expect(file?.filename.includes('-revision-')).toBe(revision !== '');
    }
    expect(t.fake.messages(channel).filter((m) => m.files)).toEqual([]);
    expectSafeAndWithinLimits(t.fake);
  });
});

/**
 * A verdict through the command's response_url in `channel` (the bot not in it), and its revision
 * through the response_url of the Re-run click: neither has a ts on record.
 */
async function revisionThroughResponseUrl(
  channel: string,
): Promise<{ channel: string; parent: StoredMessage; second: StoredMessage }> {
  const parent = await verdictThroughResponseUrl(channel);
  const opened = t.fake.calls.length;
  await t.click(parent, ActionId.rerun, { user: ASKER });
  const rerunModal = await t.openedModal(opened);
  const reviewStep = await walkToLastStep(rerunModal.id, BEHAVIOR);
  await t.submit(rerunModal.id, valuesForStep(reviewStep, BEHAVIOR, {}));
  const revisionInThread = () =>
    t.fake.thread(channel, parent.ts).find((m) => isVerdict(m) && m.ts !== parent.ts);
  await expect.poll(() => revisionInThread() !== undefined, { timeout: 10_000 }).toBe(true);
  const second = revisionInThread();
  if (!second) throw new Error('no revision in the verdict’s thread');
  expect(await t.delivered(reviewIdOf(second))).toMatchObject({
    status: 'posted-via-response-url',
    messageTs: null,
    threadTs: null,
  });
  return { channel, parent, second };
}

/**
 * `/ftrag` in `channel`, where the bot is not, and the checklist: the verdict goes out through
 * the command's response_url, so the review has no ts on record. Resolves with its message.
 */
async function verdictThroughResponseUrl(channel: string): Promise<StoredMessage> {
  t.fake.setBotNotInChannel(channel);
  const { modal, responseUrl } = await t.slashCommand(KNOWLEDGE.title, { channel });
  if (!modal) throw new Error('no modal');
  await t.walkChecklist(modal.id, KNOWLEDGE);
  await expect.poll(() => t.fake.responseUrlPostsTo(responseUrl).length).toBe(2);
  const parent = t.fake.messages(channel).find((m) => isVerdict(m));
  if (!parent) throw new Error('no verdict in the channel');
  expect(await t.delivered(reviewIdOf(parent))).toMatchObject({
    status: 'posted-via-response-url',
    messageTs: null,
    threadTs: null,
  });
  return parent;
}

function isVerdict(message: StoredMessage): boolean {
  return blocksOf(message).some(isVerdictActions);
}

/** Answers each checklist step up to the last one, and returns that step unsubmitted. */
async function walkToLastStep(
  modalId: string,
  answers: Answers,
  user: string = ASKER,
): Promise<StoredView> {
  for (let step = 0; step < 8; step++) {
    const view = t.fake.view(modalId);
    if (!view?.open) throw new Error('modal closed before the last step');
    const submit = isRecord(view.view.submit) ? view.view.submit.text : undefined;
    if (submit !== 'Next') return view;
    await t.submit(modalId, valuesForStep(view, answers, {}), { user });
  }
  throw new Error('the checklist did not end');
}

/** Presses Re-run as `user` and expects the refusal, with no checklist opened. */
async function expectRerunRefused(message: StoredMessage, user: string): Promise<void> {
  const calls = t.fake.calls.length;
  const posts = t.fake.responseUrlPosts.length;
  await t.click(message, ActionId.rerun, { user });
  await expect
    .poll(() =>
      t.fake.responseUrlPosts
        .slice(posts)
        .some((p) => isRecord(p.body) && p.body.text === RERUN_REFUSED),
    )
    .toBe(true);
  expect(t.fake.calls.slice(calls).some((c) => c.method === 'views.open')).toBe(false);
}

async function waitForResponseUrlPost(text: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const post = t.fake.responseUrlPosts.find((p) => isRecord(p.body) && p.body.text === text);
    if (post && isRecord(post.body)) return post.body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no response_url post with ${text}`);
}

function today(): string[] {
  const now = new Date();
  const soon = new Date(now.getTime() + 60_000);
  return [...new Set([now, soon].map((date) => date.toISOString().slice(0, 10)))];
}

async function exportRecord(message: StoredMessage, user: string): Promise<string> {
  const before = t.fake.files().length;
  const started = t.fake.calls.length;
  await t.click(message, ActionId.exportRecord, { user });
  await t.fake.waitFor('files.completeUploadExternal', (c) => c.index >= started);
  const file = t.fake
    .files()
    .slice(before)
    .find((f) => f.completed);
  if (!file?.content) throw new Error('no file uploaded');
  expect(file.channelId).toBe(CHANNEL);
  expect(file.threadTs).toBe(message.thread_ts ?? message.ts);
  expect(file.filename).toMatch(/^decision-record-policy-bot-channel-u0evil0001-https-evil-test/);
  return file.content.toString('utf8');
}

function permalinkOf(ts: string): string {
  const call = t.fake
    .callsTo('chat.getPermalink')
    .find((c) => c.args.message_ts === ts && isRecord(c.response));
  const permalink = call?.response?.permalink;
  if (typeof permalink !== 'string') throw new Error(`no permalink for ${ts}`);
  return permalink;
}

/** The record `ftrag decide --markdown` renders for these answers, with this context. */
function expectedRecord(answers: Answers, context: Omit<DecisionRecordContext, 'date'>): string[] {
  const parsed = answersSchema.parse(answers);
  return today().map((date) => renderDecisionRecord(parsed, decide(parsed), { ...context, date }));
}

describe('export decision record', () => {
  it('attaches the Markdown ADR to the thread, with status, date, link and sign-offs', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const threadUrl = permalinkOf(parent.ts);

    const fresh = await exportRecord(parent, BOB);
    expect(
      expectedRecord(KNOWLEDGE, {
        status: 'proposed',
        threadUrl,
        signOffs: { agreed: [], challenged: [] },
      }),
    ).toContain(fresh);

    await t.clickAndWaitForUpdate(parent, ActionId.agree, ALICE);
    const accepted = await exportRecord(parent, ASKER);
    expect(
      expectedRecord(KNOWLEDGE, {
        status: 'accepted',
        threadUrl,
        signOffs: { agreed: [ALICE], challenged: [] },
      }),
    ).toContain(accepted);

    const reason = `Citations are not needed ${HOSTILE}`;
    await t.challenge(parent, BOB, reason);
    const challenged = await exportRecord(parent, ASKER);
    expect(
      expectedRecord(KNOWLEDGE, {
        status: 'proposed',
        threadUrl,
        signOffs: { agreed: [ALICE], challenged: [{ name: BOB, reason }] },
      }),
    ).toContain(challenged);
    expect(challenged).toContain(`- ${BOB}: Citations are not needed \\<!channel\\>`);

    const second = await rerun(parent, ASKER, BEHAVIOR, KNOWLEDGE);
    const superseded = await exportRecord(parent, ASKER);
    expect(
      expectedRecord(KNOWLEDGE, {
        status: 'superseded by revision 2',
        threadUrl,
        signOffs: { agreed: [ALICE], challenged: [{ name: BOB, reason }] },
      }),
    ).toContain(superseded);
    const revision = await exportRecord(second, ASKER);
    expect(
      expectedRecord(BEHAVIOR, {
        status: 'proposed',
        threadUrl: permalinkOf(second.ts),
        signOffs: { agreed: [], challenged: [] },
      }),
    ).toContain(revision);
    expectSafeAndWithinLimits(t.fake);
  });

  it('sends the record of a verdict in a DM it can’t attach to, to the clicker, naming that DM as such', async () => {
    const dm = 'D0EXPOTHER';
    t.fake.addChannel(dm, { member: false });
    const { modal, responseUrl } = await t.slashCommand(KNOWLEDGE.title, {
      channel: dm,
      user: CAROL,
    });
    if (!modal) throw new Error('no modal');
    await t.walkChecklist(modal.id, KNOWLEDGE, { user: CAROL });
    await expect.poll(() => t.fake.responseUrlPostsTo(responseUrl).length).toBe(2);
    const verdict = t.fake.messages(dm).find((m) => isVerdict(m));
    if (!verdict) throw new Error('no verdict in the DM');

    const files = t.fake.files().length;
    await t.click(verdict, ActionId.exportRecord, { user: CAROL });
    // The thread refuses it (the bot isn't part of that DM): it goes to the clicker's DM.
    const completed = () =>
      t.fake
        .files()
        .slice(files)
        .find((f) => f.completed);
    await expect.poll(() => completed()?.channelId).toBe(t.fake.dmChannelFor(CAROL));
    const file = completed();
    expect(file?.initialComment).toContain(
      "I couldn't attach it in that direct message, so here it is for you.",
    );
    expect(file?.initialComment).not.toContain('<#D');
  });

  it('tells the clicker, only them, when Slack refuses the record in the thread and in their DM', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const notices = t.fake.ephemerals().length;
    const files = t.fake.files().length;
    t.fake.failNext('files.completeUploadExternal', { error: 'is_archived' });
    t.fake.failNext('files.completeUploadExternal', { error: 'ratelimited' });
    await t.click(parent, ActionId.exportRecord, { user: BOB });
    await expect.poll(() => t.fake.ephemerals().length).toBe(notices + 1);
    expect(t.fake.ephemerals().at(-1)).toMatchObject({
      via: 'response_url',
      user: BOB,
      text: `:warning: I couldn't attach the decision record for *${escapeMrkdwn(KNOWLEDGE.title)}* in <#${CHANNEL}> because that channel is archived, nor send it to you by DM (Slack answered \`ratelimited\`). Please try again in a moment.`,
    });
    expect(
      t.fake
        .files()
        .slice(files)
        .filter((f) => f.completed),
    ).toEqual([]);
  });

  /**
   * Slack not confirming files.completeUploadExternal, the one call of an upload that shares the
   * file into a conversation: the cause armed on the fake, and how the clicker is told of it.
   */
  const unconfirmedShares = unconfirmedPostsOf('files.completeUploadExternal');

  it.each(unconfirmedShares)(
    '(%s in the thread): sends no second copy to the clicker’s DM, and tells them, only them, it may be in the thread already',
    async (_, slack, why) => {
      const parent = await t.reviewByCommand(KNOWLEDGE);
      const notices = t.fake.ephemerals().length;
      const started = t.fake.calls.length;
      slack(t.fake);
      await t.click(parent, ActionId.exportRecord, { user: BOB });
      await expect.poll(() => t.fake.ephemerals().length).toBe(notices + 1);
      expect(t.fake.ephemerals().at(-1)).toMatchObject({
        via: 'response_url',
        user: BOB,
        text: `:information_source: I couldn't confirm that the decision record for *${escapeMrkdwn(KNOWLEDGE.title)}* was attached in the thread in <#${CHANNEL}>: ${why}. It may be there already: look in the thread, and click *Export decision record* again if it isn't.`,
      });
      const calls = t.fake.calls.slice(started);
      // Shared once, in the thread: never again, nor to the DM.
      expect(
        calls
          .filter((call) => call.method === 'files.completeUploadExternal')
          .map((call) => [call.args.channel_id, call.args.thread_ts]),
      ).toEqual([[CHANNEL, parent.ts]]);
      expect(calls.map((call) => call.method)).not.toContain('conversations.open');
    },
  );

  it.each(unconfirmedShares)(
    '(%s in the clicker’s DM, the thread having failed before sharing it): tells them it may be in their DM already',
    async (_, slack, why) => {
      const parent = await t.reviewByCommand(KNOWLEDGE);
      const notices = t.fake.ephemerals().length;
      const started = t.fake.calls.length;
      // Before files.completeUploadExternal nothing is posted: the record goes to the DM instead.
      t.fake.failNext('files.getUploadURLExternal', { error: 'internal_error' });
      slack(t.fake);
      await t.click(parent, ActionId.exportRecord, { user: BOB });
      await expect.poll(() => t.fake.ephemerals().length).toBe(notices + 1);
      expect(t.fake.ephemerals().at(-1)).toMatchObject({
        via: 'response_url',
        user: BOB,
        text: `:information_source: I couldn't attach the decision record for *${escapeMrkdwn(KNOWLEDGE.title)}* in <#${CHANNEL}> (Slack answered \`internal_error\`), so I sent it to you by DM, but I couldn't confirm that it arrived: ${why}. It may be in your DM with me already: look there, and click *Export decision record* again if it isn't.`,
      });
      const shared = t.fake.calls
        .slice(started)
        .filter((call) => call.method === 'files.completeUploadExternal');
      expect(shared.map((call) => call.args.channel_id)).toEqual([t.fake.dmChannelFor(BOB)]);
    },
  );

  it('sends the record to the clicker’s DM when the thread’s upload failed before sharing it, answered or not', async () => {
    const parent = await t.reviewByCommand(KNOWLEDGE);
    const files = t.fake.files().length;
    const notices = t.fake.ephemerals().length;
    t.fake.failNext('files.getUploadURLExternal', { error: 'fatal_error' });
    await t.click(parent, ActionId.exportRecord, { user: BOB });
    const completed = () =>
      t.fake
        .files()
        .slice(files)
        .filter((f) => f.completed);
    await expect
      .poll(() => completed().map((f) => f.channelId))
      .toEqual([t.fake.dmChannelFor(BOB)]);
    expect(completed()[0]?.initialComment).toContain(
      `I couldn't attach it in <#${CHANNEL}>, so here it is for you.`,
    );
    expect(t.fake.ephemerals()).toHaveLength(notices);
  });

  it('sets the prompt against RAG in the record of facts that fit in the prompt', async () => {
    const facts: Answers = {
      ...KNOWLEDGE,
      promptTried: 'not-yet',
      knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
    };
    const parent = await t.reviewByCommand(facts);
    const record = await exportRecord(parent, ASKER);
    expect(
      expectedRecord(facts, {
        status: 'proposed',
        threadUrl: permalinkOf(parent.ts),
        signOffs: { agreed: [], challenged: [] },
      }),
    ).toContain(record);
    expect(record).toContain(
      '| Aspect | Prompt | RAG |\n| --- | --- | --- |\n| Update a fact | Edit the facts in the prompt; live with the next prompt version | Edit the source; live at once |',
    );
    expectSafeAndWithinLimits(t.fake);
  });
});

/** A review as the app has it now. */
async function stored(id: string): Promise<Review | null> {
  return t.storage.reviews.get(t.fake.teamId, id);
}

/**
 * App Home's "Post again after the answer to a posting that landed was lost" (tests/e2e/home.test.ts),
 * with the channel refusing Post again: `/ftrag` in `channel`, whose verdict lands though Slack's
 * answer is lost, so the review waits for Post again; `before` then acts on that first copy; Post
 * again, refused by the channel (and the command's response_url gone), sends the verdict to the
 * asker's DM, where the current copy is. Resolves with the channel copy as it was posted (its
 * buttons, as a client still showing it has them).
 */
async function postedAgainToAsker(
  channel: string,
  before?: (first: StoredMessage) => Promise<void>,
): Promise<{ review: Review; stale: StoredMessage; current: StoredMessage; dm: string }> {
  t.fake.addChannel(channel, { member: true });
  t.fake.loseAnswerNext('chat.postMessage');
  const { modal, responseUrl } = await t.slashCommand(KNOWLEDGE.title, { channel });
  if (!modal) throw new Error('no modal');
  await t.walkChecklist(modal.id, KNOWLEDGE);
  await expect.poll(() => t.fake.messages(channel).length).toBe(1);
  const first = t.fake.messages(channel)[0];
  if (!first) throw new Error('the first posting did not land');
  const stale = structuredClone(first);
  const id = reviewIdOf(stale);
  await expect.poll(async () => (await stored(id))?.status).toBe('failed');
  await before?.(first);

  t.fake.failNext('chat.postMessage', { error: 'not_in_channel' }, 1, (a) => a.channel === channel);
  t.fake.failResponseUrl(responseUrl, 404);
  await t.click(await t.openHome(), ActionId.retryDelivery, { blockId: `undelivered_${id}` });
  await expect.poll(async () => (await stored(id))?.status).toBe('sent-as-dm');
  const review = await stored(id);
  const dm = t.fake.dmChannelFor(ASKER);
  if (!review?.messageTs || review.postedChannelId !== dm) throw new Error('not in the DM');
  return { review, stale, current: t.message(dm, review.messageTs), dm };
}

/** Presses Export on `message` as `user`; the file it attached, and the clicker's notice. */
async function exportFrom(
  message: StoredMessage,
  user: string,
): Promise<{
  channelId: string | undefined;
  threadTs: string | undefined;
  notice: string;
  content: string;
}> {
  const files = t.fake.files().length;
  const notices = t.fake.ephemerals().length;
  const started = t.fake.calls.length;
  await t.click(message, ActionId.exportRecord, { user });
  await t.fake.waitFor('files.completeUploadExternal', (c) => c.index >= started);
  await expect.poll(() => t.fake.ephemerals().length).toBe(notices + 1);
  const uploaded = t.fake
    .files()
    .slice(files)
    .filter((f) => f.completed);
  expect(uploaded).toHaveLength(1);
  const notice = t.fake.ephemerals().at(-1);
  expect(notice).toMatchObject({ via: 'response_url', user });
  return {
    channelId: uploaded[0]?.channelId,
    threadTs: uploaded[0]?.threadTs,
    notice: String(notice?.text),
    content: uploaded[0]?.content?.toString('utf8') ?? '',
  };
}

/** chat.postMessage calls into `channel` from the call at `since` on. */
function postedInto(channel: string, since: number) {
  return t.fake.calls.filter(
    (c) => c.index >= since && c.method === 'chat.postMessage' && c.args.channel === channel,
  );
}

describe('an out-of-date copy in the channel, once the current verdict is in the asker’s DM', () => {
  it('Export by anyone else attaches the record in the thread they clicked, never the asker’s DM; the asker’s goes to the DM’s thread as before', async () => {
    const channel = 'C0STALEEXP';
    const { review, stale, dm } = await postedAgainToAsker(channel);

    const others = await exportFrom(stale, BOB);
    expect(others).toMatchObject({ channelId: channel, threadTs: stale.ts });
    // Its link is to the thread it is in: the review's own is in the asker's DM.
    expect(others.content).toContain(permalinkOf(stale.ts));
    if (!review.permalink) throw new Error('the DM copy has no permalink on record');
    expect(others.content).not.toContain(review.permalink);
    expect(others.notice).toBe(
      ':information_source: You clicked an out-of-date copy of this verdict: the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, and shows the verdict as it is now. The decision record is posted in the thread of the copy you clicked.',
    );
    // Still the place for everyone but the asker to sign off from.
    expect(t.message(channel, stale.ts).blocks).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'actions' })]),
    );

    // The asker, on the same copy as their client still shows it: the DM's thread, as before.
    const askers = await exportFrom(stale, ASKER);
    expect(askers).toMatchObject({ channelId: dm, threadTs: review.threadTs });
    expect(askers.notice).toContain('sent to you by DM, is the one to use');
    expect(askers.notice).toMatch(/The decision record is posted in its thread\.$/);
    expect(t.fake.files().filter((f) => f.channelId === dm)).toHaveLength(1);
    expectSafeAndWithinLimits(t.fake);
  });

  it('Re-run by anyone else posts the revision in the thread they clicked, never the asker’s DM; the asker’s from their DM copy goes to the DM’s thread as before', async () => {
    const channel = 'C0STALERRN';
    // Someone else may re-run once the verdict was challenged: BOB did, on the first copy.
    const { review, stale, current, dm } = await postedAgainToAsker(channel, async (first) => {
      const opening = t.fake.calls.length;
      await t.click(first, ActionId.challenge, { user: BOB });
      const modal = await t.openedModal(opening);
      await t.submit(
        modal.id,
        { [BlockId.challengeReason]: { [ActionId.challengeReason]: 'Too few labels' } },
        { user: BOB },
      );
      await expect
        .poll(
          async () => (await t.storage.votes.listVotes(t.fake.teamId, reviewIdOf(first))).length,
        )
        .toBe(1);
    });

    // The asker, from the current copy in their DM: revision 2 in the DM's thread, as before.
    const askerOpened = t.fake.calls.length;
    await t.click(current, ActionId.rerun, { user: ASKER });
    const askerModal = await t.openedModal(askerOpened);
    const askers = await t.walkToVerdict(askerModal.id, BEHAVIOR, { user: ASKER });
    expect(askers.args).toMatchObject({ channel: dm, thread_ts: review.threadTs });
    const second = reviewIdOf(askers.args);
    expect(await stored(second)).toMatchObject({ postedChannelId: dm, revision: 2 });

    // BOB, on the copy in the channel: revision 3 in its thread, where he and the channel see it.
    const notices = t.fake.ephemerals().length;
    const bobOpened = t.fake.calls.length;
    await t.click(stale, ActionId.rerun, { user: BOB });
    const bobModal = await t.openedModal(bobOpened);
    await expect.poll(() => t.fake.ephemerals().length).toBe(notices + 1);
    expect(t.fake.ephemerals().at(-1)).toMatchObject({ via: 'response_url', user: BOB });
    expect(t.fake.ephemerals().at(-1)?.text).toMatch(
      /the current one was sent to the asker by DM, where only they can open it; this copy keeps its buttons for everyone else, and shows the verdict as it is now\. Once you finish the checklist, the re-run is posted in the thread of the copy you clicked\.$/,
    );
    expect(t.message(channel, stale.ts).blocks).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'actions' })]),
    );
    const bobs = await t.walkToVerdict(bobModal.id, KNOWLEDGE, { user: BOB });
    expect(bobs.args).toMatchObject({ channel, thread_ts: stale.ts });
    expect(await stored(reviewIdOf(bobs.args))).toMatchObject({
      status: 'posted',
      postedChannelId: channel,
      threadTs: stale.ts,
      revision: 3,
      revisionOf: second,
    });
    expect(postedInto(dm, bobOpened)).toEqual([]);
    expectSafeAndWithinLimits(t.fake);
  });
});

/**
 * `/ftrag` in the channel, re-run by the asker with the channel refusing the revision, so revision
 * 2 went to their DM; then BOB challenges the first verdict, which lets him re-run.
 */
async function newestRevisionInAskersDm(): Promise<{
  parent: StoredMessage;
  second: string;
  dm: string;
}> {
  const parent = await t.reviewByCommand(KNOWLEDGE);
  t.fake.failNext('chat.postMessage', { error: 'not_in_channel' }, 1, (a) => a.channel === CHANNEL);
  const askerOpened = t.fake.calls.length;
  await t.click(parent, ActionId.rerun, { user: ASKER });
  const askers = await t.walkToVerdict((await t.openedModal(askerOpened)).id, BEHAVIOR);
  const dm = t.fake.dmChannelFor(ASKER);
  const second = reviewIdOf(askers.args);
  expect(await t.delivered(second)).toMatchObject({ status: 'sent-as-dm', postedChannelId: dm });
  await t.challenge(parent, BOB, 'Too few labels');
  return { parent, second, dm };
}

describe('a verdict whose newest revision went to the asker’s DM', () => {
  it('Re-run by anyone else posts the next revision in the thread they clicked, not the DM, as its checklist says', async () => {
    const { parent, second, dm } = await newestRevisionInAskersDm();

    // BOB re-runs it where he sees it; the checklist says so, not "the verdict's thread".
    const bobOpened = t.fake.calls.length;
    await t.click(parent, ActionId.rerun, { user: BOB });
    const bobModal = await t.openedModal(bobOpened);
    const lastStep = await walkToLastStep(bobModal.id, KNOWLEDGE);
    const promised = JSON.stringify(lastStep.view.blocks);
    expect(promised).toContain(
      'The outcome is posted as a new revision in the thread you clicked in, not in the asker’s DM where the current verdict is',
    );
    expect(promised).not.toContain('verdict’s thread');
    const posting = t.fake.calls.length;
    await t.submit(bobModal.id, valuesForStep(lastStep, KNOWLEDGE, {}), { user: BOB });
    const bobs = await t.postedParent(posting);
    expect(bobs.args).toMatchObject({ channel: CHANNEL, thread_ts: parent.ts });
    expect(await stored(reviewIdOf(bobs.args))).toMatchObject({
      status: 'posted',
      postedChannelId: CHANNEL,
      revision: 3,
      revisionOf: second,
    });
    expect(postedInto(dm, bobOpened)).toEqual([]);
    expectSafeAndWithinLimits(t.fake);
  });

  it('Re-run by anyone else that the bot can’t post in the thread they clicked goes there through the click’s response_url, not to their DM', async () => {
    const { parent, second, dm } = await newestRevisionInAskersDm();

    const bobOpened = t.fake.calls.length;
    await t.click(parent, ActionId.rerun, { user: BOB });
    const bobModal = await t.openedModal(bobOpened);
    // The bot was removed from the channel since.
    t.fake.failNext(
      'chat.postMessage',
      { error: 'not_in_channel' },
      1,
      (a) => a.channel === CHANNEL,
    );
    const posts = t.fake.responseUrlPosts.length;
    await t.walkChecklist(bobModal.id, KNOWLEDGE, { user: BOB });

    const revisionInThread = () =>
      t.fake.thread(CHANNEL, parent.ts).find((m) => isVerdict(m) && m.ts !== parent.ts);
    await expect.poll(() => revisionInThread() !== undefined, { timeout: 10_000 }).toBe(true);
    const third = revisionInThread();
    if (!third) throw new Error('no revision in the thread clicked in');
    expect(headerOf(third)).toBe(`Verdict: ${label(KNOWLEDGE)}`);
    expect(await t.delivered(reviewIdOf(third))).toMatchObject({
      status: 'posted-via-response-url',
      postedChannelId: CHANNEL,
      revision: 3,
      revisionOf: second,
    });
    // New replies in the clicked thread, the clicked verdict kept.
    const threaded = t.fake.responseUrlPosts
      .slice(posts)
      .filter((p) => isRecord(p.body) && p.body.thread_ts === parent.ts);
    expect(threaded.map((p) => isRecord(p.body) && p.body.replace_original)).toEqual([
      false,
      false,
    ]);
    expect(headerOf(t.message(CHANNEL, parent.ts))).toBe(`Verdict: ${label(KNOWLEDGE)}`);
    expect(postedInto(dm, bobOpened)).toEqual([]);
    expect(postedInto(t.fake.dmChannelFor(BOB), bobOpened)).toEqual([]);
    expect(postedInto(BOB, bobOpened)).toEqual([]);
    expectSafeAndWithinLimits(t.fake);
  });
});
