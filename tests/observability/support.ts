/**
 * The real app over HTTP against the fake Slack, for the observability, shutdown and fuzz suites:
 * thin helpers over the end-to-end harness (tests/e2e/harness.ts).
 */
import type { Answers } from '../../src/decision/answers.js';
import { E2e, type E2eOptions, EXAMPLES, SIGNING_SECRET, valuesForStep } from '../e2e/harness.js';
import type { AppProcess } from '../support/appProcess.js';
import type { FakeSlack } from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import type { SlackClientForTests, SlackHttpResponse } from '../support/slackRequests.js';

export { SIGNING_SECRET };
export const CHANNEL = 'C0OBSERVE1';
export const USER = 'U0OBSERVE1';

export interface Running {
  e2e: E2e;
  fake: FakeSlack;
  app: AppProcess;
  slack: SlackClientForTests;
  databaseUrl: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * One app instance (LOG_LEVEL=info unless `env` says otherwise) and its fake Slack, with any other
 * harness `options` (the fake's rate limits, say).
 */
export async function startRunning(
  env: Record<string, string> = {},
  options: Omit<E2eOptions, 'env'> = {},
): Promise<Running> {
  const e2e = await E2e.start({ ...options, env: { LOG_LEVEL: 'info', ...env } });
  const [app] = e2e.apps;
  if (!app) throw new Error('no app instance started');
  e2e.fake.addChannel(CHANNEL, { member: true });
  return {
    e2e,
    fake: e2e.fake,
    app,
    slack: e2e.slack(),
    databaseUrl: e2e.databaseUrl,
    env: e2e.env,
    close: () => e2e.close(),
  };
}

export interface ReviewInput {
  title: string;
  problem: string;
  user?: string;
  channel?: string;
}

/** A knowledge-and-behavior review (RAG + fine-tune) with this title and problem. */
function answersFor(input: ReviewInput): Answers {
  return { ...EXAMPLES.both, leaning: 'undecided', title: input.title, problem: input.problem };
}

/** `/ftrag <title>`: returns the id of the modal it opened. */
export async function openChecklist(running: Running, input: ReviewInput): Promise<string> {
  const { modal } = await running.e2e.slashCommand(input.title, {
    user: input.user ?? USER,
    channel: input.channel ?? CHANNEL,
  });
  if (!modal) throw new Error('the slash command opened no modal');
  return modal.id;
}

/** Submits the step on screen; keeps the fake's modal in sync with the answer. */
export function submitStep(
  running: Running,
  viewId: string,
  input: ReviewInput,
): Promise<SlackHttpResponse> {
  const view = running.fake.view(viewId);
  if (!view?.open) throw new Error(`modal ${viewId} is not open`);
  return running.e2e.submit(viewId, valuesForStep(view, answersFor(input), {}), {
    user: input.user ?? USER,
  });
}

/** Answers steps until "Post verdict" is on screen (without pressing it). */
export async function answerUntilLastStep(
  running: Running,
  viewId: string,
  input: ReviewInput,
): Promise<void> {
  for (let step = 0; step < 8; step++) {
    const view = running.fake.view(viewId);
    if (!view?.open) throw new Error('the modal closed before the last step');
    const submit = isRecord(view.view.submit) ? view.view.submit.text : undefined;
    if (submit === 'Post verdict') return;
    await submitStep(running, viewId, input);
  }
  throw new Error('the checklist never reached its last step');
}

/** The app's output as parsed JSON lines; throws on a line that is not JSON. */
export function logLines(app: AppProcess): Record<string, unknown>[] {
  return app
    .stdout()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed: unknown = JSON.parse(line);
      if (!isRecord(parsed)) throw new Error(`log line is not an object: ${line}`);
      return parsed;
    });
}

/** The value of one sample in Prometheus text (0 when absent). */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0] ?? '';
    if (wanted.every((pair) => labelText.includes(pair))) total += Number(line.split(' ').at(-1));
  }
  return total;
}

export async function scrape(running: Running): Promise<string> {
  const response = await fetch(`${running.app.baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}
