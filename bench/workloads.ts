/**
 * The requests a benchmark sends, as Slack would send them: slash commands, checklist step
 * submissions and final submissions. Each request gets a fresh timestamp, signature, trigger id
 * and view id (a final submission's view id is its idempotency key, so it must never repeat).
 *
 * Bodies are built once from the app's own view builders and the test toolkit's modal driver, with
 * placeholders that survive JSON and form encoding; per request only the ids are filled in and the
 * body is signed, so the load generator stays cheap.
 */
import { randomBytes } from 'node:crypto';
import type { ChecklistState, Draft, StepId } from '../src/checklist/state.js';
import { startChecklist } from '../src/checklist/state.js';
import { ActionId, BlockId } from '../src/constants.js';
import { buildChecklistStepView } from '../src/views/checklistModal.js';
import type { JsonObject } from '../tests/support/json.js';
import { FORM_CONTENT_TYPE, signSlackRequest, unixSeconds } from '../tests/support/signing.js';
import {
  buildSlashCommand,
  encodeForm,
  fillAndSubmit,
  type ViewValues,
} from '../tests/support/slackRequests.js';

const TRIGGER_SLOT = 'TRIGGERXSLOTX';
const VIEW_SLOT = 'VIEWXSLOTX';
const CHANNEL_SLOT = 'CHANNELXSLOTX';
const SLOTS = new RegExp(`(${TRIGGER_SLOT}|${VIEW_SLOT}|${CHANNEL_SLOT})`);

export const BENCH_CHANNEL = 'C0BENCH001';
const USER = 'U0BENCH001';

/** A signed request body with fresh ids each time. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

let sequence = 0;
const runTag = randomBytes(4).toString('hex').toUpperCase();

function freshIds(): { trigger: string; view: string } {
  sequence += 1;
  const n = sequence.toString(36).toUpperCase().padStart(7, '0');
  return {
    trigger: `${Date.now()}.${sequence}.${runTag.toLowerCase()}${n.toLowerCase()}`,
    view: `V${runTag}${n}`,
  };
}

/** An encoded form body split around its placeholders. */
export class BodyTemplate {
  private readonly parts: string[];

  constructor(
    readonly name: string,
    encoded: string,
  ) {
    this.parts = encoded.split(SLOTS);
  }

  /** Signs with `secret`; `channel` replaces the channel placeholder (final submissions). */
  render(secret: string, channel: string = BENCH_CHANNEL): SignedRequest {
    const ids = freshIds();
    let body = '';
    for (const part of this.parts) {
      if (part === TRIGGER_SLOT) body += ids.trigger;
      else if (part === VIEW_SLOT) body += ids.view;
      else if (part === CHANNEL_SLOT) body += channel;
      else body += part;
    }
    const timestamp = unixSeconds();
    return {
      body,
      headers: {
        'content-type': FORM_CONTENT_TYPE,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(secret, timestamp, body),
      },
    };
  }
}

const TITLE = 'Support assistant for refund questions';

const ANSWERS = {
  title: TITLE,
  problem: 'It quotes last quarter’s refund window and ignores our JSON format.',
  leaning: 'rag+fine-tune',
  promptTried: 'scored-falls-short',
  gap: 'both',
  knowledge: { changesOften: true, citationsNeeded: false, fitsInPrompt: false },
  behavior: { kinds: ['format'], labeledExamples: 300, trainingBudget: true },
} as const satisfies Draft;

/** What the draft holds when each step is on screen (after the slash command pre-filled the title). */
const DRAFT_BEFORE: Record<StepId, Draft> = {
  about: { title: TITLE },
  prompt: { title: TITLE, problem: ANSWERS.problem, leaning: ANSWERS.leaning },
  gap: {
    title: TITLE,
    problem: ANSWERS.problem,
    leaning: ANSWERS.leaning,
    promptTried: ANSWERS.promptTried,
  },
  knowledge: {
    title: TITLE,
    problem: ANSWERS.problem,
    leaning: ANSWERS.leaning,
    promptTried: ANSWERS.promptTried,
    gap: ANSWERS.gap,
  },
  behavior: {
    title: TITLE,
    problem: ANSWERS.problem,
    leaning: ANSWERS.leaning,
    promptTried: ANSWERS.promptTried,
    gap: ANSWERS.gap,
    knowledge: { ...ANSWERS.knowledge },
  },
  review: {
    ...ANSWERS,
    knowledge: { ...ANSWERS.knowledge },
    behavior: { ...ANSWERS.behavior, kinds: [...ANSWERS.behavior.kinds] },
  },
};

/** What a person enters on each step. */
const VALUES: Record<StepId, ViewValues> = {
  about: {
    [BlockId.title]: { [ActionId.title]: TITLE },
    [BlockId.problem]: { [ActionId.problem]: ANSWERS.problem },
    [BlockId.leaning]: { [ActionId.leaning]: ANSWERS.leaning },
  },
  prompt: { [BlockId.promptTried]: { [ActionId.promptTried]: ANSWERS.promptTried } },
  gap: { [BlockId.gap]: { [ActionId.gap]: ANSWERS.gap } },
  knowledge: {
    [BlockId.changesOften]: { [ActionId.changesOften]: 'yes' },
    [BlockId.citationsNeeded]: { [ActionId.citationsNeeded]: 'no' },
    [BlockId.fitsInPrompt]: { [ActionId.fitsInPrompt]: 'no' },
  },
  behavior: {
    [BlockId.behaviorKinds]: { [ActionId.behaviorKinds]: ['format'] },
    [BlockId.labeledExamples]: { [ActionId.labeledExamples]: '300' },
    [BlockId.trainingBudget]: { [ActionId.trainingBudget]: 'yes' },
  },
  review: {},
};

export const STEP_SEQUENCE = ['about', 'prompt', 'gap', 'knowledge', 'behavior'] as const;

function stepState(step: StepId, channelId: string): ChecklistState {
  const start = startChecklist({
    origin: 'command',
    channelId,
    threadTs: null,
    responseUrl: null,
    draft: DRAFT_BEFORE[step],
  });
  return { ...start, step };
}

/** The view_submission body for `step`, as Slack's client sends it when the person presses submit. */
function submissionTemplate(step: StepId): BodyTemplate {
  // The channel goes through private_metadata; a placeholder that is a valid channel id.
  const view = buildChecklistStepView(stepState(step, CHANNEL_SLOT));
  const shown: JsonObject = {
    ...view,
    id: VIEW_SLOT,
    hash: '1700000000.bench',
    team_id: 'T0BENCH001',
  };
  const payload = fillAndSubmit(shown, VALUES[step], {
    user: USER,
    workspace: { teamId: 'T0BENCH001' },
    triggerId: TRIGGER_SLOT,
  });
  return new BodyTemplate(step, encodeForm({ payload: JSON.stringify(payload) }));
}

function slashTemplate(): BodyTemplate {
  const fields = buildSlashCommand({
    command: '/ftrag',
    text: TITLE,
    channelId: BENCH_CHANNEL,
    user: USER,
    workspace: { teamId: 'T0BENCH001' },
    triggerId: TRIGGER_SLOT,
    responseUrl: `https://hooks.slack.invalid/commands/T0BENCH001/${VIEW_SLOT}`,
  });
  return new BodyTemplate('slash', encodeForm(fields));
}

export type WorkloadName = 'slash' | 'step' | 'final' | 'mixed' | 'session';

export interface Workload {
  name: WorkloadName;
  label: string;
  /** One connection sends these in turn. */
  templates: BodyTemplate[];
  /** Final submissions per round of `templates` (each posts a verdict and its thread reply). */
  finalsPerCycle: number;
}

export function buildWorkloads(): Record<WorkloadName, Workload> {
  const slash = slashTemplate();
  const steps = STEP_SEQUENCE.map(submissionTemplate);
  const final = submissionTemplate('review');
  return {
    slash: {
      name: 'slash',
      label: 'Slash command (ack + views.open)',
      templates: [slash],
      finalsPerCycle: 0,
    },
    step: {
      name: 'step',
      label: 'Step submission (response_action: update)',
      templates: steps,
      finalsPerCycle: 0,
    },
    final: {
      name: 'final',
      label: 'Final submission (ack; then save, post, thread reply)',
      templates: [final],
      finalsPerCycle: 1,
    },
    mixed: {
      name: 'mixed',
      label: 'Mixed: a whole review (command, 5 steps, final)',
      templates: [slash, ...steps, final],
      finalsPerCycle: 1,
    },
    session: {
      name: 'session',
      label: 'The interactive part of a review (command, 5 steps)',
      templates: [slash, ...steps],
      finalsPerCycle: 0,
    },
  };
}
