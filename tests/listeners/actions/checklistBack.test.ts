import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import {
  type ChecklistState,
  decodeState,
  encodeState,
  type ReviewChoices,
  startChecklist,
} from '../../../src/checklist/state.js';
import { ActionId, BlockId } from '../../../src/constants.js';
import { registerActions } from '../../../src/listeners/actions/index.js';
import { ListenerRoutes } from '../../../src/listeners/routes.js';
import { registerViews } from '../../../src/listeners/views/index.js';
import { createKyselyReviewRepository } from '../../../src/storage/reviewRepository.js';
import { buildChecklistStepView } from '../../../src/views/checklistModal.js';
import { uniqueId } from '../../storage/support.js';
import { capturedLog } from '../../support/capturedLog.js';
import { deliverySetup } from '../../support/deliverySetup.js';
import { isRecord, type JsonObject } from '../../support/json.js';
import { clickButton, fillAndSubmit, type ViewValues } from '../../support/slackRequests.js';

const CHANNEL = 'C0BACKSTEP';
const USER = 'U0BACKSTEP';
const setup = deliverySetup(CHANNEL);

function instance() {
  const clock = () => new Date();
  const reviews = createKyselyReviewRepository(setup.database().db, clock);
  const log = capturedLog();
  const app = setup.boltApp(log.log);
  const routes = new ListenerRoutes();
  const deps = setup.listenerDeps(reviews, clock);
  registerActions(routes, deps);
  registerViews(routes, deps);
  app.use(routes.dispatch);
  const teamId = uniqueId('T');
  const fake = setup.fake();
  const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
  return {
    logged: () => log.lines.map((line) => String(line.msg)),
    /** Opens a modal for USER the way the app does; returns its id. */
    async open(view: JsonObject | ReturnType<typeof buildChecklistStepView>): Promise<string> {
      const opened = await client.views.open({
        trigger_id: fake.issueTriggerId({ userId: USER }),
        view: view as ReturnType<typeof buildChecklistStepView>,
      });
      const id = opened.view?.id;
      if (!id) throw new Error('no view opened');
      return id;
    },
    /** The click on Back in `view` (as it is now), with `values` typed in. */
    backPayload(viewId: string, values: ViewValues = {}) {
      const stored = fake.view(viewId);
      if (!stored) throw new Error(`no view ${viewId}`);
      return clickButton(stored, ActionId.checklistBack, { user: USER, values });
    },
    async click(payload: object): Promise<void> {
      await app.processEvent({ body: payload, ack: async () => {} });
    },
    /**
     * Submits the modal `viewId` as it is now with `values` typed in, applies the answer to the
     * view as Slack would, and waits for the saving and posting it started.
     */
    async submit(viewId: string, values: ViewValues = {}): Promise<void> {
      const stored = fake.view(viewId);
      if (!stored) throw new Error(`no view ${viewId}`);
      const payload = fillAndSubmit(stored, values, { user: USER, workspace: { teamId } });
      let answer: unknown;
      await app.processEvent({
        body: payload,
        ack: async (response?: unknown) => {
          answer = response;
        },
      });
      expect(fake.applyViewResponse(viewId, answer).problems).toEqual([]);
      expect(await deps.work.drain(10_000)).toBe(true);
    },
    /** The reviews saved by this instance's submissions. */
    async saved() {
      return (await reviews.list({ teamId }, { limit: 10, offset: 0 })).reviews;
    },
  };
}

/** The element of the modal's input block `blockId`. */
function inputElement(viewId: string, blockId: string): Record<string, unknown> | undefined {
  const blocks = setup.fake().view(viewId)?.view.blocks;
  const block = (Array.isArray(blocks) ? blocks : []).find(
    (candidate) => isRecord(candidate) && candidate.block_id === blockId,
  );
  const element = isRecord(block) ? block.element : undefined;
  return isRecord(element) ? element : undefined;
}

function stateOf(viewId: string): ChecklistState {
  const view = setup.fake().view(viewId)?.view;
  const decoded = decodeState(String(view?.private_metadata));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.state;
}

/** The option a radio input of the modal starts with. */
function initialOption(viewId: string, blockId: string): unknown {
  const blocks = setup.fake().view(viewId)?.view.blocks;
  const block = (Array.isArray(blocks) ? blocks : []).find(
    (candidate) => isRecord(candidate) && candidate.block_id === blockId,
  );
  const element = isRecord(block) ? block.element : undefined;
  const initial = isRecord(element) ? element.initial_option : undefined;
  return isRecord(initial) ? initial.value : undefined;
}

const base = startChecklist({
  origin: 'command',
  channelId: CHANNEL,
  threadTs: null,
  responseUrl: null,
  draft: {
    title: 'Triage',
    leaning: 'undecided',
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: false },
  },
});

/** Complete answers whose detail step is the knowledge one, right before Check and post. */
const knowledgeAnswers = {
  title: 'Refund answers',
  leaning: 'undecided' as const,
  promptTried: 'scored-falls-short' as const,
  gap: 'knowledge' as const,
  knowledge: { changesOften: true, citationsNeeded: true, fitsInPrompt: false },
};

/** "Check and post" of a checklist started from App Home, with the choices kept before Back. */
function homeReviewStep(reviewChoices?: ReviewChoices) {
  const fromHome = startChecklist({
    origin: 'home',
    channelId: null,
    threadTs: null,
    responseUrl: null,
    draft: knowledgeAnswers,
  });
  return buildChecklistStepView({
    ...fromHome,
    step: 'review',
    ...(reviewChoices ? { reviewChoices } : {}),
  });
}

describe('Back in the checklist', () => {
  it('shows the previous step with its answers, keeping what this step held', async () => {
    const app = instance();
    const viewId = await app.open(buildChecklistStepView({ ...base, step: 'behavior' }));
    const payload = app.backPayload(viewId, {
      [BlockId.behaviorKinds]: { [ActionId.behaviorKinds]: ['format'] },
      [BlockId.trainingBudget]: { [ActionId.trainingBudget]: 'no' },
    });
    // A number Slack's client would flag, still in the state when Back is clicked: not kept.
    const state = payload.view?.state;
    if (!isRecord(state) || !isRecord(state.values)) throw new Error('no state');
    state.values[BlockId.labeledExamples] = {
      [ActionId.labeledExamples]: { type: 'number_input', value: '-3' },
    };
    await app.click(payload);

    expect(setup.fake().view(viewId)?.revision).toBe(2);
    const back = stateOf(viewId);
    expect(back.step).toBe('knowledge');
    expect(back.draft.behavior).toEqual({ kinds: ['format'], trainingBudget: false });
    expect(back.draft.knowledge).toEqual({
      changesOften: true,
      citationsNeeded: false,
      fitsInPrompt: false,
    });
    const blocks = JSON.stringify(setup.fake().view(viewId)?.view.blocks);
    expect(blocks).toContain('About the knowledge');
    expect(initialOption(viewId, BlockId.changesOften)).toBe('yes');
    expect(initialOption(viewId, BlockId.citationsNeeded)).toBe('no');
    expect(initialOption(viewId, BlockId.fitsInPrompt)).toBe('no');
    expect(setup.fake().violations).toEqual([]);

    // And once more: the gap, with the answer picked before.
    await app.click(app.backPayload(viewId));
    expect(stateOf(viewId).step).toBe('gap');
    expect(initialOption(viewId, BlockId.gap)).toBe('both');
  });

  it('keeps the channel picked on Check and post from App Home through Back and forward, and posts there', async () => {
    const picked = 'C0BACKPICK';
    setup.fake().addChannel(picked, { member: true });
    const app = instance();
    const viewId = await app.open(homeReviewStep());

    await app.click(
      app.backPayload(viewId, { [BlockId.destination]: { [ActionId.destination]: picked } }),
    );
    expect(stateOf(viewId)).toMatchObject({
      step: 'knowledge',
      reviewChoices: { destinationChannelId: picked },
    });

    await app.submit(viewId);
    expect(stateOf(viewId).step).toBe('review');
    expect(inputElement(viewId, BlockId.destination)?.initial_conversation).toBe(picked);
    expect(setup.fake().violations).toEqual([]);

    // Posted as the modal shows it, untouched: to the channel picked before Back.
    await app.submit(viewId);
    const [review, ...others] = await app.saved();
    expect(others).toEqual([]);
    expect(review).toMatchObject({ status: 'posted', postedChannelId: picked });
    expect(setup.fake().messages(picked)).toHaveLength(1);
  });

  it('keeps "Also send to the channel" of a thread reply through two steps back and forward', async () => {
    const app = instance();
    const thread = setup.fake().addMessage(CHANNEL, { text: 'Should this be RAG?' });
    const fromMention = startChecklist({
      origin: 'mention',
      channelId: CHANNEL,
      threadTs: thread.ts,
      responseUrl: null,
      draft: knowledgeAnswers,
    });
    const viewId = await app.open(buildChecklistStepView({ ...fromMention, step: 'review' }));

    await app.click(
      app.backPayload(viewId, { [BlockId.broadcast]: { [ActionId.broadcast]: ['broadcast'] } }),
    );
    expect(stateOf(viewId).reviewChoices).toEqual({ broadcast: true });
    // Back from an earlier step, and each Next: the choice travels along unchanged.
    await app.click(app.backPayload(viewId));
    expect(stateOf(viewId)).toMatchObject({ step: 'gap', reviewChoices: { broadcast: true } });
    await app.submit(viewId);
    expect(stateOf(viewId)).toMatchObject({
      step: 'knowledge',
      reviewChoices: { broadcast: true },
    });
    await app.submit(viewId);
    expect(stateOf(viewId).step).toBe('review');
    expect(inputElement(viewId, BlockId.broadcast)?.initial_options).toMatchObject([
      { value: 'broadcast' },
    ]);

    const posts = setup.fake().callCount('chat.postMessage');
    await app.submit(viewId);
    const [verdict] = setup.fake().callsTo('chat.postMessage').slice(posts);
    expect(verdict?.args.thread_ts).toBe(thread.ts);
    expect(String(verdict?.args.reply_broadcast)).toBe('true');
    const [review] = await app.saved();
    expect(review?.target).toMatchObject({ threadTs: thread.ts, broadcast: true });
    expect(setup.fake().violations).toEqual([]);
  });

  it('forgets a choice cleared on Check and post before Back', async () => {
    const app = instance();
    const viewId = await app.open(homeReviewStep({ destinationChannelId: CHANNEL }));
    await app.click(
      app.backPayload(viewId, { [BlockId.destination]: { [ActionId.destination]: null } }),
    );
    expect(stateOf(viewId).step).toBe('knowledge');
    expect(stateOf(viewId)).not.toHaveProperty('reviewChoices');
  });

  it('posts where Check and post says when submitted, not where it said before Back', async () => {
    const app = instance();
    const viewId = await app.open(homeReviewStep({ destinationChannelId: CHANNEL }));
    await app.submit(viewId, { [BlockId.destination]: { [ActionId.destination]: null } });
    const [review] = await app.saved();
    expect(review).toMatchObject({
      status: 'posted',
      postedChannelId: setup.fake().dmChannelFor(USER),
    });
  });

  it('leaves a view that changed since the click alone (hash_conflict), without an error', async () => {
    const app = instance();
    const viewId = await app.open(buildChecklistStepView({ ...base, step: 'review' }));
    const stale = app.backPayload(viewId);
    await app.click(app.backPayload(viewId));
    expect(stateOf(viewId).step).toBe('behavior');

    await app.click(stale);
    expect(stateOf(viewId).step).toBe('behavior');
    expect(setup.fake().view(viewId)?.revision).toBe(2);
    expect(app.logged().some((line) => line.includes('newer view'))).toBe(true);
  });

  it('shows the error view when the modal’s state cannot be read', async () => {
    const app = instance();
    const view = buildChecklistStepView({ ...base, step: 'prompt' });
    const viewId = await app.open({ ...view, private_metadata: encodeState(base).slice(1) });
    await app.click(app.backPayload(viewId));
    const shown = setup.fake().view(viewId)?.view;
    expect(JSON.stringify(shown?.blocks)).toContain('could not be read');
    expect(shown?.submit ?? undefined).toBeUndefined();
  });
});
