import type { ModalView } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answersToPost,
  type ChecklistState,
  ORIGINS,
  STEP_IDS,
  startChecklist,
} from '../../src/checklist/state.js';
import { previewSurfaces } from '../../src/cli/preview.js';
import { ActionId, BlockId } from '../../src/constants.js';
import {
  type Answers,
  answersSchema,
  charCount,
  GAPS,
  type Gap,
  gapIncludesBehavior,
  gapIncludesKnowledge,
  LEANINGS,
  PROBLEM_MAX_CHARS,
  PROMPT_TRIED,
  TITLE_MAX_CHARS,
} from '../../src/decision/answers.js';
import { GAP_LABELS, LEANING_LABELS } from '../../src/decision/content.js';
import { matchRule } from '../../src/decision/engine.js';
import { decide, renderDecisionRecord, WARNING_TITLES } from '../../src/decision/index.js';
import type { Review } from '../../src/storage/repository.js';
import { summarizeAnswers } from '../../src/views/answersSummary.js';
import { buildChecklistErrorView, buildChecklistStepView } from '../../src/views/checklistModal.js';
import { buildHelpMessage } from '../../src/views/helpMessage.js';
import { buildChannelHistoryMessage } from '../../src/views/historyMessage.js';
import {
  buildHomeView,
  HOME_UNDELIVERED_LIMIT,
  parseHomePaging,
} from '../../src/views/homeView.js';
import {
  buildEditRefusedModal,
  buildPrivateReviewModal,
  buildReviewDetailModal,
  buildShareModal,
  buildShareRefusedModal,
  editNotNotedText,
  editUnconfirmedText,
} from '../../src/views/reviewModals.js';
import { buildShareCard, shareUnconfirmedText } from '../../src/views/shareCard.js';
import {
  buildChallengeModal,
  buildChallengeUnreadableModal,
  challengeNotPostedText,
  challengeUnconfirmedText,
  exportComment,
  exportDmUnconfirmedText,
  exportFailedText,
  exportUnconfirmedText,
  verdictUnconfirmedText,
} from '../../src/views/signOff.js';
import { buildStaleCopyMessage } from '../../src/views/staleCopy.js';
import { escapeMrkdwn } from '../../src/views/text.js';
import {
  buildEditedDetail,
  buildVerdictDetail,
  buildVerdictMessage,
} from '../../src/views/verdictMessage.js';
import { everyAnswerCombination, validAnswersArb } from '../decision/arbitraries.js';
import { checkMessage, checkView } from '../support/blockKitLimits.js';
import { postedReview } from '../support/reviewFixture.js';

const HOSTILE =
  '<!channel> <!here> <!subteam^S123|@team> <@U999EVIL> <https://evil.test|click> & co';

function hostileAnswers(): Answers {
  return {
    title: HOSTILE,
    problem: `${HOSTILE}\n`.repeat(12).slice(0, 1000),
    leaning: 'fine-tune',
    promptTried: 'scored-falls-short',
    gap: 'both',
    knowledge: { changesOften: true, citationsNeeded: true },
    behavior: { kinds: ['format', 'tone'], labeledExamples: 300, trainingBudget: false },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function reviewOf(answers: Answers, overrides: Partial<Review> = {}): Review {
  return postedReview(answers, overrides);
}

/** Every `<…>` control sequence in the serialized payload: mentions, links, dates. */
function controlSequences(payload: unknown): string[] {
  return JSON.stringify(payload).match(/<[^<>]*>/g) ?? [];
}

/** The element of the view's input block `blockId`, as a plain record. */
function inputElement(view: ModalView, blockId: string): Record<string, unknown> | undefined {
  const block = view.blocks.find((candidate) => candidate.block_id === blockId);
  return block && 'element' in block ? { ...block.element } : undefined;
}

/** A checklist started with /ftrag in C0CHAN1. */
function commandChecklist() {
  return startChecklist({
    origin: 'command',
    channelId: 'C0CHAN1',
    threadTs: null,
    responseUrl: null,
  });
}

describe('checklist modal', () => {
  it('every step, from every door, stays within Slack’s limits', () => {
    for (const origin of ORIGINS) {
      for (const step of STEP_IDS) {
        const base = startChecklist({
          origin,
          channelId: origin === 'home' ? null : 'C0CHAN',
          threadTs: origin === 'shortcut' || origin === 'mention' ? '1700000000.000100' : null,
          responseUrl: null,
          draft: hostileAnswers(),
        });
        const view = buildChecklistStepView({ ...base, step });
        expect(checkView(view), `${origin}/${step}`).toEqual([]);
      }
    }
    expect(checkView(buildChecklistErrorView('Something broke'))).toEqual([]);
  });

  it('says which step it is and what the total is once the gap is known', () => {
    const state = startChecklist({
      origin: 'command',
      channelId: 'C1',
      threadTs: null,
      responseUrl: null,
    });
    const text = (view: ReturnType<typeof buildChecklistStepView>) =>
      JSON.stringify(view.blocks[0]);
    expect(text(buildChecklistStepView(state))).toContain('Step 1 of 5');
    expect(
      text(buildChecklistStepView({ ...state, step: 'behavior', draft: { gap: 'both' } })),
    ).toContain('Step 5 of 6');
    expect(
      text(buildChecklistStepView({ ...state, step: 'review', draft: { gap: 'neither' } })),
    ).toContain('Step 4 of 4');
  });

  it('ends every step but the first with a Back button', () => {
    const state = startChecklist({
      origin: 'command',
      channelId: 'C1',
      threadTs: null,
      responseUrl: null,
      draft: hostileAnswers(),
    });
    for (const step of STEP_IDS) {
      const last = buildChecklistStepView({ ...state, step }).blocks.at(-1);
      const back = last?.type === 'actions' && last.block_id === BlockId.checklistBack;
      expect(back, step).toBe(step !== 'about');
      if (last?.type === 'actions' && 'elements' in last)
        expect(last.elements).toMatchObject([
          { type: 'button', action_id: ActionId.checklistBack, text: { text: 'Back' } },
        ]);
    }
  });

  it('labels the last step "Post verdict" and the others "Next"', () => {
    const state = startChecklist({
      origin: 'command',
      channelId: 'C1',
      threadTs: null,
      responseUrl: null,
    });
    expect(buildChecklistStepView(state).submit?.text).toBe('Next');
    expect(
      buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() }).submit?.text,
    ).toBe('Post verdict');
  });

  it('promises a re-run’s revision in the verdict’s thread only when the thread is known', () => {
    const review = (threadTs: string | null, responseUrl: string | null) => {
      const state = startChecklist({
        origin: 'rerun',
        channelId: 'C0CHAN1',
        threadTs,
        responseUrl,
        reviewId: 'r1',
      });
      const view = buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() });
      return {
        text: JSON.stringify(view.blocks),
        broadcast: view.blocks.some((block) => block.block_id === BlockId.broadcast),
      };
    };
    const inThread = review('1700000000.000100', null);
    expect(inThread.text).toContain('posted in the verdict’s thread as a new revision');
    expect(inThread.broadcast).toBe(true);

    // Through the clicked verdict's response_url: the same thread, which cannot be broadcast to.
    const viaResponseUrl = review('1700000000.000100', 'https://hooks.slack.com/actions/T1/1/x');
    expect(viaResponseUrl.text).toContain('posted in the verdict’s thread as a new revision');
    expect(viaResponseUrl.broadcast).toBe(false);

    const noThread = review(null, null);
    expect(noThread.text).not.toContain('thread');
    expect(noThread.text).toContain('posted to <#C0CHAN1> as a new revision');
    expect(noThread.broadcast).toBe(false);
  });

  it('promises a re-run redirected from the asker’s DM in the thread clicked in, or the clicker’s DM', () => {
    const review = (channelId: string | null, threadTs: string | null) => {
      const state = startChecklist({
        origin: 'rerun',
        channelId,
        threadTs,
        // The click's, for when the bot can't post where it was clicked.
        responseUrl: channelId ? 'https://hooks.slack.com/actions/T1/1/x' : null,
        reviewId: 'r1',
        whereClicked: true,
      });
      const view = buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() });
      expect(checkView(view)).toEqual([]);
      return {
        text: JSON.stringify(view.blocks),
        broadcast: view.blocks.some((block) => block.block_id === BlockId.broadcast),
      };
    };
    const inThread = review('C0CHAN1', '1700000000.000100');
    expect(inThread.text).toContain(
      'The outcome is posted as a new revision in the thread you clicked in, not in the asker’s DM where the current verdict is; the earlier verdict stays.',
    );
    expect(inThread.text).not.toContain('verdict’s thread');
    // The bot posts there as a rule: the response_url is only its fallback.
    expect(inThread.broadcast).toBe(true);

    // Clicked off a message (App Home): no thread, no response_url; the clicker's own DM.
    const fromHome = review(null, null);
    expect(fromHome.text).toContain('The outcome is sent to you as a direct message');
    expect(fromHome.broadcast).toBe(false);
  });

  it('names a DM as such on the review step, never as <#D…>', () => {
    const step = (origin: 'command' | 'rerun') => {
      const state = startChecklist({
        origin,
        channelId: 'D0THEIRS01',
        threadTs: null,
        responseUrl: 'https://hooks.slack.com/commands/T1/1/x',
        ...(origin === 'rerun' ? { reviewId: 'r1' } : {}),
      });
      const view = buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() });
      expect(checkView(view)).toEqual([]);
      return JSON.stringify(view.blocks);
    };
    const command = step('command');
    expect(command).toContain(
      'The verdict is posted in the direct message you started from, with the detail right after it.',
    );
    expect(command).not.toContain('<#D');
    const rerun = step('rerun');
    expect(rerun).toContain('posted in that direct message as a new revision');
    expect(rerun).not.toContain('<#D');
  });

  it('offers "Also send to the channel" for a thread in a channel or a group DM, not in a DM', () => {
    const offered = (origin: 'shortcut' | 'mention' | 'rerun', channelId: string) => {
      const state = startChecklist({
        origin,
        channelId,
        threadTs: '1700000000.000100',
        responseUrl: origin === 'mention' ? null : 'https://hooks.slack.com/actions/T1/1/x',
        ...(origin === 'rerun' ? { reviewId: 'r1', whereClicked: true } : {}),
      });
      const view = buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() });
      return view.blocks.some((block) => block.block_id === BlockId.broadcast);
    };
    for (const origin of ['shortcut', 'mention', 'rerun'] as const) {
      expect([origin, offered(origin, 'C0CHAN1')]).toEqual([origin, true]);
      // A group DM's id (G…, or C… for a newer one) can't be told from a channel's: it is offered.
      expect([origin, offered(origin, 'G0GROUPDM1')]).toEqual([origin, true]);
      // A DM between two people has no channel to send to.
      expect([origin, offered(origin, 'D0THEIRS01')]).toEqual([origin, false]);
    }
  });

  it('starts the review step with the channel and broadcast chosen on it before Back', () => {
    const home = startChecklist({
      origin: 'home',
      channelId: null,
      threadTs: null,
      responseUrl: null,
      draft: hostileAnswers(),
    });
    const picked = buildChecklistStepView({
      ...home,
      step: 'review',
      reviewChoices: { destinationChannelId: 'C0PICKED1' },
    });
    expect(inputElement(picked, BlockId.destination)).toMatchObject({
      type: 'conversations_select',
      initial_conversation: 'C0PICKED1',
    });
    expect(checkView(picked)).toEqual([]);
    const unpicked = buildChecklistStepView({ ...home, step: 'review' });
    expect(inputElement(unpicked, BlockId.destination)).not.toHaveProperty('initial_conversation');

    const inThread = startChecklist({
      origin: 'shortcut',
      channelId: 'C0CHAN1',
      threadTs: '1700000000.000100',
      responseUrl: null,
      draft: hostileAnswers(),
    });
    const ticked = buildChecklistStepView({
      ...inThread,
      step: 'review',
      reviewChoices: { broadcast: true },
    });
    const checkbox = inputElement(ticked, BlockId.broadcast);
    // Slack takes an initial option only if it is one of the options, exactly.
    expect(checkbox?.initial_options).toEqual(checkbox?.options);
    expect(checkbox?.initial_options).toMatchObject([{ value: 'broadcast' }]);
    expect(checkView(ticked)).toEqual([]);
    const unticked = buildChecklistStepView({ ...inThread, step: 'review' });
    expect(inputElement(unticked, BlockId.broadcast)).not.toHaveProperty('initial_options');
  });

  it('presets a kept choice only in a block the review step shows', () => {
    const kept = { destinationChannelId: 'C0PICKED1', broadcast: true };
    const shown = (state: ChecklistState) => {
      const view = buildChecklistStepView({ ...state, step: 'review', reviewChoices: kept });
      return JSON.stringify(view.blocks);
    };
    // From /ftrag: the channel is the command's and there is no thread, so neither block.
    const fromCommand = shown({ ...commandChecklist(), draft: hostileAnswers() });
    expect(fromCommand).not.toContain('C0PICKED1');
    expect(fromCommand).not.toContain('initial_options');
    // Editing a verdict in a thread: no picker and no broadcast either.
    const editing = startChecklist({
      origin: 'edit',
      channelId: 'C0CHAN1',
      threadTs: '1700000000.000100',
      responseUrl: null,
      reviewId: 'r1',
      draft: hostileAnswers(),
    });
    expect(shown(editing)).not.toContain('C0PICKED1');
    expect(shown(editing)).not.toContain('initial_options');
    // Answers no longer complete: the notice only, no inputs at all.
    const home = startChecklist({
      origin: 'home',
      channelId: null,
      threadTs: null,
      responseUrl: null,
    });
    const incomplete = shown({ ...home, draft: { title: 'Half done' } });
    expect(incomplete).toContain('Some answers are missing');
    expect(incomplete).not.toContain('C0PICKED1');
  });

  it('asks on the knowledge step whether all the facts would fit in the prompt, restoring the answer', () => {
    const state = commandChecklist();
    const input = (draft: Answers | Record<string, never>) =>
      buildChecklistStepView({ ...state, step: 'knowledge', draft }).blocks.find(
        (block) => block.block_id === BlockId.fitsInPrompt,
      );
    const fresh = input({});
    expect(fresh).toMatchObject({
      type: 'input',
      label: { text: 'Would all the facts the model needs fit in the prompt?' },
      hint: { text: expect.stringMatching(/^A few pages at most, e\.g\. office addresses/) },
      element: {
        type: 'radio_buttons',
        action_id: ActionId.fitsInPrompt,
        options: [{ value: 'yes' }, { value: 'no' }],
      },
    });
    expect(fresh).not.toHaveProperty('optional');
    // Citations alone do not call for retrieval: a prompt can carry each fact's source.
    const context = JSON.stringify(
      buildChecklistStepView({ ...state, step: 'knowledge', draft: {} }).blocks.filter(
        (block) => block.type === 'context',
      ),
    );
    expect(context).toContain('each with its source if answers must cite one');
    expect(context).not.toContain('quote the passage it came from');
    expect(fresh && 'element' in fresh && fresh.element).not.toHaveProperty('initial_option');
    for (const fitsInPrompt of [true, false]) {
      const answers = hostileAnswers();
      const restored = input({
        ...answers,
        knowledge: {
          ...answers.knowledge,
          changesOften: true,
          citationsNeeded: true,
          fitsInPrompt,
        },
      });
      expect(restored).toMatchObject({
        element: { initial_option: { value: fitsInPrompt ? 'yes' : 'no' } },
      });
    }
  });

  it('asks on the first step, as one optional box, about personal or customer data and who may see what', () => {
    const view = (draft: Partial<Answers>) =>
      buildChecklistStepView({ ...commandChecklist(), step: 'about', draft });
    const blocks = view({}).blocks;
    const index = blocks.findIndex((block) => block.block_id === BlockId.restrictedData);
    // After the leaning, before the rule's reminder that closes the step.
    expect(index).toBe(blocks.findIndex((block) => block.block_id === BlockId.leaning) + 1);
    expect(blocks[index + 1]?.type).toBe('context');
    expect(blocks[index]).toMatchObject({
      type: 'input',
      optional: true,
      label: { text: 'Data and access' },
      hint: {
        text: expect.stringMatching(
          /^Tick if it applies: it adds warnings and steps, and never changes the verdict\. .*no access control/,
        ),
      },
      element: {
        type: 'checkboxes',
        action_id: ActionId.restrictedData,
        options: [
          {
            value: 'restricted',
            text: { text: 'Personal or customer data, or answers must respect who may see what' },
          },
        ],
      },
    });
    const element = inputElement(view({}), BlockId.restrictedData);
    expect(element).not.toHaveProperty('initial_options');
    expect(inputElement(view({ restrictedData: true }), BlockId.restrictedData)).toMatchObject({
      initial_options: [{ value: 'restricted' }],
    });
    expect(
      inputElement(view({ restrictedData: false }), BlockId.restrictedData),
    ).not.toHaveProperty('initial_options');
    expect(checkView(view({ restrictedData: true }))).toEqual([]);
  });

  it('shows in the summary whether the data is personal or who may see what, only when said', () => {
    const answers = hostileAnswers();
    const line = '*Restricted data:* ';
    const yes = 'Yes (personal or customer data, or per-user access)';
    expect(summarizeAnswers({ ...answers, restrictedData: true })).toContain(
      `*Leaning:* Fine-tune\n${line}${yes}\n*Prompt:*`,
    );
    expect(summarizeAnswers({ ...answers, restrictedData: false })).toContain(`${line}No\n`);
    expect(summarizeAnswers(answers)).not.toContain('Restricted data');
    const review = JSON.stringify(
      buildChecklistStepView({
        ...commandChecklist(),
        step: 'review',
        draft: { ...answers, restrictedData: true },
      }).blocks,
    );
    expect(review).toContain(`${line}${yes}`);
    expect(review).toContain(':warning: *No access control in weights:*');
  });

  it('asks whether the prompt was scored, offering the four answers and never the older two', () => {
    const view = (draft: Partial<Answers>) =>
      buildChecklistStepView({ ...commandChecklist(), step: 'prompt', draft });
    const element = inputElement(view({}), BlockId.promptTried);
    const options = (element?.options ?? []) as { value: string; text: { text: string } }[];
    expect(options.map((option) => [option.value, option.text.text])).toEqual([
      ['not-yet', 'Not yet'],
      ['tried-not-scored', 'Tried, but not scored yet'],
      ['scored-good-enough', 'Yes, scored on real examples, good enough'],
      ['scored-falls-short', 'Yes, scored on real examples, still falls short'],
    ]);
    expect(JSON.stringify(view({}).blocks)).toMatch(/scored/);
    // What scored means, said once and short: how many inputs, against what, counted.
    const explained = JSON.stringify(view({}).blocks).match(/[^"]*[Ss]cored\*[^"]*/g) ?? [];
    expect(explained).toHaveLength(1);
    expect(explained[0]).toMatch(/^\*Scored\*: run on 20 to 50 real inputs/);
    expect(explained[0]?.length).toBeLessThan(300);
    // An older review's answer did not say whether it was scored: it has to be answered again.
    expect(
      inputElement(view({ promptTried: 'still-unreliable' }), BlockId.promptTried),
    ).not.toHaveProperty('initial_option');
    expect(
      inputElement(view({ promptTried: 'scored-falls-short' }), BlockId.promptTried),
    ).toMatchObject({ initial_option: { value: 'scored-falls-short' } });
  });

  it('shows an older review’s prompt answer as given, saying scoring was not asked', () => {
    const summary = summarizeAnswers({ ...hostileAnswers(), promptTried: 'still-unreliable' });
    expect(summary).toContain('*Prompt:* Yes, still unreliable, scoring not asked');
  });

  it('sizes the examples on the behavior step as the verdict does: 50 to train, 100 held out', () => {
    const view = buildChecklistStepView({ ...commandChecklist(), step: 'behavior', draft: {} });
    const block = view.blocks.find((candidate) => candidate.block_id === BlockId.labeledExamples);
    const hint = block && 'hint' in block ? block.hint?.text : undefined;
    expect(hint).toContain('about 50 to train on');
    expect(hint).toContain('about 100 more held out');
    // 20 to 30 held out per class: past 5 classes, 100 held out is no longer enough.
    expect(hint).toContain('about 150 in all, more for a classification into over 5 classes.');
  });

  it('shows in the summary whether the facts fit in the prompt, only when it was asked', () => {
    const state = commandChecklist();
    const summary = (draft: Answers) =>
      JSON.stringify(buildChecklistStepView({ ...state, step: 'review', draft }).blocks[1]);
    const answers = hostileAnswers();
    expect(
      summary({
        ...answers,
        knowledge: { changesOften: true, citationsNeeded: true, fitsInPrompt: true },
      }),
    ).toContain('must cite sources: Yes · fits in the prompt: Yes');
    expect(summary(answers)).toContain('must cite sources: Yes\\n');
    expect(summary(answers)).not.toContain('fits in the prompt');
  });

  it('counts one labeled example in the singular in the summary', () => {
    const state = commandChecklist();
    const draft = { ...hostileAnswers(), behavior: { labeledExamples: 1, trainingBudget: true } };
    const summary = JSON.stringify(
      buildChecklistStepView({ ...state, step: 'review', draft }).blocks,
    );
    expect(summary).toContain('1 labeled example ·');
    const many = JSON.stringify(
      buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() }).blocks,
    );
    expect(many).toContain('300 labeled examples ·');
  });

  it('shows and decides on the chosen gap’s details only, as they will be posted', () => {
    const state = commandChecklist();
    const knowledgeOnly = { ...hostileAnswers(), gap: 'knowledge' as const, behavior: undefined };
    const expected = buildChecklistStepView({ ...state, step: 'review', draft: knowledgeOnly });
    // Behavior details kept from before the gap changed: whole, or half answered and left by Back.
    for (const behavior of [hostileAnswers().behavior, { kinds: ['tone' as const] }]) {
      const draft = { ...knowledgeOnly, behavior };
      const view = buildChecklistStepView({ ...state, step: 'review', draft });
      const shown = JSON.stringify(view.blocks);
      expect(shown).not.toContain('*Behavior:*');
      expect(shown).not.toContain('Some answers are missing');
      expect(view.blocks).toEqual(expected.blocks);
    }
  });

  it('lists every warning, title and message, under what ftrag will say, within Slack’s limits', () => {
    const state = commandChecklist();
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const view = buildChecklistStepView({ ...state, step: 'review', draft: answers });
        expect(checkView(view)).toEqual([]);
        const shown = JSON.stringify(view.blocks);
        const { warnings } = decide(answersToPost(answers) ?? answers);
        for (const warning of warnings) {
          const line = `:warning: *${WARNING_TITLES[warning.code]}:* ${escapeMrkdwn(warning.message)}`;
          expect(shown).toContain(JSON.stringify(line).slice(1, -1));
          expect(shown.indexOf(WARNING_TITLES[warning.code])).toBeGreaterThan(
            shown.indexOf('ftrag will say'),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stays within Slack’s limits with every warning any answers give, and the longest text', () => {
    const state = commandChecklist();
    const { title, problem } = hostileAnswers();
    let most = 0;
    for (const combination of everyAnswerCombination()) {
      for (const restrictedData of [undefined, true]) {
        const answers = {
          ...combination,
          title,
          problem,
          ...(restrictedData ? { restrictedData } : {}),
        };
        const view = buildChecklistStepView({ ...state, step: 'review', draft: answers });
        expect(checkView(view)).toEqual([]);
        const { warnings } = decide(answers);
        most = Math.max(most, warnings.length);
        for (const warning of warnings)
          expect(JSON.stringify(view.blocks)).toContain(`*${WARNING_TITLES[warning.code]}:*`);
      }
    }
    expect(most).toBeGreaterThanOrEqual(4);
  });

  it('warns before posting of the classic mistake: fine-tuning for a knowledge gap', () => {
    const answers = { ...hostileAnswers(), gap: 'knowledge' as const, behavior: undefined };
    const view = buildChecklistStepView({ ...commandChecklist(), step: 'review', draft: answers });
    expect(decide(answers).warnings.map((warning) => warning.code)).toContain(
      'knowledge-in-weights',
    );
    expect(JSON.stringify(view.blocks)).toContain(':warning: *Facts in the weights:*');
    expect(checkView(view)).toEqual([]);
  });

  it('shows the verdict’s headline under what ftrag will say, before it is posted', () => {
    const state = commandChecklist();
    const view = buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() });
    const { headline } = decide(hostileAnswers());
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('ftrag will say: RAG + fine-tune');
    expect(text).toContain(JSON.stringify(headline).slice(1, -1));
    expect(text.indexOf(JSON.stringify(headline).slice(1, -1))).toBeGreaterThan(
      text.indexOf('ftrag will say'),
    );
  });

  it('shows typed text in the summary only escaped', () => {
    const state = commandChecklist();
    const view = buildChecklistStepView({ ...state, step: 'review', draft: hostileAnswers() });
    const blocksOnly = { blocks: view.blocks };
    expect(JSON.stringify(blocksOnly)).toContain('&lt;!channel&gt;');
    expect(controlSequences(blocksOnly)).toEqual(['<#C0CHAN1>']);
  });
});

describe('labels, one set on every surface', () => {
  const detailsFor = (gap: Gap) => ({
    ...(gapIncludesKnowledge(gap)
      ? { knowledge: { changesOften: true, citationsNeeded: true } }
      : {}),
    ...(gapIncludesBehavior(gap)
      ? { behavior: { labeledExamples: 10, trainingBudget: true } }
      : {}),
  });

  it('names the leaning and the gap in the summary as the rationale does', () => {
    for (const leaning of LEANINGS) {
      for (const gap of GAPS) {
        const answers = answersSchema.parse({
          title: 'Labels',
          leaning,
          promptTried: 'not-yet',
          gap,
          ...detailsFor(gap),
        });
        const summary = summarizeAnswers(answers);
        const { rationale } = decide(answers);
        const where = `${leaning}, ${gap}`;
        expect(summary, where).toContain(`*Leaning:* ${LEANING_LABELS[leaning]}\n`);
        expect(summary, where).toContain(`*Gap:* ${GAP_LABELS[gap]} (`);
        expect(
          rationale.filter((line) => line.startsWith('Gap: ')),
          where,
        ).toEqual([
          expect.stringMatching(new RegExp(`^Gap: ${GAP_LABELS[gap].toLowerCase()}\\. `)),
        ]);
        if (leaning !== 'undecided') {
          expect(rationale, where).toContainEqual(
            expect.stringMatching(
              new RegExp(`^Leaning: ${escapeRegExp(LEANING_LABELS[leaning])}\\. `),
            ),
          );
        }
      }
    }
  });

  it('names each prompt answer and the gap alike in the summary, the rationale and the record', () => {
    // Read back from each surface, so a second label set anywhere shows up here.
    const said = (text: string, pattern: RegExp): string | undefined =>
      pattern.exec(text)?.[1]?.toLowerCase();
    for (const promptTried of PROMPT_TRIED) {
      for (const gap of GAPS) {
        const answers = answersSchema.parse({
          title: 'Labels',
          promptTried,
          gap,
          ...detailsFor(gap),
        });
        const decision = decide(answers);
        const summary = summarizeAnswers(answers);
        const markdown = renderDecisionRecord(answers, decision);
        const drivers = markdown.indexOf('\n## Decision drivers\n');
        const record = markdown.slice(drivers, markdown.indexOf('\n## ', drivers + 1));
        const rationale = decision.rationale.join('\n');
        const where = `${promptTried}, ${gap}`;
        const prompt = said(summary, /^\*Prompt:\* (.+)$/m);
        expect(prompt, where).toBeDefined();
        expect(said(record, /^- Prompt: (.+)$/m), where).toBe(prompt);
        expect(said(rationale, /^Prompt: (.+?)\. /m), where).toBe(prompt);
        const named = said(summary, /^\*Gap:\* (.+?) \(/m);
        expect(named, where).toBe(GAP_LABELS[gap].toLowerCase());
        expect(said(record, /^- Gap: (.+)$/m), where).toBe(named);
        const inRationale = said(rationale, /^Gap: (.+?)\. /m);
        if (inRationale !== undefined) expect(inRationale, where).toBe(named);
      }
    }
  });

  it('offers the leaning in the checklist under the labels the verdict uses', () => {
    const view = buildChecklistStepView({ ...commandChecklist(), step: 'about', draft: {} });
    const element = inputElement(view, BlockId.leaning);
    const options = (element?.options ?? []) as { text: { text: string } }[];
    expect(options.map((option) => option.text.text)).toEqual(
      LEANINGS.map((leaning) => LEANING_LABELS[leaning]),
    );
  });

  it('calls no step a rung, since there is no rung 2 or 3', () => {
    for (const step of STEP_IDS) {
      const view = buildChecklistStepView({ ...commandChecklist(), step, draft: hostileAnswers() });
      expect(JSON.stringify(view.blocks), step).not.toMatch(/\bRung\b/i);
    }
  });

  it('calls facts loaded fresh at each request RAG without an index, as their verdict does', () => {
    const view = buildChecklistStepView({ ...commandChecklist(), step: 'knowledge', draft: {} });
    const context = JSON.stringify(view.blocks.filter((block) => block.type === 'context'));
    expect(context).toContain('RAG without an index');
    const weekly = decide(
      answersSchema.parse({
        title: 'Weekly facts that fit',
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: true },
      }),
    );
    expect(weekly.headline).toMatch(/^RAG without an index/);
  });
});

describe('verdict messages', () => {
  it('stay within Slack’s limits for any valid answers', () => {
    fc.assert(
      fc.property(validAnswersArb, (answers) => {
        const input = { answers, decision: decide(answers), userId: 'U0ASKER' };
        expect(checkMessage(buildVerdictMessage(input))).toEqual([]);
        expect(checkMessage(buildVerdictDetail(input))).toEqual([]);
        expect(checkMessage(buildEditedDetail(input, 'U0ASKER'))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('stay within Slack’s limits with every warning and step any answers give, and the longest text', () => {
    const { title, problem } = hostileAnswers();
    for (const combination of everyAnswerCombination()) {
      const answers = { ...combination, title, problem, restrictedData: true };
      const input = { answers, decision: decide(answers), userId: 'U0ASKER' };
      expect(checkMessage(buildVerdictMessage(input))).toEqual([]);
      expect(checkMessage(buildVerdictDetail(input))).toEqual([]);
    }
  });

  it('never lets typed text ping or link anyone; the only mention is the asker, from the payload', () => {
    const answers = hostileAnswers();
    const input = { answers, decision: decide(answers), userId: 'U0ASKER' };
    const parent = buildVerdictMessage(input);
    const detail = buildVerdictDetail(input);
    expect(controlSequences(parent)).toEqual(['<@U0ASKER>']);
    expect(controlSequences(detail).every((sequence) => sequence.startsWith('<https://'))).toBe(
      true,
    );
    expect(parent.text).toContain('&lt;!channel&gt;');
  });

  it('gives in the channel’s Why the answers that decided the verdict', () => {
    const why = (answers: Answers) => {
      const { blocks } = buildVerdictMessage({
        answers,
        decision: decide(answers),
        userId: 'U0ASKER01',
      });
      const texts = blocks.flatMap((block) =>
        block.type === 'section' && block.text ? [block.text.text] : [],
      );
      return texts.find((text) => text.startsWith('*Why*')) ?? '';
    };
    const factsPlaced = /^(knowledge|both)-(in-prompt|whole-document|indexed)-/;
    const tuningBar = /^(behavior|both-.*)-(ready|needs-examples)$/;
    let checked = 0;
    for (const answers of everyAnswerCombination()) {
      const rule = matchRule(answers);
      const text = why(answers);
      const where = `${rule} ${JSON.stringify(answers)}`;
      expect(text.split('\n').length, where).toBeLessThanOrEqual(4);
      if (factsPlaced.test(rule) && answers.knowledge?.fitsInPrompt !== undefined) {
        expect(text, where).toContain('• Facts fit in the prompt: ');
        checked++;
      }
      if (tuningBar.test(rule)) {
        expect(text, where).toContain('• Labeled examples: ');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // The example the reviewer gave: the size of the facts decided it, not the citations.
    const offices = why(
      answersSchema.parse({
        title: 'Office addresses',
        promptTried: 'not-yet',
        gap: 'knowledge',
        knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
      }),
    );
    expect(offices).toContain('• Facts fit in the prompt: yes');
  });

  it('shows the first three reasons of a decision stored before the deciding ones were marked', () => {
    const answers = hostileAnswers();
    const { decisive: _decisive, ...stored } = decide(answers);
    const { blocks } = buildVerdictMessage({ answers, decision: stored, userId: 'U0ASKER01' });
    const why = JSON.stringify(blocks).match(/\*Why\*[^"]*/)?.[0] ?? '';
    const bullets = stored.rationale.slice(0, 3).map((line) => `• ${escapeMrkdwn(line)}`);
    expect(why).toBe(JSON.stringify(`*Why*\n${bullets.join('\n')}`).slice(1, -1));
  });

  it('names the verdict plainly in the notification text', () => {
    const answers = hostileAnswers();
    const parent = buildVerdictMessage({ answers, decision: decide(answers), userId: 'U0ASKER' });
    expect(parent.text).toMatch(/^Verdict: RAG \+ fine-tune — /);
  });

  it('flags a single warning by its title in the parent message, its text in the detail', () => {
    const answers = { ...hostileAnswers(), leaning: 'undecided' as const, gap: 'unsure' as const };
    const input = { answers, decision: decide(answers), userId: 'U0ASKER' };
    expect(input.decision.warnings.map((warning) => warning.code)).toEqual(['no-diagnosis']);
    const parent = JSON.stringify(buildVerdictMessage(input).blocks);
    expect(parent).toContain(':warning: *Warning:* Gap not diagnosed"');
    expect(parent).toContain('The warnings in full, the rationale');
    const message = JSON.stringify(escapeMrkdwn(input.decision.warnings[0]?.message ?? '-'));
    expect(parent).not.toContain(message.slice(1, -1));
    expect(JSON.stringify(buildVerdictDetail(input).blocks)).toContain(message.slice(1, -1));
  });

  it('lists several warnings by title in the parent message, said in full only in the detail', () => {
    // The reviewer's case: five warnings, whose text was ~1,900 of the parent's ~2,400 characters.
    const answers = answersSchema.parse({
      title: 'Ticket triage',
      leaning: 'fine-tune',
      restrictedData: true,
      promptTried: 'scored-falls-short',
      gap: 'both',
      knowledge: { changesOften: false, citationsNeeded: false, fitsInPrompt: false },
      behavior: {
        kinds: ['classification', 'format', 'tone', 'skill'],
        labeledExamples: 60,
        trainingBudget: false,
      },
    });
    const input = { answers, decision: decide(answers), userId: 'U0ASKER' };
    expect(input.decision.warnings).toHaveLength(5);
    const parent = buildVerdictMessage(input);
    const texts = parent.blocks.flatMap((block) =>
      (block.type === 'section' || block.type === 'header') && block.text ? [block.text.text] : [],
    );
    expect(texts).toContain(
      ':warning: *5 warnings:* Facts in the weights · No access control in weights · No room for a held-out set · No training budget · Differs from the leaning',
    );
    expect(JSON.stringify(parent.blocks)).toContain(
      ':thread: The warnings in full, the rationale, trade-offs, next steps and how to measure are in the thread.',
    );
    expect(texts.join('').length).toBeLessThan(1000);
    const unthreaded = JSON.stringify(
      buildVerdictMessage({ ...input, detailIn: 'next-message' }).blocks,
    );
    expect(unthreaded).toContain(
      ':arrow_down: The warnings in full, the rationale, trade-offs, next steps and how to measure are in the next message.',
    );
  });

  it('says each warning in full once: in the detail, not in the parent message', () => {
    let checked = 0;
    for (const combination of everyAnswerCombination()) {
      for (const restrictedData of [undefined, true]) {
        const answers = { ...combination, ...(restrictedData ? { restrictedData } : {}) };
        const input = { answers, decision: decide(answers), userId: 'U0ASKER' };
        const parent = JSON.stringify(buildVerdictMessage(input).blocks);
        const detail = JSON.stringify(buildVerdictDetail(input).blocks);
        const modal = JSON.stringify(buildReviewDetailModal(reviewOf(answers)).blocks);
        for (const warning of input.decision.warnings) {
          const title = WARNING_TITLES[warning.code];
          const line = JSON.stringify(`:warning: *${title}:* ${escapeMrkdwn(warning.message)}`);
          expect(parent).toContain(title);
          expect(parent).not.toContain(JSON.stringify(escapeMrkdwn(warning.message)).slice(1, -1));
          expect(detail).toContain(line.slice(1, -1));
          expect(modal.split(line.slice(1, -1))).toHaveLength(2);
          checked++;
        }
        if (input.decision.warnings.length > 0) {
          expect(parent).toContain('The warnings in full');
          expect(modal).not.toContain('The warnings in full');
        } else {
          expect(parent).not.toContain(':warning:');
          expect(parent).not.toContain('The warnings in full');
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('points to the detail in the thread, or, out of a response_url with no thread, to the next message', () => {
    const answers = hostileAnswers();
    const input = { answers, decision: decide(answers), userId: 'U0ASKER' };
    const threaded = JSON.stringify(buildVerdictMessage(input).blocks);
    expect(threaded).toContain('how to measure are in the thread.');
    const unthreaded = JSON.stringify(
      buildVerdictMessage({ ...input, detailIn: 'next-message' }).blocks,
    );
    expect(unthreaded).not.toContain('in the thread');
    expect(unthreaded).toContain('how to measure are in the next message.');
  });

  it('sets fine-tuning against the prompt in the detail when no knowledge is missing', () => {
    const answers: Answers = {
      title: 'House voice',
      promptTried: 'not-yet',
      gap: 'behavior',
      behavior: { kinds: ['tone'], labeledExamples: 0, trainingBudget: false },
      leaning: 'undecided',
    };
    const detail = JSON.stringify(
      buildVerdictDetail({ answers, decision: decide(answers), userId: 'U0ASKER' }).blocks,
    );
    expect(detail).toContain('*Cost to set up*\\nPrompt: Low: an afternoon\\nFine-tuning:');
    expect(detail).not.toContain('RAG:');
  });

  it('sets the prompt against RAG in the detail when the prompt carries the facts', () => {
    const answers: Answers = {
      title: 'Office addresses',
      promptTried: 'not-yet',
      gap: 'knowledge',
      knowledge: { changesOften: false, citationsNeeded: true, fitsInPrompt: true },
      leaning: 'undecided',
    };
    const detail = JSON.stringify(
      buildVerdictDetail({ answers, decision: decide(answers), userId: 'U0ASKER' }).blocks,
    );
    expect(detail).toContain(
      '*Cite a source*\\nPrompt: Only the sources pasted beside each fact\\nRAG: Yes: you have the passage',
    );
    expect(detail).not.toContain('Fine-tuning:');
    const withVoice: Answers = {
      ...answers,
      gap: 'both',
      behavior: { kinds: ['tone'], labeledExamples: 0, trainingBudget: false },
    };
    expect(
      JSON.stringify(
        buildVerdictDetail({ answers: withVoice, decision: decide(withVoice), userId: 'U0ASKER' })
          .blocks,
      ),
    ).toContain('*Cost to set up*\\nPrompt: Low: an afternoon\\nRAG: Days: ');
  });

  it('does not build a mention from an id that is not one', () => {
    const answers = hostileAnswers();
    const parent = buildVerdictMessage({
      answers,
      decision: decide(answers),
      userId: '<!channel>',
    });
    expect(controlSequences(parent)).toEqual([]);
  });
});

describe('channel history', () => {
  const DM_LINK = 'https://t.slack.com/archives/D0ASKER/p1700000000000100';
  const line = (review: Review, viewerId: string) =>
    JSON.stringify(buildChannelHistoryMessage([review], 1, viewerId).blocks[1]);

  it('marks a revision as Home does', () => {
    const revised = reviewOf(hostileAnswers(), { revision: 3, revisionOf: 'rev-0' });
    expect(line(revised, 'U0OTHER')).toContain(' · revision 3');
    expect(line(reviewOf(hostileAnswers()), 'U0OTHER')).not.toContain('revision');
  });

  it('says a verdict went to its asker by DM, and links into that DM only for the asker', () => {
    const dmed = reviewOf(hostileAnswers(), {
      status: 'sent-as-dm',
      lastError: 'not_in_channel',
      postedChannelId: 'D0ASKER',
      permalink: DM_LINK,
    });
    const forOthers = line(dmed, 'U0OTHER');
    expect(forOthers).toContain(' · sent to the asker by DM');
    expect(forOthers).not.toContain(DM_LINK);
    expect(forOthers).not.toContain('|thread>');
    expect(line(dmed, 'U0ASKER')).toContain(` · <${DM_LINK}|sent to you by DM>`);
    // A verdict in the channel keeps its thread link for everyone.
    const posted = reviewOf(hostileAnswers());
    expect(line(posted, 'U0OTHER')).toContain(`<${posted.permalink}|thread>`);
  });

  it('treats a verdict posted in its asker’s DM (asked for from Home) as sent there by DM', () => {
    // Started from Home and sent "to me by DM": posted, not a fallback, but in the asker's DM all
    // the same, which nobody else can open.
    const inDm = reviewOf(hostileAnswers(), {
      status: 'posted',
      target: { channelId: null, threadTs: null, broadcast: false, responseUrl: null },
      postedChannelId: 'D0ASKER',
      permalink: DM_LINK,
    });
    const forOthers = line(inDm, 'U0OTHER');
    expect(forOthers).toContain(' · sent to the asker by DM');
    expect(forOthers).not.toContain(DM_LINK);
    expect(forOthers).not.toContain('|thread>');
    expect(line(inDm, 'U0ASKER')).toContain(` · <${DM_LINK}|sent to you by DM>`);
    expect(line(inDm, 'U0ASKER')).not.toContain('|thread>');
  });

  it('on Home, links a DM’d verdict for its asker only', () => {
    const dmed = reviewOf(hostileAnswers(), {
      id: 'rev-dm',
      status: 'sent-as-dm',
      postedChannelId: 'D0ASKER',
      permalink: DM_LINK,
    });
    const home = (userId: string) =>
      JSON.stringify(
        buildHomeView({
          userId,
          mine: { reviews: userId === 'U0ASKER' ? [dmed] : [], total: 1 },
          team: { reviews: [dmed], total: 1 },
          countsByVerdict: {},
          undelivered: { reviews: [], total: 0 },
          paging: { mine: 0, team: 0 },
        }).blocks,
      );
    expect(home('U0ASKER')).toContain(`<${DM_LINK}|sent to you by DM>`);
    expect(home('U0OTHER')).toContain('sent to the asker by DM');
    expect(home('U0OTHER')).not.toContain(DM_LINK);
  });
});

describe('other surfaces', () => {
  it('help, history, home, open, share and the share card stay within limits', () => {
    const review = reviewOf(hostileAnswers());
    const pending = reviewOf(hostileAnswers(), {
      id: 'rev-2',
      status: 'failed',
      lastError: 'not_in_channel <x>',
    });
    expect(checkMessage(buildHelpMessage('C0CHAN1'))).toEqual([]);
    expect(checkMessage(buildHelpMessage('D0DM1'))).toEqual([]);
    expect(checkMessage(buildChannelHistoryMessage([review, pending], 12, 'U0ASKER'))).toEqual([]);
    expect(checkMessage(buildChannelHistoryMessage([], 0, 'U0ASKER'))).toEqual([]);
    expect(checkMessage(buildShareCard(review, 'U0SHARER'))).toEqual([]);
    expect(checkView(buildReviewDetailModal(review))).toEqual([]);
    expect(checkView(buildShareModal(review))).toEqual([]);
    expect(checkView(buildEditRefusedModal(review, 'posted-without-message'))).toEqual([]);
    expect(checkView(buildEditRefusedModal(review, 'being-posted'))).toEqual([]);
    const cutOff = reviewOf(hostileAnswers(), {
      status: 'pending',
      postedVerdict: {
        status: 'posted',
        channelId: 'C0CUTOFF01',
        messageTs: '1700000003.000100',
        threadTs: '1700000003.000100',
        channelError: null,
      },
    });
    const cutOffModal = buildEditRefusedModal(cutOff, 'being-posted');
    expect(checkView(cutOffModal)).toEqual([]);
    expect(JSON.stringify(cutOffModal.blocks)).toContain('its posting was cut off');
    expect(JSON.stringify(cutOffModal.blocks)).toContain('*Post again*');
    expect(checkView(buildEditRefusedModal(review, 'superseded'))).toEqual([]);
    expect(checkView(buildShareRefusedModal('unreadable'))).toEqual([]);
    expect(checkView(buildShareRefusedModal('not-found'))).toEqual([]);
    expect(checkView(buildPrivateReviewModal())).toEqual([]);
    expect(checkView(buildChallengeUnreadableModal())).toEqual([]);
    const five = Array.from({ length: 5 }, (_, index) =>
      reviewOf(hostileAnswers(), { id: `rev-${index}` }),
    );
    const home = buildHomeView({
      userId: 'U0ASKER',
      mine: { reviews: five, total: 23 },
      team: { reviews: five, total: 40 },
      countsByVerdict: { rag: 3 },
      undelivered: { reviews: [pending], total: 1 },
      paging: { mine: 1, team: 0 },
    });
    expect(checkView(home)).toEqual([]);
    const text = JSON.stringify(home);
    expect(text).toContain('Post again');
    expect(text).toContain('← Newer');
    expect(text).toContain('Older →');
    expect(
      controlSequences(home).filter((s) => s.startsWith('<!') && !s.startsWith('<!date^')),
    ).toEqual([]);
  });

  it('tells an editor which review’s thread wasn’t told of the edit, and why, without <#D…>', () => {
    const answers = { ...hostileAnswers(), title: 'R&D <bot>' };
    expect(editNotNotedText(reviewOf(answers), 'is_archived')).toBe(
      ":warning: Your new answers to *R&amp;D &lt;bot&gt;* are saved, but I couldn't note the change in the thread in <#C0CHAN> because that channel is archived.",
    );
    expect(editNotNotedText(reviewOf(answers), 'ratelimited')).toContain(
      'thread in <#C0CHAN> (Slack answered `ratelimited`).',
    );
    const inDm = editNotNotedText(reviewOf(answers, { postedChannelId: 'D0ASKERDM1' }), 'x');
    expect(inDm).toContain('note the change in the thread in that direct message');
    expect(inDm).not.toContain('<#D');
  });

  it('tells a challenger their reason wasn’t posted in a DM without naming it <#D…>', () => {
    const review = reviewOf({ ...hostileAnswers(), title: 'R&D <bot>' });
    const text = challengeNotPostedText(
      review,
      'D0THEIRS01',
      'not-in-channel',
      'channel_not_found',
      'r',
    );
    expect(text).toContain(
      "couldn't post your reason in that direct message because I'm not part of it.",
    );
    expect(text).not.toContain('<#D');
    expect(text).toContain(
      `Your challenge of *R&amp;D &lt;bot&gt;* (<${review.permalink}|verdict>) was recorded`,
    );
    expect(challengeNotPostedText(review, 'C0CHAN', 'archived', 'is_archived', 'r')).toContain(
      "couldn't post your reason in <#C0CHAN> because that channel is archived.",
    );
  });

  it('tells the asker, naming the review and where, that Slack never confirmed their verdict, and why', () => {
    const review = reviewOf({ ...hostileAnswers(), title: 'R&D <bot>' }, { permalink: null });
    const noAnswer = { kind: 'no-answer' } as const;
    expect(verdictUnconfirmedText(review, 'C0CHAN', false, noAnswer)).toBe(
      ":information_source: I couldn't confirm that your verdict on *R&amp;D &lt;bot&gt;* was posted in <#C0CHAN>: Slack's answer never reached me. Check the channel; if it isn't there, use *Post again* for it on my Home tab.",
    );
    expect(verdictUnconfirmedText(review, 'C0CHAN', true, noAnswer)).toContain(
      "was posted in the thread in <#C0CHAN>: Slack's answer never reached me. Check the thread;",
    );
    const inDm = verdictUnconfirmedText(review, 'D0THEIRS01', false, noAnswer);
    expect(inDm).toContain('was posted in that direct message:');
    expect(inDm).toContain('Check that conversation;');
    expect(inDm).not.toContain('<#D');
  });

  it('names what Slack answered when it answered without confirming the verdict: a 5xx, internal_error, fatal_error', () => {
    const review = reviewOf({ ...hostileAnswers(), title: 'R&D <bot>' }, { permalink: null });
    expect(
      verdictUnconfirmedText(review, 'C0CHAN', false, { kind: 'server-error', status: 503 }),
    ).toBe(
      ":information_source: I couldn't confirm that your verdict on *R&amp;D &lt;bot&gt;* was posted in <#C0CHAN>: Slack answered with a server error (HTTP 503), which can come after a message was posted. Check the channel; if it isn't there, use *Post again* for it on my Home tab.",
    );
    for (const error of ['internal_error', 'fatal_error']) {
      const text = verdictUnconfirmedText(review, 'C0CHAN', true, {
        kind: 'may-have-acted',
        error,
      });
      expect(text).toContain(
        `was posted in the thread in <#C0CHAN>: Slack answered \`${error}\`, which can come after a message was posted. Check the thread;`,
      );
    }
    // Never the cause of another: no word of time when Slack did answer.
    for (const cause of [
      { kind: 'server-error', status: 502 },
      { kind: 'may-have-acted', error: 'internal_error' },
    ] as const) {
      expect(verdictUnconfirmedText(review, 'C0CHAN', false, cause)).not.toMatch(
        /in time|never reached/,
      );
    }
  });

  it('tells a challenger their reason may be in the thread when Slack didn’t confirm it, with the reason in case it isn’t', () => {
    const review = reviewOf({ ...hostileAnswers(), title: 'R&D <bot>' });
    const text = challengeUnconfirmedText(
      review,
      'C0CHAN',
      { kind: 'no-answer' },
      'Labels <b> & too few',
    );
    expect(text).toBe(
      `:information_source: Your challenge of *R&amp;D &lt;bot&gt;* (<${review.permalink}|verdict>) was recorded and counts in the tally, but I couldn't confirm that your reason was posted in the thread in <#C0CHAN>: Slack's answer never reached me. It may be there already: check the thread before you post it yourself. Here it is, in case it isn't:\n>Labels &lt;b&gt; &amp; too few`,
    );
    expect(
      challengeUnconfirmedText(review, 'C0CHAN', { kind: 'server-error', status: 504 }, 'r'),
    ).toContain(': Slack answered with a server error (HTTP 504), which can come after');
    expect(
      challengeUnconfirmedText(
        review,
        'C0CHAN',
        { kind: 'may-have-acted', error: 'fatal_error' },
        'r',
      ),
    ).toContain(': Slack answered `fatal_error`, which can come after');
    const inDm = challengeUnconfirmedText(review, 'D0THEIRS01', { kind: 'no-answer' }, 'r');
    expect(inDm).toContain('the thread in that direct message:');
    expect(inDm).not.toContain('<#D');
    expect(challengeUnconfirmedText(review, null, { kind: 'no-answer' }, 'r')).toContain(
      'posted in the verdict’s thread:',
    );
    for (const cause of [
      { kind: 'no-answer' },
      { kind: 'server-error', status: 500 },
      { kind: 'may-have-acted', error: 'internal_error' },
    ] as const) {
      expect(challengeUnconfirmedText(review, 'C0CHAN', cause, 'r')).not.toContain(
        "couldn't post your reason",
      );
    }
  });

  it('tells the clicker an export failed everywhere, naming the review and each refusal', () => {
    const review = reviewOf({ ...hostileAnswers(), title: 'R&D <bot>' });
    expect(exportFailedText(review, 'D0THEIRS01', 'channel_not_found', 'fatal_error')).toBe(
      ":warning: I couldn't attach the decision record for *R&amp;D &lt;bot&gt;* in that direct message because I'm not part of it, nor send it to you by DM (Slack answered `fatal_error`). Please try again in a moment.",
    );
    expect(exportFailedText(review, 'C0CHAN', 'ratelimited', 'x')).toContain(
      'in <#C0CHAN> (Slack answered `ratelimited`), nor send it',
    );
    expect(exportFailedText(review, null, null, 'x')).toBe(
      ":warning: I couldn't send you the decision record for *R&amp;D &lt;bot&gt;* by DM (Slack answered `x`). Please try again in a moment.",
    );
  });

  it('tells the clicker an export Slack didn’t confirm may be where it went, and to look before exporting again', () => {
    const review = reviewOf({ ...hostileAnswers(), title: 'R&D <bot>' });
    const noAnswer = { kind: 'no-answer' } as const;
    expect(exportUnconfirmedText(review, 'C0CHAN', true, noAnswer)).toBe(
      ":information_source: I couldn't confirm that the decision record for *R&amp;D &lt;bot&gt;* was attached in the thread in <#C0CHAN>: Slack's answer never reached me. It may be there already: look in the thread, and click *Export decision record* again if it isn't.",
    );
    expect(
      exportUnconfirmedText(review, 'C0CHAN', false, { kind: 'server-error', status: 503 }),
    ).toContain(
      'attached in <#C0CHAN>: Slack answered with a server error (HTTP 503), which can come after a message was posted. It may be there already: look in the channel,',
    );
    const inDm = exportUnconfirmedText(review, 'D0THEIRS01', false, {
      kind: 'may-have-acted',
      error: 'internal_error',
    });
    expect(inDm).toContain(
      'attached in that direct message: Slack answered `internal_error`, which can come after a message was posted. It may be there already: look in that conversation,',
    );
    expect(inDm).not.toContain('<#D');

    expect(exportDmUnconfirmedText(review, 'C0CHAN', 'is_archived', noAnswer)).toBe(
      ":information_source: I couldn't attach the decision record for *R&amp;D &lt;bot&gt;* in <#C0CHAN> because that channel is archived, so I sent it to you by DM, but I couldn't confirm that it arrived: Slack's answer never reached me. It may be in your DM with me already: look there, and click *Export decision record* again if it isn't.",
    );
    expect(
      exportDmUnconfirmedText(review, 'D0THEIRS01', 'ratelimited', {
        kind: 'may-have-acted',
        error: 'fatal_error',
      }),
    ).toContain(
      "in that direct message (Slack answered `ratelimited`), so I sent it to you by DM, but I couldn't confirm that it arrived: Slack answered `fatal_error`, which can come after",
    );
    expect(exportDmUnconfirmedText(review, null, null, noAnswer)).toBe(
      ":information_source: I couldn't confirm that the decision record for *R&amp;D &lt;bot&gt;* reached you by DM: Slack's answer never reached me. It may be in your DM with me already: look there, and click *Export decision record* again if it isn't.",
    );
    for (const text of [
      exportUnconfirmedText(review, 'C0CHAN', true, noAnswer),
      exportDmUnconfirmedText(review, 'C0CHAN', 'x', noAnswer),
    ]) {
      expect(text).not.toMatch(/couldn't send|Please try again/);
    }
  });

  it('tells a sharer a card Slack didn’t confirm may be there already, so they don’t share it twice', () => {
    const review = reviewOf({ ...hostileAnswers(), title: 'R&D <bot>' });
    expect(shareUnconfirmedText(review, 'C0CHAN', false, { kind: 'no-answer' })).toBe(
      `:information_source: I couldn't confirm that *R&amp;D &lt;bot&gt;* (<${review.permalink}|verdict>) was shared in <#C0CHAN>: Slack's answer never reached me. It may be there already: check the channel before you share it again.`,
    );
    expect(
      shareUnconfirmedText(review, 'C0CHAN', true, { kind: 'server-error', status: 502 }),
    ).toContain(
      'was shared in the thread in <#C0CHAN>: Slack answered with a server error (HTTP 502), which can come after a message was posted. It may be there already: check the thread before',
    );
    const inDm = shareUnconfirmedText(review, 'D0THEIRS01', false, {
      kind: 'may-have-acted',
      error: 'internal_error',
    });
    expect(inDm).toContain(
      'shared in that direct message: Slack answered `internal_error`, which can come after a message was posted. It may be there already: check that conversation before',
    );
    expect(inDm).not.toContain('<#D');
    expect(inDm).not.toContain("couldn't share");
  });

  it('tells an editor the note of their edit may be in the thread when Slack didn’t confirm it', () => {
    const answers = { ...hostileAnswers(), title: 'R&D <bot>' };
    expect(editUnconfirmedText(reviewOf(answers), { kind: 'no-answer' })).toBe(
      ":information_source: Your new answers to *R&amp;D &lt;bot&gt;* are saved, but I couldn't confirm that the change was noted in the thread in <#C0CHAN>: Slack's answer never reached me. It may be there already: check the thread before you note it there yourself.",
    );
    expect(
      editUnconfirmedText(reviewOf(answers), { kind: 'may-have-acted', error: 'fatal_error' }),
    ).toContain(
      'in <#C0CHAN>: Slack answered `fatal_error`, which can come after a message was posted.',
    );
    const inDm = editUnconfirmedText(reviewOf(answers, { postedChannelId: 'D0ASKERDM1' }), {
      kind: 'server-error',
      status: 500,
    });
    expect(inDm).toContain('the thread in that direct message: Slack answered');
    expect(inDm).not.toContain('<#D');
    expect(inDm).not.toContain("couldn't note the change");
  });

  it.each([
    ['ampersands', '&'.repeat(TITLE_MAX_CHARS)],
    ['brackets', '<&>'.repeat(TITLE_MAX_CHARS / 3)],
    ['emoji', '😀'.repeat(TITLE_MAX_CHARS)],
  ])('shows a valid title of %s whole, escaped, on every surface, within limits', (_, title) => {
    expect(charCount(title)).toBe(TITLE_MAX_CHARS);
    const answers = { ...hostileAnswers(), title, problem: '&'.repeat(PROBLEM_MAX_CHARS) };
    const whole = escapeMrkdwn(title);
    const review = reviewOf(answers);
    const input = { answers, decision: review.decision, userId: 'U0ASKER' };
    const ten = Array.from({ length: 10 }, (_, index) => reviewOf(answers, { id: `rev-${index}` }));
    // The longest lines: each superseded, with sign-offs.
    const longestExtras = {
      superseded: new Set(ten.map((each) => each.id)),
      tallies: Object.fromEntries(ten.map((each) => [each.id, { agree: 9999, challenge: 9999 }])),
    };
    const messages = {
      history: buildChannelHistoryMessage(ten, 40, 'U0ASKER', longestExtras),
      verdict: buildVerdictMessage(input),
      detail: buildVerdictDetail(input),
      shareCard: buildShareCard(review, 'U0SHARER'),
      staleCopy: buildStaleCopyMessage(title, {
        channelId: 'C0CHAN',
        permalink: 'https://t.slack.com/archives/C0CHAN/p1700000000000100',
        inAskersDm: false,
      }),
    };
    for (const [name, message] of Object.entries(messages)) {
      expect([name, checkMessage(message)]).toEqual([name, []]);
      expect([name, JSON.stringify(message.blocks).includes(whole)]).toEqual([name, true]);
    }
    for (const text of [messages.verdict.text, messages.staleCopy.text, messages.shareCard.text]) {
      expect(text).toContain(whole);
    }
    const views = {
      home: buildHomeView({
        userId: 'U0ASKER',
        mine: { reviews: ten.slice(0, 5), total: 10 },
        team: { reviews: ten.slice(5), total: 10 },
        countsByVerdict: {},
        undelivered: { reviews: [], total: 0 },
        paging: { mine: 0, team: 0 },
        ...longestExtras,
      }),
      open: buildReviewDetailModal(review),
      share: buildShareModal(review),
      challenge: buildChallengeModal(review),
      reviewStep: buildChecklistStepView({ ...commandChecklist(), step: 'review', draft: answers }),
      ...Object.fromEntries(
        (['posted-without-message', 'being-posted', 'superseded'] as const).map((reason) => [
          reason,
          buildEditRefusedModal(review, reason),
        ]),
      ),
    };
    for (const [name, view] of Object.entries(views)) {
      expect([name, checkView(view)]).toEqual([name, []]);
      expect([name, JSON.stringify(view.blocks).includes(whole)]).toEqual([name, true]);
    }
    const longestError = { kind: 'may-have-acted', error: 'e'.repeat(500) } as const;
    for (const text of [
      exportComment(review, 'U0ASKER'),
      exportFailedText(review, 'C0CHAN', 'is_archived', 'x'),
      exportUnconfirmedText(review, 'C0CHAN', true, longestError),
      exportDmUnconfirmedText(review, 'C0CHAN', 'e'.repeat(500), longestError),
      editNotNotedText(review, 'is_archived'),
      editUnconfirmedText(review, longestError),
      shareUnconfirmedText(review, 'C0CHAN', true, longestError),
    ]) {
      expect(text).toContain(`*${whole}*`);
      expect(checkMessage({ text })).toEqual([]);
    }
  });

  it('lists ten reviews with the longest titles and thread links within a message’s limits', () => {
    const title = 'R&D <support> assistant '.repeat(7).slice(0, 150);
    const ten = Array.from({ length: 10 }, (_, index) =>
      reviewOf(
        { ...hostileAnswers(), title },
        {
          id: `rev-${index}`,
          permalink: `https://workspace-with-a-long-name.enterprise.slack.com/archives/C0CHANNEL0001/p170000000000010${index}?thread_ts=1700000000.000100&cid=C0CHANNEL0001`,
        },
      ),
    );
    const history = buildChannelHistoryMessage(ten, 40, 'U0ASKER', {
      superseded: new Set(ten.map((each) => each.id)),
      tallies: Object.fromEntries(ten.map((each) => [each.id, { agree: 9999, challenge: 9999 }])),
    });
    expect(checkMessage(history)).toEqual([]);
    for (const review of ten) expect(JSON.stringify(history)).toContain(review.permalink ?? '');
  });

  it('shows a review this instance is posting as such, without Post again', () => {
    const pending = reviewOf(hostileAnswers(), { id: 'rev-pending', status: 'pending' });
    const other = reviewOf(hostileAnswers(), { id: 'rev-orphan', status: 'pending' });
    const home = buildHomeView({
      userId: 'U0ASKER',
      mine: { reviews: [], total: 0 },
      team: { reviews: [], total: 0 },
      countsByVerdict: {},
      undelivered: { reviews: [pending, other], total: 2 },
      postingNow: new Set(['rev-pending']),
      paging: { mine: 0, team: 0 },
    });
    expect(checkView(home)).toEqual([]);
    const blocks = home.blocks.filter((block) => block.block_id?.startsWith('undelivered_'));
    expect(blocks.map((block) => block.block_id)).toEqual([
      'undelivered_rev-pending',
      'undelivered_rev-orphan',
    ]);
    expect(JSON.stringify(blocks[0])).toContain('Being posted now');
    expect(JSON.stringify(blocks[0])).not.toContain('Post again');
    expect(JSON.stringify(blocks[1])).toContain('Post again');
  });

  it('lists undelivered reviews up to the limit, each with Post again, and says how many more', () => {
    const failed = (index: number) =>
      reviewOf(hostileAnswers(), {
        id: `rev-failed-${index}`,
        status: 'failed',
        lastError: 'channel_not_found; then DM: cannot_dm_bot <x>',
      });
    const listed = Array.from({ length: HOME_UNDELIVERED_LIMIT }, (_, index) => failed(index));
    const five = Array.from({ length: 5 }, (_, index) =>
      reviewOf(hostileAnswers(), { id: `rev-${index}` }),
    );
    const home = (total: number) =>
      buildHomeView({
        userId: 'U0ASKER',
        mine: { reviews: five, total: 23 },
        team: { reviews: five, total: 40 },
        countsByVerdict: {},
        undelivered: { reviews: listed, total },
        postingNow: new Set(),
        paging: { mine: 1, team: 1 },
      });

    const crowded = home(HOME_UNDELIVERED_LIMIT + 3);
    expect(checkView(crowded)).toEqual([]);
    const blocks = crowded.blocks.filter((block) => block.block_id?.startsWith('undelivered_'));
    expect(blocks.map((block) => block.block_id)).toEqual(
      listed.map((review) => `undelivered_${review.id}`),
    );
    for (const block of blocks) expect(JSON.stringify(block)).toContain('Post again');
    expect(JSON.stringify(crowded)).toContain('…and 3 older reviews not posted yet');
    expect(JSON.stringify(home(HOME_UNDELIVERED_LIMIT + 1))).toContain(
      '…and 1 older review not posted yet',
    );
    expect(JSON.stringify(home(HOME_UNDELIVERED_LIMIT))).not.toContain('older review');
  });

  it('keeps the pages it shows in its private_metadata, for a click in it to publish the same', () => {
    const home = buildHomeView({
      userId: 'U0ASKER',
      mine: { reviews: [], total: 0 },
      team: { reviews: [], total: 0 },
      countsByVerdict: {},
      undelivered: { reviews: [], total: 0 },
      paging: { mine: 2, team: 1 },
    });
    expect(parseHomePaging(home.private_metadata)).toEqual({ mine: 2, team: 1 });
    for (const other of [undefined, '', 'not json', '{"mine":-1,"team":0}', '{"mine":1}']) {
      expect(parseHomePaging(other)).toEqual({ mine: 0, team: 0 });
    }
  });

  it('every preview surface passes the limit checker', () => {
    for (const surface of previewSurfaces()) {
      const payload = surface.payload as { type?: string; blocks: unknown[] };
      const problems = payload.type
        ? checkView(payload)
        : checkMessage({ text: 'x', blocks: payload.blocks as never });
      expect(problems, surface.name).toEqual([]);
    }
  });
});
