import { describe, expect, it } from 'vitest';
import { ActionId, BlockId } from '../../src/constants.js';
import type { Answers } from '../../src/decision/answers.js';
import { isRecord } from '../support/json.js';
import { appMentionEvent, clickButton, fillAndSubmit } from '../support/slackRequests.js';
import {
  ASKER,
  blocksOf,
  CHANNEL,
  E2e,
  EXAMPLES,
  headerOf,
  mrkdwnSentToSlack,
  postsThatUnfurl,
  valuesForStep,
} from './harness.js';

const e2e = E2e.forFile();

async function review(answers: Answers, channel: string, user = ASKER) {
  e2e.fake.addChannel(channel, { member: true });
  const { modal } = await e2e.slashCommand(answers.title, { channel, user });
  if (!modal) throw new Error('no modal');
  const before = e2e.fake.calls.length;
  const last = await e2e.walkChecklist(modal.id, answers, { user });
  await e2e.fake.waitFor(
    'chat.postMessage',
    (call) => call.index >= before && call.args.thread_ts !== undefined,
  );
  return { modal, last };
}

describe('/ftrag → checklist → verdict in the channel and its thread', () => {
  it('opens the modal with the command text pre-filled as "What are you building?"', async () => {
    // Slack sends `&`, `<` and `>` typed after a command as entities; the field shows what was typed.
    const { response, modal } = await e2e.slashCommand(
      'Support bot for &lt;refunds&gt; &amp; returns',
    );
    expect(response.status).toBe(200);
    expect(response.bodyText).toBe('');
    const blocks = JSON.stringify(modal?.view.blocks);
    expect(blocks).toContain('"initial_value":"Support bot for <refunds> & returns"');
    expect(blocks).toContain('Step 1 of 5');
  });

  it.each([
    ['knowledge → RAG', EXAMPLES.knowledge, 'RAG', 5],
    ['a few pages of stable facts, no prompt yet → prompt', EXAMPLES.factsInPrompt, 'Prompt', 5],
    ['behavior with 500 examples → fine-tune', EXAMPLES.behavior, 'Fine-tune', 5],
    ['knowledge and behavior → RAG + fine-tune', EXAMPLES.both, 'RAG + fine-tune', 6],
    ['a prompt that is good enough → prompt', EXAMPLES.prompt, 'Prompt', 5],
    ['no diagnosis yet → prompt', EXAMPLES.neither, 'Prompt', 4],
  ] as const)('%s', async (_name, answers, label, steps) => {
    const channel = `C0PATH${steps}${label.length}${answers.gap.length}`
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '');
    const { modal, last } = await review(answers, channel);
    expect(last.bodyText).toBe('');
    expect(e2e.fake.view(modal.id)?.open).toBe(false);
    expect(e2e.fake.view(modal.id)?.revision).toBe(steps);

    const [parent] = e2e.fake.messages(channel);
    if (!parent) throw new Error('no verdict posted');
    expect(parent.thread_ts ?? parent.ts).toBe(parent.ts);
    expect(headerOf(parent)).toBe(`Verdict: ${label}`);
    expect(parent.text.startsWith(`Verdict: ${label} — `)).toBe(true);
    expect(JSON.stringify(parent.blocks)).toContain(`<@${ASKER}>`);
    const thread = e2e.fake.thread(channel, parent.ts);
    expect(thread).toHaveLength(2);
    const detail = JSON.stringify(thread[1]?.blocks);
    for (const heading of ['*Rationale*', '*How to measure, before you trust it*', '*Sources*'])
      expect(detail).toContain(heading);
    expect(e2e.fake.violations).toEqual([]);
  });

  it('answers validation errors inside ack, keyed by block, and stays on the step', async () => {
    const { modal } = await e2e.slashCommand('');
    if (!modal) throw new Error('no modal');
    const blank = await e2e.submit(
      modal.id,
      { [BlockId.title]: { [ActionId.title]: '   ' } },
      { skipClientValidation: true },
    );
    expect(blank.json).toEqual({
      response_action: 'errors',
      errors: { [BlockId.title]: expect.any(String) },
    });

    await e2e.submit(modal.id, { [BlockId.title]: { [ActionId.title]: 'Ticket triage' } });
    await e2e.submit(modal.id, {
      [BlockId.promptTried]: { [ActionId.promptTried]: 'scored-falls-short' },
    });
    await e2e.submit(modal.id, { [BlockId.gap]: { [ActionId.gap]: 'behavior' } });
    const negative = await e2e.submit(
      modal.id,
      {
        [BlockId.labeledExamples]: { [ActionId.labeledExamples]: '-4' },
        [BlockId.trainingBudget]: { [ActionId.trainingBudget]: 'yes' },
      },
      { skipClientValidation: true },
    );
    expect(negative.json).toEqual({
      response_action: 'errors',
      errors: { [BlockId.labeledExamples]: expect.stringMatching(/whole number/) },
    });
    expect(JSON.stringify(e2e.fake.view(modal.id)?.view.blocks)).toContain('About the behavior');
  });

  it('/ftrag help answers with an ephemeral usage message and opens nothing', async () => {
    const before = e2e.fake.calls.length;
    const { response } = await e2e.slashCommand('help');
    expect(response.json).toMatchObject({ response_type: 'ephemeral' });
    expect(response.bodyText).toContain('/ftrag history');
    expect(response.bodyText).toContain('lands in this channel');
    for (const label of ['Agree', 'Challenge', 'Re-run with changes', 'Export decision record'])
      expect(response.bodyText).toContain(`*${label}*`);
    expect(e2e.fake.calls.slice(before).filter((call) => call.method === 'views.open')).toEqual([]);
  });

  it.each(['?', '-h', '--help', 'help me'])('/ftrag %s answers with the help too', async (text) => {
    const before = e2e.fake.calls.length;
    const { response } = await e2e.slashCommand(text, { opensModal: false });
    expect(response.json).toMatchObject({ response_type: 'ephemeral' });
    expect(response.bodyText).toContain('/ftrag history');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.fake.calls.slice(before).filter((call) => call.method === 'views.open')).toEqual([]);
  });

  it('/ftrag help in a direct message says the verdict is posted there, not in a channel', async () => {
    const { response } = await e2e.slashCommand('help', { channel: 'D0HELPDM01' });
    expect(response.bodyText).toContain('this direct message');
    expect(response.bodyText).not.toContain('this channel');
  });

  it('/ftrag histroy asks whether history was meant, and still starts that review on request', async () => {
    const channel = 'C0TYPO0001';
    e2e.fake.addChannel(channel, { member: true });
    const before = e2e.fake.calls.length;
    const { response } = await e2e.slashCommand('histroy', { channel, opensModal: false });
    expect(response.json).toMatchObject({
      response_type: 'ephemeral',
      text: 'Did you mean `/ftrag history`?',
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.fake.calls.slice(before).filter((call) => call.method === 'views.open')).toEqual([]);

    // The answer is ephemeral: its button is clicked where the command was typed.
    const answer = { ts: '1700000000.000200', channel, blocks: blocksOf(response.json ?? {}) };
    const opening = e2e.fake.calls.length;
    const clickResponseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
    const click = await e2e.slack().interactive(
      clickButton(answer, ActionId.startCommandReview, {
        user: ASKER,
        isEphemeral: true,
        triggerId: e2e.fake.issueTriggerId({ userId: ASKER }),
        responseUrl: clickResponseUrl,
      }),
    );
    expect(click.status).toBe(200);
    const modal = await e2e.openedModal(opening);
    expect(JSON.stringify(modal.view.blocks)).toContain('"initial_value":"histroy"');
    // Answered: the question goes, so its button can't open a second checklist.
    await expect
      .poll(() => e2e.fake.responseUrlPostsTo(clickResponseUrl).map((post) => post.body))
      .toEqual([{ delete_original: true }]);

    const posting = e2e.fake.calls.length;
    await e2e.walkChecklist(modal.id, { ...EXAMPLES.knowledge, title: 'histroy' });
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index >= posting && call.args.thread_ts !== undefined,
    );
    const [parent] = e2e.fake.messages(channel);
    expect(headerOf(parent ?? {})).toBe('Verdict: RAG');
    expect(JSON.stringify(parent?.blocks)).toContain('histroy');
    expect(e2e.fake.violations).toEqual([]);
  });

  it('/ftrag histroy: "Show the history" answers the question in its place with this channel’s reviews', async () => {
    const channel = 'C0TYPO0002';
    await review({ ...EXAMPLES.knowledge, title: 'Reviewed before the typo' }, channel);
    const { response } = await e2e.slashCommand('histroy', { channel, opensModal: false });
    const answer = { ts: '1700000000.000300', channel, blocks: blocksOf(response.json ?? {}) };
    const before = e2e.fake.calls.length;
    const clickResponseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
    const click = await e2e.slack().interactive(
      clickButton(answer, ActionId.runMeantCommand, {
        user: ASKER,
        isEphemeral: true,
        triggerId: e2e.fake.issueTriggerId({ userId: ASKER }),
        responseUrl: clickResponseUrl,
      }),
    );
    expect(click.status).toBe(200);
    await expect.poll(() => e2e.fake.responseUrlPostsTo(clickResponseUrl).length).toBe(1);
    const [post] = e2e.fake.responseUrlPostsTo(clickResponseUrl);
    expect(post?.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    const shown = JSON.stringify(post?.body);
    expect(shown).toContain('Reviewed before the typo');
    expect(shown).not.toContain('Did you mean');
    expect(e2e.fake.calls.slice(before).filter((call) => call.method === 'views.open')).toEqual([]);
    expect(e2e.fake.violations).toEqual([]);
  });

  it('/ftrag hepl: "Show the help" answers the question in its place with the help', async () => {
    const channel = 'C0TYPO0003';
    e2e.fake.addChannel(channel, { member: true });
    const { response } = await e2e.slashCommand('hepl', { channel, opensModal: false });
    expect(response.json).toMatchObject({ text: 'Did you mean `/ftrag help`?' });
    const answer = { ts: '1700000000.000400', channel, blocks: blocksOf(response.json ?? {}) };
    const clickResponseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
    await e2e.slack().interactive(
      clickButton(answer, ActionId.runMeantCommand, {
        user: ASKER,
        isEphemeral: true,
        triggerId: e2e.fake.issueTriggerId({ userId: ASKER }),
        responseUrl: clickResponseUrl,
      }),
    );
    await expect.poll(() => e2e.fake.responseUrlPostsTo(clickResponseUrl).length).toBe(1);
    const [post] = e2e.fake.responseUrlPostsTo(clickResponseUrl);
    expect(post?.body).toMatchObject({
      response_type: 'ephemeral',
      replace_original: true,
      text: 'ftrag: how to run a review',
    });
    expect(JSON.stringify(post?.body)).toContain('lands in this channel');
    expect(e2e.fake.violations).toEqual([]);
  });

  it('/ftrag history lists this channel’s reviews ephemerally, with links', async () => {
    const channel = 'C0HISTORY1';
    await review(EXAMPLES.knowledge, channel);
    // The review is marked posted (with its permalink) just after the thread reply lands.
    const historyPost = async () => {
      const { response, responseUrl } = await e2e.slashCommand('history', { channel });
      expect(response.status).toBe(200);
      await expect.poll(() => e2e.fake.responseUrlPostsTo(responseUrl).length).toBe(1);
      return JSON.stringify(e2e.fake.responseUrlPostsTo(responseUrl)[0]?.body);
    };
    await expect.poll(historyPost).toContain('|thread>');
    const post = await historyPost();
    expect(post).toContain('"response_type":"ephemeral"');
    expect(post).toContain(EXAMPLES.knowledge.title);
    expect(post).not.toContain('pending');
  });

  it('posts one verdict when the last step is submitted twice', async () => {
    const channel = 'C0TWICE001';
    e2e.fake.addChannel(channel, { member: true });
    const { modal } = await e2e.slashCommand('Twice', { channel });
    if (!modal) throw new Error('no modal');
    const answers = { ...EXAMPLES.knowledge, title: 'Twice' };
    // Walk to the last step, then submit it twice before the first has posted.
    for (let step = 0; step < 3; step++) {
      const view = e2e.fake.view(modal.id);
      if (!view) throw new Error('no view');
      await e2e.submit(modal.id, valuesForStep(view, answers, {}));
    }
    await e2e.submit(modal.id, {
      [BlockId.changesOften]: { [ActionId.changesOften]: 'yes' },
      [BlockId.citationsNeeded]: { [ActionId.citationsNeeded]: 'yes' },
      [BlockId.fitsInPrompt]: { [ActionId.fitsInPrompt]: 'no' },
    });
    const lastView = e2e.fake.view(modal.id);
    if (!lastView) throw new Error('no view');
    const payload = fillAndSubmit(lastView, {}, { user: ASKER });
    const [first, second] = await Promise.all([
      e2e.slack().interactive(payload),
      e2e.slack().interactive(payload),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === channel && call.args.thread_ts !== undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      e2e.fake
        .messages(channel)
        .filter((message) => !message.thread_ts || message.thread_ts === message.ts),
    ).toHaveLength(1);
  });
});

describe('whether the facts fit in the prompt', () => {
  it('puts a few pages of stable facts in the prompt: the answer and the prompt verdict are posted', async () => {
    const channel = 'C0FACTSFIT';
    const answers = EXAMPLES.factsInPrompt;
    await review(answers, channel);
    const [parent] = e2e.fake.messages(channel);
    if (!parent) throw new Error('no verdict posted');
    expect(headerOf(parent)).toBe('Verdict: Prompt');
    expect(parent.text).toContain('the facts are few and stable enough to paste into the prompt');
    const detail = JSON.stringify(e2e.fake.thread(channel, parent.ts)[1]?.blocks);
    expect(detail).toContain('must cite sources: Yes · fits in the prompt: Yes');
    expect(detail).toContain('Put the facts in the prompt');
    expect(detail).toContain(
      '*Update a fact*\\nPrompt: Edit the facts in the prompt; live with the next prompt version\\nRAG: Edit the source; live at once',
    );
    expect(detail).not.toContain('never saw');
    expect(e2e.fake.violations).toEqual([]);
  });

  it('asks it on the knowledge step and will not go on without an answer', async () => {
    const { modal } = await e2e.slashCommand('Office addresses');
    if (!modal) throw new Error('no modal');
    const answers = { ...EXAMPLES.factsInPrompt, title: 'Office addresses' };
    for (let step = 0; step < 3; step++) {
      const view = e2e.fake.view(modal.id);
      if (!view) throw new Error('no view');
      await e2e.submit(modal.id, valuesForStep(view, answers, {}));
    }
    expect(JSON.stringify(e2e.fake.view(modal.id)?.view.blocks)).toContain(
      'Would all the facts the model needs fit in the prompt?',
    );
    const unanswered = await e2e.submit(
      modal.id,
      {
        [BlockId.changesOften]: { [ActionId.changesOften]: 'no' },
        [BlockId.citationsNeeded]: { [ActionId.citationsNeeded]: 'no' },
      },
      { skipClientValidation: true },
    );
    expect(unanswered.json).toEqual({
      response_action: 'errors',
      errors: { [BlockId.fitsInPrompt]: expect.stringMatching(/fit in the prompt/) },
    });
  });

  it('finishes a checklist whose knowledge step was shown before the question existed, deciding as before', async () => {
    const channel = 'C0OLDVIEW1';
    e2e.fake.addChannel(channel, { member: true });
    const { modal } = await e2e.slashCommand('Office addresses, opened before the deploy', {
      channel,
    });
    if (!modal) throw new Error('no modal');
    const answers = {
      ...EXAMPLES.factsInPrompt,
      title: 'Office addresses, opened before the deploy',
      knowledge: { changesOften: false, citationsNeeded: false },
    };
    for (let step = 0; step < 3; step++) {
      const view = e2e.fake.view(modal.id);
      if (!view) throw new Error('no view');
      await e2e.submit(modal.id, valuesForStep(view, answers, {}));
    }
    // The knowledge step as the previous version built it: without the question.
    const shown = e2e.fake.view(modal.id);
    if (!shown || !Array.isArray(shown.view.blocks)) throw new Error('no view');
    shown.view.blocks = shown.view.blocks.filter(
      (block) => !(isRecord(block) && block.block_id === BlockId.fitsInPrompt),
    );
    const next = await e2e.submit(modal.id, valuesForStep(shown, answers, {}));
    expect(next.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(e2e.fake.view(modal.id)?.view.blocks)).toContain('ftrag will say: RAG');
    const before = e2e.fake.calls.length;
    await e2e.walkChecklist(modal.id, answers);
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index >= before && call.args.thread_ts !== undefined,
    );
    const [parent] = e2e.fake.messages(channel);
    expect(headerOf(parent ?? {})).toBe('Verdict: RAG');
    const detail = JSON.stringify(e2e.fake.thread(channel, parent?.ts ?? '')[1]?.blocks);
    expect(detail).not.toContain('fits in the prompt');
  });
});

describe('personal or customer data, or who may see what', () => {
  it('ticked on the first step: the fine-tune verdict posted warns that weights keep no access control', async () => {
    const channel = 'C0RESTRICT';
    const answers = {
      ...EXAMPLES.both,
      title: 'Refund answers on customer accounts',
      restrictedData: true,
    };
    const { modal } = await review(answers, channel);
    const [parent] = e2e.fake.messages(channel);
    if (!parent) throw new Error('no verdict posted');
    // The verdict the rule gives, warned.
    expect(headerOf(parent)).toBe('Verdict: RAG + fine-tune');
    // The channel names the warning; the thread says it in full, once.
    const titled = JSON.stringify(parent.blocks);
    expect(titled).toMatch(/:warning: \*(Warning|\d warnings):\*[^"]*No access control in weights/);
    expect(titled).not.toContain('fine-tuned weights keep no access control');
    const detail = JSON.stringify(e2e.fake.thread(channel, parent.ts)[1]?.blocks);
    expect(detail).toContain(':warning: *No access control in weights:*');
    expect(detail).toContain(
      '*Restricted data:* Yes (personal or customer data, or per-user access)',
    );
    expect(detail).toContain('Filter retrieval by the asker’s permissions');
    expect(detail).toContain('Choose what to tune: where the data must stay in-house');
    expect(detail).toContain(
      'Tune only on examples everyone who can use the model may see, scrubbed of personal data',
    );
    expect(e2e.fake.view(modal.id)?.open).toBe(false);
    expect(e2e.fake.violations).toEqual([]);
  });

  it('left unticked: not said, the same verdict without the warning', async () => {
    const channel = 'C0UNTICKED';
    await review({ ...EXAMPLES.both, title: 'Refund answers, nothing said of access' }, channel);
    const [parent] = e2e.fake.messages(channel);
    if (!parent) throw new Error('no verdict posted');
    expect(headerOf(parent)).toBe('Verdict: RAG + fine-tune');
    const posted = JSON.stringify([parent, ...e2e.fake.thread(channel, parent.ts)]);
    expect(posted).not.toContain('access control');
    expect(posted).not.toContain('Restricted data');
  });
});

describe('errors reach the person', () => {
  it('a modal Slack refuses to open (expired trigger) gets a short ephemeral explanation', async () => {
    const responseUrl = e2e.fake.newResponseUrl({ channel: CHANNEL, userId: ASKER });
    const response = await e2e.slack().slashCommand({
      command: '/ftrag',
      text: 'Too slow',
      channelId: CHANNEL,
      user: ASKER,
      triggerId: e2e.fake.issueTriggerId({ userId: ASKER, issuedAt: Date.now() - 10_000 }),
      responseUrl,
    });
    expect(response.status).toBe(200);
    await expect.poll(() => e2e.fake.responseUrlPostsTo(responseUrl).length).toBe(1);
    const post = e2e.fake.responseUrlPostsTo(responseUrl)[0]?.body;
    expect(post).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/^:warning: Sorry, ftrag hit a problem/),
    });
    // Logged before the notice is posted, but it reaches the test through stdout, maybe after.
    await e2e.waitForLog(
      /slash_command \/ftrag team=T0FAKETEAM user=U0ASKER001: expired_trigger_id/,
    );
  });

  it.each([
    ['an ephemeral message in the channel', 'C0NOTIFY01', true],
    ['a DM, when the bot is not in the channel either', 'C0NOTIFY02', false],
  ] as const)(
    'when the response_url is refused, the explanation comes as %s',
    async (_how, channel, botInChannel) => {
      const responseUrl = e2e.fake.newResponseUrl({ channel, userId: ASKER });
      e2e.fake.failResponseUrl(responseUrl, 404);
      e2e.fake.addChannel(channel, { member: botInChannel });
      const dmBefore = e2e.fake.messages(ASKER).length;
      const response = await e2e.slack().slashCommand({
        command: '/ftrag',
        text: 'Too slow, again',
        channelId: channel,
        user: ASKER,
        triggerId: e2e.fake.issueTriggerId({ userId: ASKER, issuedAt: Date.now() - 10_000 }),
        responseUrl,
      });
      expect(response.status).toBe(200);
      const explanation = expect.stringMatching(/^:warning: Sorry, ftrag hit a problem/);
      if (botInChannel) {
        await expect.poll(() => e2e.fake.ephemerals(channel).length).toBe(1);
        expect(e2e.fake.ephemerals(channel)[0]).toMatchObject({ user: ASKER, text: explanation });
        expect(e2e.fake.messages(ASKER)).toHaveLength(dmBefore);
      } else {
        await expect.poll(() => e2e.fake.messages(ASKER).length).toBe(dmBefore + 1);
        expect(e2e.fake.messages(ASKER).at(-1)).toMatchObject({ text: explanation });
        expect(e2e.fake.ephemerals(channel)).toEqual([]);
      }
      expect(e2e.fake.responseUrlPostsTo(responseUrl).map((post) => post.status)).toEqual([404]);
    },
  );
});

describe('requests that are not from Slack', () => {
  it('rejects a forged signature and a timestamp older than 5 minutes with 401, calling no Web API', async () => {
    const before = e2e.fake.calls.length;
    const trigger = e2e.fake.issueTriggerId({ userId: ASKER });
    const forged = await e2e
      .slack()
      .slashCommand({ command: '/ftrag', text: 'x', triggerId: trigger }, { forge: true });
    const stale = await e2e
      .slack()
      .slashCommand({ command: '/ftrag', text: 'x', triggerId: trigger }, { stale: true });
    const unsigned = await e2e
      .slack()
      .slashCommand({ command: '/ftrag', text: 'x', triggerId: trigger }, { omitSignature: true });
    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.fake.calls.slice(before)).toEqual([]);
  });

  // The guard in front of Bolt's receiver verifies every request (Bolt's receiver is told not to):
  // each kind of body, form or JSON, is refused before any listener sees it.
  it('refuses a forged step, event or URL check with 401 before any listener sees it', async () => {
    const channel = 'C0FORGED01';
    e2e.fake.addChannel(channel, { member: true });
    const { modal } = await e2e.slashCommand(EXAMPLES.knowledge.title, { channel });
    if (!modal) throw new Error('no modal');
    const shown = e2e.fake.view(modal.id);
    if (!shown) throw new Error(`no view ${modal.id}`);
    const step = fillAndSubmit(shown, valuesForStep(shown, EXAMPLES.knowledge, {}), {
      user: ASKER,
    });
    const revision = shown.revision;
    const before = e2e.fake.calls.length;
    const client = e2e.slack();
    const answers = [
      await client.interactive(step, { forge: true }),
      await client.interactive(step, { stale: true }),
      await client.interactive(step, { omitSignature: true }),
      await client.event(appMentionEvent({ text: '<@U0FAKEBOT1> review', channel }), {
        forge: true,
      }),
      await client.urlVerification('forged-challenge', { forge: true }),
      // Marked as Slack's SSL check, which comes unsigned, yet carrying a payload: only the
      // check is answered.
      await client.post(
        `ssl_check=1&payload=${encodeURIComponent(JSON.stringify(step))}`,
        'application/x-www-form-urlencoded',
        { forge: true },
      ),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 200]);
    expect(answers.map((answer) => answer.bodyText)).toEqual(['', '', '', '', '', '']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(e2e.fake.calls.slice(before)).toEqual([]);
    // Refused for their signatures alone: the same submission, signed, moves the checklist on.
    const signed = await client.interactive(step);
    expect(signed.status).toBe(200);
    expect(e2e.fake.applyViewResponse(modal.id, signed.json ?? null).ok).toBe(true);
    expect(e2e.fake.view(modal.id)?.revision).toBe(revision + 1);
  });
});

describe('typed text is data', () => {
  it('<!channel> typed into every text field never reaches Slack unescaped', async () => {
    const channel = 'C0HOSTILE1';
    const hostile =
      '<!channel> <!here> <!subteam^S0123|@eng> <@U0VICTIM1> <https://evil.test|click>';
    await review(
      { ...EXAMPLES.both, title: hostile, problem: `${hostile}\nsecond line ${hostile}` },
      channel,
    );
    const texts = mrkdwnSentToSlack(e2e.fake);
    expect(texts.length).toBeGreaterThan(5);
    const sent = texts.join('\n');
    for (const needle of [
      '<!channel>',
      '<!here>',
      '<!subteam^',
      '<@U0VICTIM1>',
      '<https://evil.test',
    ]) {
      expect(sent).not.toContain(needle);
    }
    expect(sent).toContain('&lt;!channel&gt;');
    expect(postsThatUnfurl(e2e.fake, 'evil.test')).toEqual([]);
  });
});

describe('the modal’s state', () => {
  it('a tampered private_metadata gets a clear error view, not a crash', async () => {
    const { modal } = await e2e.slashCommand('Tamper');
    if (!modal) throw new Error('no modal');
    for (const metadata of ['{"v":1,"step":"review"', '{"v":99}', 'x'.repeat(3000), '']) {
      const view = e2e.fake.view(modal.id);
      if (!view) throw new Error('no view');
      const payload = fillAndSubmit(
        view,
        { [BlockId.title]: { [ActionId.title]: 'T' } },
        { user: ASKER },
      );
      payload.view.private_metadata = metadata;
      const response = await e2e.slack().interactive(payload);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
      expect(JSON.stringify(response.json)).toContain('could not be read');
    }
    const health = await fetch(`${e2e.apps[0]?.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('a restart of the app between two steps loses nothing', async () => {
    const channel = 'C0RESTART1';
    e2e.fake.addChannel(channel, { member: true });
    const { modal } = await e2e.slashCommand('Survives restarts', { channel });
    if (!modal) throw new Error('no modal');
    const answers = { ...EXAMPLES.behavior, title: 'Survives restarts' };
    const first = e2e.fake.view(modal.id);
    if (!first) throw new Error('no view');
    await e2e.submit(modal.id, valuesForStep(first, answers, {}));
    await e2e.restart(0);
    const before = e2e.fake.calls.length;
    await e2e.walkChecklist(modal.id, answers);
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index >= before && call.args.thread_ts !== undefined,
    );
    const [parent] = e2e.fake.messages(channel);
    expect(parent?.text).toContain('Verdict: Fine-tune');
    expect(JSON.stringify(parent?.blocks)).toContain('Survives restarts');
  });
});

/** The modal `modalId` as the fake has it (open, or the test fails), and its blocks as JSON. */
function openModal(modalId: string) {
  const current = () => {
    const view = e2e.fake.view(modalId);
    if (!view?.open) throw new Error('the modal is not open');
    return view;
  };
  return { current, onScreen: () => JSON.stringify(current().view.blocks) };
}

describe('Back in the checklist', () => {
  it('goes back two steps from Check and post; a changed answer changes the verdict', async () => {
    const channel = 'C0GOBACK01';
    e2e.fake.addChannel(channel, { member: true });
    const answers = EXAMPLES.knowledge;
    const { modal } = await e2e.slashCommand(answers.title, { channel });
    if (!modal) throw new Error('no modal');
    const { current, onScreen } = openModal(modal.id);
    while (!onScreen().includes('Check and post'))
      await e2e.submit(modal.id, valuesForStep(current(), answers, {}));
    expect(onScreen()).toContain('ftrag will say: RAG');

    const back = async () => {
      const revision = current().revision;
      const response = await e2e.click(current(), ActionId.checklistBack);
      expect(response.bodyText).toBe('');
      await expect.poll(() => current().revision).toBe(revision + 1);
    };
    await back();
    expect(onScreen()).toContain('About the knowledge');
    expect(onScreen()).toContain('"initial_option":{"value":"yes"');
    await back();
    expect(onScreen()).toContain('What is missing?');
    expect(onScreen()).toContain('"initial_option":{"value":"knowledge"');

    const before = e2e.fake.calls.length;
    const changed = { ...EXAMPLES.behavior, title: answers.title };
    await e2e.walkChecklist(modal.id, changed);
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index >= before && call.args.thread_ts !== undefined,
    );
    const [parent] = e2e.fake.messages(channel);
    expect(headerOf(parent ?? {})).toBe('Verdict: Fine-tune');
    expect(e2e.fake.messages(channel)).toHaveLength(1);
    expect(e2e.fake.violations).toEqual([]);
  });
});

describe('changing the gap mid-checklist', () => {
  it('keeps the behavior answers through both → knowledge → both, and posts only the chosen gap’s', async () => {
    const channel = 'C0REGAP001';
    e2e.fake.addChannel(channel, { member: true });
    const both = EXAMPLES.both;
    const { modal } = await e2e.slashCommand(both.title, { channel });
    if (!modal) throw new Error('no modal');
    const { current, onScreen } = openModal(modal.id);
    const next = (answers: Answers) => e2e.submit(modal.id, valuesForStep(current(), answers, {}));
    // Back with what is entered on the step on screen, as a person would click it.
    const back = async (answers: Answers) => {
      const revision = current().revision;
      await e2e.click(current(), ActionId.checklistBack, {
        values: valuesForStep(current(), answers, {}),
      });
      await expect.poll(() => current().revision).toBe(revision + 1);
    };
    while (!onScreen().includes('About the behavior')) await next(both);
    // 300 examples entered on the behavior step, then Back to the gap step.
    await back(both);
    await back(both);
    expect(onScreen()).toContain('What is missing?');
    const knowledge = { ...both, gap: 'knowledge' as const, behavior: undefined };
    await next(knowledge);
    expect(onScreen()).toContain('About the knowledge');
    await back(knowledge);
    await next(both);
    await next(both);
    expect(onScreen()).toContain('About the behavior');
    expect(onScreen()).toContain('"initial_value":"300"');
    expect(onScreen()).toContain('"initial_option":{"value":"yes"');

    // Knowledge after all: neither the last step nor the posted review carries the behavior.
    await back(both);
    await back(both);
    await next(knowledge);
    await next(knowledge);
    expect(onScreen()).toContain('Check and post');
    expect(onScreen()).not.toContain('*Behavior:*');
    expect(onScreen()).toContain('ftrag will say: RAG*');
    const before = e2e.fake.calls.length;
    await e2e.walkChecklist(modal.id, knowledge);
    await e2e.fake.waitFor(
      'chat.postMessage',
      (call) => call.index >= before && call.args.thread_ts !== undefined,
    );
    const [parent] = e2e.fake.messages(channel);
    if (!parent) throw new Error('no verdict posted');
    expect(headerOf(parent)).toBe('Verdict: RAG');
    const detail = JSON.stringify(e2e.fake.thread(channel, parent.ts)[1]?.blocks);
    expect(detail).toContain('*Knowledge:*');
    expect(detail).not.toContain('*Behavior:*');
    expect(e2e.fake.violations).toEqual([]);
  });
});

void CHANNEL;
