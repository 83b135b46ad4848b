import type {
  Checkboxes,
  ContextBlock,
  InputBlock,
  KnownBlock,
  ModalView,
  PlainTextOption,
  RadioButtons,
} from '@slack/types';
import { MAX_LABELED_EXAMPLES } from '../checklist/readStep.js';
import type { Draft, StepId } from '../checklist/state.js';
import {
  answersToPost,
  type ChecklistState,
  encodeState,
  stepPosition,
} from '../checklist/state.js';
import { ActionId, BlockId, CallbackId } from '../constants.js';
import {
  BEHAVIOR_KINDS,
  GAPS,
  LEANINGS,
  PROBLEM_MAX_CHARS,
  PROMPT_TRIED_OPTIONS,
  TITLE_MAX_CHARS,
} from '../decision/answers.js';
import {
  EXAMPLES_TO_TRAIN_AND_HOLD_OUT,
  LEANING_LABELS,
  MIN_EXAMPLES_FOR_FINE_TUNING,
  MIN_HELD_OUT_EXAMPLES,
  PROMPT_TRIED_LABELS,
  plural,
} from '../decision/content.js';
import { decide, VERDICT_LABELS } from '../decision/index.js';
import { summarizeAnswers } from './answersSummary.js';
import {
  BEHAVIOR_KIND_OPTION_LABELS,
  GAP_OPTION_LABELS,
  RESTRICTED_DATA_OPTION,
} from './labels.js';
import { escapeMrkdwn, isDirectMessage, mentionChannel } from './text.js';
import { warningLines } from './verdictMessage.js';

const STEP_TITLES: Record<StepId, string> = {
  about: 'What are you building?',
  prompt: 'The prompt',
  gap: 'What is missing?',
  knowledge: 'About the knowledge',
  behavior: 'About the behavior',
  review: 'Check and post',
};

function option(value: string, text: string, description?: string): PlainTextOption {
  return {
    value,
    text: { type: 'plain_text', text, emoji: true },
    ...(description ? { description: { type: 'plain_text', text: description } } : {}),
  };
}

const YES_NO: PlainTextOption[] = [option('yes', 'Yes'), option('no', 'No')];

function yesNoInitial(value: boolean | undefined): PlainTextOption | undefined {
  if (value === undefined) return undefined;
  return value ? YES_NO[0] : YES_NO[1];
}

function context(text: string, blockId?: string): ContextBlock {
  return {
    type: 'context',
    ...(blockId ? { block_id: blockId } : {}),
    elements: [{ type: 'mrkdwn', text }],
  };
}

function radioInput(
  blockId: string,
  actionId: string,
  label: string,
  options: PlainTextOption[],
  initial: PlainTextOption | undefined,
  hint?: string,
): InputBlock {
  const element: RadioButtons = {
    type: 'radio_buttons',
    action_id: actionId,
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
  return {
    type: 'input',
    block_id: blockId,
    label: { type: 'plain_text', text: label },
    element,
    ...(hint ? { hint: { type: 'plain_text', text: hint } } : {}),
  };
}

function aboutBlocks(draft: Draft): KnownBlock[] {
  // The verdict's own labels, so a leaning reads as the verdict it would be.
  const leaningOptions = LEANINGS.map((leaning) => option(leaning, LEANING_LABELS[leaning]));
  const leaningInitial = leaningOptions.find((candidate) => candidate.value === draft.leaning);
  return [
    {
      type: 'input',
      block_id: BlockId.title,
      label: { type: 'plain_text', text: 'What are you building?' },
      element: {
        type: 'plain_text_input',
        action_id: ActionId.title,
        max_length: TITLE_MAX_CHARS,
        placeholder: { type: 'plain_text', text: 'e.g. Support assistant for refund questions' },
        ...(draft.title ? { initial_value: draft.title } : {}),
      },
    },
    {
      type: 'input',
      block_id: BlockId.problem,
      optional: true,
      label: { type: 'plain_text', text: 'What goes wrong today?' },
      element: {
        type: 'plain_text_input',
        action_id: ActionId.problem,
        multiline: true,
        max_length: PROBLEM_MAX_CHARS,
        placeholder: {
          type: 'plain_text',
          text: 'e.g. It quotes last quarter’s refund window and ignores our JSON format',
        },
        ...(draft.problem ? { initial_value: draft.problem } : {}),
      },
    },
    {
      type: 'input',
      block_id: BlockId.leaning,
      optional: true,
      label: { type: 'plain_text', text: 'What is the team leaning toward?' },
      element: {
        type: 'static_select',
        action_id: ActionId.leaning,
        placeholder: { type: 'plain_text', text: 'Undecided' },
        options: leaningOptions,
        ...(leaningInitial ? { initial_option: leaningInitial } : {}),
      },
    },
    restrictedDataBlock(draft),
    context(
      'The rule: *retrieve for knowledge, fine-tune for behavior.* The checklist climbs in order of rising cost: prompt, then retrieval, then fine-tuning.',
    ),
  ];
}

/**
 * One optional box rather than a yes/no: only a yes changes anything, and a radio once picked
 * can't be cleared in Slack, while a box can be unticked back to not said.
 */
function restrictedDataBlock(draft: Draft): InputBlock {
  const restricted = option(RESTRICTED_DATA_OPTION.value, RESTRICTED_DATA_OPTION.label);
  return {
    type: 'input',
    block_id: BlockId.restrictedData,
    optional: true,
    label: { type: 'plain_text', text: 'Data and access' },
    hint: {
      type: 'plain_text',
      text: 'Tick if it applies: it adds warnings and steps, and never changes the verdict. Retrieval can filter by who is asking and forget a deleted document at once; fine-tuned weights keep no access control.',
    },
    element: {
      type: 'checkboxes',
      action_id: ActionId.restrictedData,
      options: [restricted],
      ...(draft.restrictedData ? { initial_options: [restricted] } : {}),
    },
  };
}

function promptBlocks(draft: Draft): KnownBlock[] {
  // Only the answers offered now: an older review's answer, which did not say whether the prompt
  // was scored, shows no choice, so editing or re-running it asks again.
  const options = PROMPT_TRIED_OPTIONS.map((answer) => option(answer, PROMPT_TRIED_LABELS[answer]));
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*The cheapest step first:* have you tried a clear output spec and a few examples in the prompt, and scored it?',
      },
    },
    radioInput(
      BlockId.promptTried,
      ActionId.promptTried,
      'A better prompt',
      options,
      options.find((candidate) => candidate.value === draft.promptTried),
    ),
    context(
      '*Scored*: run on 20 to 50 real inputs with the outputs you expect, counting how many come out right. Only a score shows that fine-tuning is needed, and gives it a baseline to beat. Many gaps close here: a prompt that states the format, plus three good examples, costs an afternoon.',
    ),
  ];
}

function gapBlocks(draft: Draft): KnownBlock[] {
  const options = GAPS.map((gap) =>
    option(gap, GAP_OPTION_LABELS[gap].label, GAP_OPTION_LABELS[gap].description),
  );
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*What is the model missing?* Look at the failures you have seen, not at the ones you fear.',
      },
    },
    radioInput(
      BlockId.gap,
      ActionId.gap,
      'The gap',
      options,
      options.find((candidate) => candidate.value === draft.gap),
    ),
    context(
      '*Knowledge:* “Who is our Q3 enterprise contact?”, “What does the refund policy say?”\n*Behavior:* “always answer as strict JSON”, “our terse house voice”, “classify tickets into our 9 categories”',
    ),
  ];
}

function knowledgeBlocks(draft: Draft): KnownBlock[] {
  return [
    radioInput(
      BlockId.changesOften,
      ActionId.changesOften,
      'Does this knowledge change weekly or faster?',
      YES_NO,
      yesNoInitial(draft.knowledge?.changesOften),
      'Prices, contacts, policies, release notes…',
    ),
    radioInput(
      BlockId.citationsNeeded,
      ActionId.citationsNeeded,
      'Must answers cite their source?',
      YES_NO,
      yesNoInitial(draft.knowledge?.citationsNeeded),
    ),
    radioInput(
      BlockId.fitsInPrompt,
      ActionId.fitsInPrompt,
      'Would all the facts the model needs fit in the prompt?',
      YES_NO,
      yesNoInitial(draft.knowledge?.fitsInPrompt),
      'A few pages at most, e.g. office addresses or a product’s 20 plan names',
    ),
    context(
      'A few pages of facts that change less than weekly can go in the prompt itself, each with its source if answers must cite one. A few pages that change weekly are loaded fresh into each request: that is RAG without an index. More than that belongs in RAG with an index, which fetches only the passages each question needs.',
    ),
  ];
}

function behaviorBlocks(draft: Draft): KnownBlock[] {
  const kindOptions = BEHAVIOR_KINDS.map((kind) => option(kind, BEHAVIOR_KIND_OPTION_LABELS[kind]));
  const initialKinds = kindOptions.filter((candidate) =>
    draft.behavior?.kinds?.some((kind) => kind === candidate.value),
  );
  const kinds: Checkboxes = {
    type: 'checkboxes',
    action_id: ActionId.behaviorKinds,
    options: kindOptions,
    ...(initialKinds.length > 0 ? { initial_options: initialKinds } : {}),
  };
  const examples = draft.behavior?.labeledExamples;
  return [
    {
      type: 'input',
      block_id: BlockId.behaviorKinds,
      optional: true,
      label: { type: 'plain_text', text: 'What kind of behavior?' },
      element: kinds,
    },
    {
      type: 'input',
      block_id: BlockId.labeledExamples,
      label: { type: 'plain_text', text: 'How many good input → output examples do you have?' },
      hint: {
        type: 'plain_text',
        text: `Examples a reviewer would sign off on. Fine-tuning gains usually show from about ${MIN_EXAMPLES_FOR_FINE_TUNING} to train on, and judging the tune takes about ${MIN_HELD_OUT_EXAMPLES} more held out: about ${EXAMPLES_TO_TRAIN_AND_HOLD_OUT} in all, more for a classification into over 5 classes.`,
      },
      element: {
        type: 'number_input',
        action_id: ActionId.labeledExamples,
        is_decimal_allowed: false,
        min_value: '0',
        max_value: String(MAX_LABELED_EXAMPLES),
        ...(examples !== undefined ? { initial_value: String(examples) } : {}),
      },
    },
    radioInput(
      BlockId.trainingBudget,
      ActionId.trainingBudget,
      'Is there budget for training?',
      YES_NO,
      yesNoInitial(draft.behavior?.trainingBudget),
      'GPU time, or a hosted fine-tuning service',
    ),
    context(
      'Fine-tuning bakes behavior in, usually as a LoRA/QLoRA adapter of a few MB on a frozen base model.',
    ),
  ];
}

function destinationLine(state: ChecklistState): string {
  if (state.origin === 'edit')
    return 'Saving updates the original verdict message and notes the change in its thread.';
  if (state.origin === 'rerun') {
    // Without a thread (none recorded, none in the click), it can only go to the channel or a DM.
    if (state.threadTs && state.whereClicked)
      return 'The outcome is posted as a new revision in the thread you clicked in, not in the asker’s DM where the current verdict is; the earlier verdict stays.';
    if (state.threadTs)
      return 'The outcome is posted in the verdict’s thread as a new revision; the earlier verdict stays.';
    return state.channelId
      ? `The outcome is posted ${isDirectMessage(state.channelId) ? 'in that direct message' : `to ${mentionChannel(state.channelId)}`} as a new revision; the earlier verdict stays.`
      : 'The outcome is sent to you as a direct message, as a new revision; the earlier verdict stays.';
  }
  if (state.threadTs)
    return 'The verdict is posted as a reply in the thread, with the detail below it.';
  // In a DM the bot isn't part of, it goes out through the command's reply, which can't start a
  // thread: the detail follows as the next message (in the person's DM with ftrag, in the thread).
  if (state.channelId && isDirectMessage(state.channelId))
    return 'The verdict is posted in the direct message you started from, with the detail right after it.';
  if (state.channelId)
    return `The verdict is posted to ${mentionChannel(state.channelId)}, with the detail in its thread.`;
  return 'Pick where the verdict goes; leave it empty to get it as a direct message.';
}

/**
 * "Also send to the channel", for a verdict posted as a thread reply. Not in a DM's thread (there
 * is no channel to send it to; a group DM's id can't be told from a channel's), not for an edit,
 * and not for a re-run of a verdict that went out through a response_url: that posts the revision
 * in the thread the same way, and a response_url cannot broadcast a reply. A re-run posted where
 * it was clicked carries the click's response_url only for when the bot can't post there.
 */
function offersBroadcast(state: ChecklistState): boolean {
  if (!state.threadTs || state.origin === 'edit') return false;
  if (state.channelId && isDirectMessage(state.channelId)) return false;
  return !(state.origin === 'rerun' && state.responseUrl && !state.whereClicked);
}

const BROADCAST_OPTION = option('broadcast', 'Also send to the channel');

const SECTION_TEXT_MAX = 3000;

/** Whole lines of `text` within a section's limit, "…" standing for those left out. */
function fitSectionText(text: string): string {
  if (text.length <= SECTION_TEXT_MAX) return text;
  return `${text.slice(0, SECTION_TEXT_MAX - 2).replace(/\n[^\n]*$/, '')}\n…`;
}

function reviewBlocks(state: ChecklistState): KnownBlock[] {
  // What will be posted: details of a part of the gap not chosen (kept in the draft for a change
  // of mind) are neither shown nor decided on.
  const answers = answersToPost(state.draft);
  if (!answers) {
    return [
      {
        type: 'section',
        block_id: BlockId.errorNotice,
        text: {
          type: 'mrkdwn',
          text: 'Some answers are missing. Close this and start the review again.',
        },
      },
    ];
  }
  const decision = decide(answers);
  // Chosen before Back; each is used only by its own block, shown only where it applies.
  const chosen = state.reviewChoices;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: BlockId.summary,
      text: { type: 'mrkdwn', text: summarizeAnswers(answers) },
    },
    { type: 'divider' },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*ftrag will say: ${VERDICT_LABELS[decision.verdict]}*${decision.warnings.length > 0 ? ` · :warning: ${plural(decision.warnings.length, 'warning', 'warnings')}` : ''}\n${escapeMrkdwn(decision.headline)}`,
      },
    },
  ];
  // Shown before posting, as the verdict will show them: the one about fine-tuning for a
  // knowledge gap above all is worth reading before the channel does.
  if (decision.warnings.length > 0) {
    blocks.push({
      type: 'section',
      block_id: BlockId.reviewWarnings,
      text: { type: 'mrkdwn', text: fitSectionText(warningLines(decision)) },
    });
  }
  if (state.origin === 'home') {
    blocks.push({
      type: 'input',
      block_id: BlockId.destination,
      optional: true,
      label: { type: 'plain_text', text: 'Post the verdict to' },
      hint: { type: 'plain_text', text: 'Leave empty to get it as a direct message from ftrag.' },
      element: {
        type: 'conversations_select',
        action_id: ActionId.destination,
        placeholder: { type: 'plain_text', text: 'Pick a channel' },
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(chosen?.destinationChannelId
          ? { initial_conversation: chosen.destinationChannelId }
          : {}),
      },
    });
  }
  if (offersBroadcast(state)) {
    blocks.push({
      type: 'input',
      block_id: BlockId.broadcast,
      optional: true,
      label: { type: 'plain_text', text: 'Visibility' },
      element: {
        type: 'checkboxes',
        action_id: ActionId.broadcast,
        options: [BROADCAST_OPTION],
        ...(chosen?.broadcast ? { initial_options: [BROADCAST_OPTION] } : {}),
      },
    });
  }
  blocks.push(context(destinationLine(state)));
  return blocks;
}

function stepBlocks(state: ChecklistState): KnownBlock[] {
  switch (state.step) {
    case 'about':
      return aboutBlocks(state.draft);
    case 'prompt':
      return promptBlocks(state.draft);
    case 'gap':
      return gapBlocks(state.draft);
    case 'knowledge':
      return knowledgeBlocks(state.draft);
    case 'behavior':
      return behaviorBlocks(state.draft);
    case 'review':
      return reviewBlocks(state);
  }
}

/** Back to the previous step; its listener keeps what this step holds (the modal has no Back). */
function backBlock(): KnownBlock {
  return {
    type: 'actions',
    block_id: BlockId.checklistBack,
    elements: [
      {
        type: 'button',
        action_id: ActionId.checklistBack,
        text: { type: 'plain_text', text: 'Back', emoji: true },
      },
    ],
  };
}

const MODAL_TITLES: Partial<Record<ChecklistState['origin'], string>> = {
  edit: 'Edit review',
  rerun: 'Re-run review',
};

function submitLabel(state: ChecklistState): string {
  if (state.step !== 'review') return 'Next';
  if (state.origin === 'rerun') return 'Post revision';
  return state.origin === 'edit' ? 'Save changes' : 'Post verdict';
}

/** One step of the checklist as a modal; its state travels in private_metadata. */
export function buildChecklistStepView(state: ChecklistState): ModalView {
  const position = stepPosition(state.step, state.draft);
  return {
    type: 'modal',
    callback_id: CallbackId.checklistStep,
    title: { type: 'plain_text', text: MODAL_TITLES[state.origin] ?? 'ftrag review' },
    submit: { type: 'plain_text', text: submitLabel(state) },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: encodeState(state),
    blocks: [
      context(
        `*Step ${position.number} of ${position.total}* · ${STEP_TITLES[state.step]}`,
        BlockId.stepContext,
      ),
      ...stepBlocks(state),
      ...(state.step === 'about' ? [] : [backBlock()]),
    ],
  };
}

/** The error view's message when the checklist's private_metadata can't be read. */
export const CHECKLIST_UNREADABLE =
  'This checklist’s saved answers could not be read (the modal may be from an older version of ftrag or was altered), so nothing was posted.';

/** Shown in place of a step when the modal's state can't be trusted. */
export function buildChecklistErrorView(message: string): ModalView {
  return {
    type: 'modal',
    callback_id: CallbackId.checklistStep,
    title: { type: 'plain_text', text: 'ftrag review' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      {
        type: 'section',
        block_id: BlockId.errorNotice,
        text: { type: 'mrkdwn', text: `:warning: ${message}` },
      },
      context('Nothing was posted. Start again with `/ftrag`; your earlier reviews are safe.'),
    ],
  };
}
