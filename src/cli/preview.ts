import type { ChecklistState, StepId } from '../checklist/state.js';
import { applicableSteps, startChecklist } from '../checklist/state.js';
import type { Answers } from '../decision/answers.js';
import { decide } from '../decision/index.js';
import { buildChecklistStepView } from '../views/checklistModal.js';
import { buildHomeView } from '../views/homeView.js';
import { buildVerdictDetail, buildVerdictMessage } from '../views/verdictMessage.js';
import type { CliIo } from './decide.js';

const BUILDER = 'https://app.slack.com/block-kit-builder/#';

/** The sample review every surface is shown with: both gaps, so every step appears. */
export const SAMPLE_ANSWERS: Answers = {
  title: 'Support assistant for refund questions',
  problem:
    'It quotes last quarter’s refund window, and half of its answers break our strict JSON format.',
  leaning: 'fine-tune',
  promptTried: 'scored-falls-short',
  gap: 'both',
  knowledge: { changesOften: true, citationsNeeded: true, fitsInPrompt: false },
  behavior: { kinds: ['format'], labeledExamples: 300, trainingBudget: true },
};

export function builderLink(payload: object): string {
  return `${BUILDER}${encodeURIComponent(JSON.stringify(payload))}`;
}

export interface PreviewSurface {
  name: string;
  payload: object;
}

/** Every surface a person sees, built from the sample review. */
export function previewSurfaces(): PreviewSurface[] {
  const base = startChecklist({
    origin: 'command',
    channelId: 'C0PREVIEW',
    threadTs: null,
    responseUrl: null,
    draft: SAMPLE_ANSWERS,
  });
  const steps: StepId[] = applicableSteps(SAMPLE_ANSWERS);
  const surfaces: PreviewSurface[] = steps.map((step, index) => {
    const state: ChecklistState = { ...base, step };
    return {
      name: `Modal step ${index + 1} of ${steps.length}: ${step}`,
      payload: buildChecklistStepView(state),
    };
  });
  const decision = decide(SAMPLE_ANSWERS);
  const input = { answers: SAMPLE_ANSWERS, decision, userId: 'U0PREVIEW' };
  surfaces.push(
    {
      name: 'Verdict message (channel)',
      payload: {
        blocks: buildVerdictMessage({ ...input, signOff: { reviewId: 'preview', votes: [] } })
          .blocks,
      },
    },
    {
      name: 'Verdict detail (thread reply)',
      payload: { blocks: buildVerdictDetail(input).blocks },
    },
  );
  const now = new Date('2026-11-29T10:00:00Z');
  const review = {
    id: 'preview',
    teamId: 'T0PREVIEW',
    enterpriseId: null,
    userId: 'U0PREVIEW',
    target: { channelId: 'C0PREVIEW', threadTs: null, broadcast: false, responseUrl: null },
    answers: SAMPLE_ANSWERS,
    decision,
    rulesVersion: decision.rulesVersion,
    status: 'posted' as const,
    lastError: null,
    postedChannelId: 'C0PREVIEW',
    messageTs: '1764410400.000100',
    threadTs: '1764410400.000100',
    permalink: 'https://example.slack.com/archives/C0PREVIEW/p1764410400000100',
    createdAt: now,
    updatedAt: now,
  };
  surfaces.push({
    name: 'App Home',
    payload: buildHomeView({
      userId: 'U0PREVIEW',
      mine: { reviews: [review], total: 1 },
      team: { reviews: [review], total: 1 },
      countsByVerdict: { [decision.verdict]: 1 },
      undelivered: { reviews: [], total: 0 },
      editable: new Set([review.id]),
      paging: { mine: 0, team: 0 },
    }),
  });
  return surfaces;
}

const USAGE = 'usage: ftrag preview [--json]\n';

/** `ftrag preview [--json]`: every surface with a Block Kit Builder link. */
export async function runPreview(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(
      `${USAGE}Prints every modal step, the verdict message, its thread reply and the Home tab as Block Kit Builder links (--json: their payloads).\n`,
    );
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--json');
  if (unknown.length > 0) {
    io.stderr(`ftrag preview: unknown argument ${JSON.stringify(unknown[0])}\n${USAGE}`);
    return 2;
  }
  const surfaces = previewSurfaces();
  if (args.includes('--json')) {
    io.stdout(`${JSON.stringify(surfaces, null, 2)}\n`);
    return 0;
  }
  for (const surface of surfaces) {
    io.stdout(`${surface.name}\n  ${builderLink(surface.payload)}\n\n`);
  }
  return 0;
}
