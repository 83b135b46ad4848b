/**
 * The real app over HTTP against the fake Slack, and a person walking the checklist: shared by the
 * observability, shutdown and fuzz suites.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionId, BlockId } from '../../src/constants.js';
import { type AppProcess, type StartAppOptions, startApp } from '../support/appProcess.js';
import {
  type FakeSlack,
  type FakeSlackOptions,
  type StoredView,
  startFakeSlack,
} from '../support/fakeSlack.js';
import { isRecord } from '../support/json.js';
import {
  fillAndSubmit,
  SlackClientForTests,
  type SlackHttpResponse,
  type ViewValues,
} from '../support/slackRequests.js';

export const SIGNING_SECRET = 'observability-signing-secret-0123456789';
export const CHANNEL = 'C0OBSERVE1';
export const USER = 'U0OBSERVE1';

export interface Running {
  fake: FakeSlack;
  app: AppProcess;
  slack: SlackClientForTests;
  databaseUrl: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startRunning(
  env: Record<string, string> = {},
  options: { fake?: FakeSlackOptions; app?: StartAppOptions } = {},
): Promise<Running> {
  const fake = await startFakeSlack(options.fake);
  const dir = mkdtempSync(path.join(tmpdir(), 'ftrag-obs-'));
  const databaseUrl = `sqlite:${path.join(dir, 'ftrag.db')}`;
  const fullEnv = {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    ...env,
  };
  const app = await startApp(fullEnv, options.app);
  return {
    fake,
    app,
    slack: new SlackClientForTests({ baseUrl: app.baseUrl, signingSecret: SIGNING_SECRET }),
    databaseUrl,
    env: fullEnv,
    async close() {
      await app.stop().catch(() => undefined);
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ReviewInput {
  title: string;
  problem: string;
  user?: string;
  channel?: string;
}

/** `/ftrag <title>`: returns the id of the modal it opened. */
export async function openChecklist(running: Running, input: ReviewInput): Promise<string> {
  const user = input.user ?? USER;
  const channel = input.channel ?? CHANNEL;
  const before = running.fake.calls.length;
  const response = await running.slack.slashCommand({
    command: '/ftrag',
    text: input.title,
    channelId: channel,
    user,
    triggerId: running.fake.issueTriggerId({ userId: user }),
    responseUrl: running.fake.newResponseUrl({ channel, userId: user }),
  });
  if (response.status !== 200) throw new Error(`slash command answered ${response.status}`);
  const call = await running.fake.waitFor('views.open', (c) => c.index >= before);
  const view = isRecord(call.response) && isRecord(call.response.view) ? call.response.view : {};
  return String(view.id);
}

function blockIds(view: StoredView): Set<string> {
  const blocks = Array.isArray(view.view.blocks) ? view.view.blocks : [];
  return new Set(blocks.filter(isRecord).map((block) => String(block.block_id)));
}

/** What the person enters on the step on screen: a knowledge-and-behavior review. */
function valuesFor(view: StoredView, input: ReviewInput): ViewValues {
  const ids = blockIds(view);
  const values: ViewValues = {};
  if (ids.has(BlockId.title)) {
    values[BlockId.title] = { [ActionId.title]: input.title };
    values[BlockId.problem] = { [ActionId.problem]: input.problem };
    values[BlockId.leaning] = { [ActionId.leaning]: 'undecided' };
  }
  if (ids.has(BlockId.promptTried)) {
    values[BlockId.promptTried] = { [ActionId.promptTried]: 'still-unreliable' };
  }
  if (ids.has(BlockId.gap)) values[BlockId.gap] = { [ActionId.gap]: 'both' };
  if (ids.has(BlockId.changesOften)) {
    values[BlockId.changesOften] = { [ActionId.changesOften]: 'yes' };
    values[BlockId.citationsNeeded] = { [ActionId.citationsNeeded]: 'no' };
  }
  if (ids.has(BlockId.labeledExamples)) {
    values[BlockId.behaviorKinds] = { [ActionId.behaviorKinds]: ['format'] };
    values[BlockId.labeledExamples] = { [ActionId.labeledExamples]: '300' };
    values[BlockId.trainingBudget] = { [ActionId.trainingBudget]: 'yes' };
  }
  return values;
}

function isLastStep(view: StoredView): boolean {
  return JSON.stringify(view.view.submit ?? null).includes('Post verdict');
}

/** Submits the step on screen; keeps the fake's modal in sync with the answer. */
export async function submitStep(
  running: Running,
  viewId: string,
  input: ReviewInput,
): Promise<SlackHttpResponse> {
  const view = running.fake.view(viewId);
  if (!view?.open) throw new Error(`modal ${viewId} is not open`);
  const payload = fillAndSubmit(view, valuesFor(view, input), { user: input.user ?? USER });
  const response = await running.slack.interactive(payload);
  running.fake.applyViewResponse(viewId, response.json ?? null);
  return response;
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
    if (isLastStep(view)) return;
    const response = await submitStep(running, viewId, input);
    if (response.status !== 200) throw new Error(`step answered ${response.status}`);
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
