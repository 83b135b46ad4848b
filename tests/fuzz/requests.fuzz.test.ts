/**
 * Arbitrary requests, correctly signed, against the running app: whatever arrives, the process
 * stays up, nothing gets a 5xx, and each answer is either what Slack expects or a plain 4xx, quickly
 * (no 3-second wait for Bolt's unacknowledged-request timeout).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChecklist } from '../../src/checklist/state.js';
import { ActionId, BlockId, CallbackId } from '../../src/constants.js';
import { buildChecklistStepView } from '../../src/views/checklistModal.js';
import { CHANNEL, type Running, startRunning } from '../observability/support.js';
import { isRecord } from '../support/json.js';
import {
  buildEventCallback,
  buildMessageShortcut,
  encodeForm,
  fillAndSubmit,
  type SlackHttpResponse,
} from '../support/slackRequests.js';

let running: Running;

beforeAll(async () => {
  running = await startRunning({ LOG_LEVEL: 'warn' });
});

afterAll(async () => {
  await running?.close();
});

const RUNS = 50;
/** Bolt's receiver answers a request no listener acknowledged after 3001 ms. */
const BOLT_UNHANDLED_MS = 5000;
const QUICK_MS = 2_500;

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'application/x-www-form-urlencoded; charset=utf-8',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  '',
];

/** Sends signed, and checks what every answer must satisfy. */
async function sendSigned(
  body: string,
  contentType: string,
  withinMs = QUICK_MS,
): Promise<SlackHttpResponse> {
  const started = performance.now();
  const response = await running.slack.post(body, contentType);
  expect(response.status).toBeLessThan(500);
  expect([200, 400, 401, 404, 413]).toContain(response.status);
  expect(performance.now() - started).toBeLessThan(withinMs);
  return response;
}

async function stillHealthy(): Promise<void> {
  expect(running.app.exited()).toBeUndefined();
  const health = await fetch(`${running.app.baseUrl}/healthz`);
  expect(health.status).toBe(200);
}

/** JSON text that parses to any value, including the awkward ones (null, numbers, arrays). */
const anyJson = fc.oneof(
  fc.json(),
  fc.constantFrom(
    'null',
    '0',
    '"x"',
    '[]',
    'true',
    '{}',
    '{"type":null}',
    '{"type":"view_submission"}',
  ),
);

/** A well-formed checklist state with fields replaced by arbitrary values. */
const mangledState = fc
  .record(
    {
      v: fc.oneof(fc.constant(1), fc.jsonValue()),
      step: fc.oneof(
        fc.constantFrom('about', 'prompt', 'gap', 'knowledge', 'behavior', 'review'),
        fc.string(),
      ),
      origin: fc.oneof(fc.constantFrom('command', 'shortcut', 'home', 'edit'), fc.string()),
      channelId: fc.oneof(fc.constant('C0FUZZ0001'), fc.constant(null), fc.string()),
      threadTs: fc.oneof(fc.constant(null), fc.constant('1700000000.000100'), fc.string()),
      responseUrl: fc.oneof(fc.constant(null), fc.webUrl(), fc.string()),
      reviewId: fc.oneof(fc.constant(null), fc.string()),
      draft: fc.oneof(
        fc.constant({}),
        fc.record({ title: fc.string(), gap: fc.string() }, { requiredKeys: [] }),
        fc.jsonValue(),
      ),
    },
    { requiredKeys: [] },
  )
  .map((state) => JSON.stringify(state));

const privateMetadata = fc.oneof(
  fc.string({ maxLength: 3000 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  mangledState,
);

/** Text that looks like JSON, or nearly: metadata of ftrag's shapes, truncated or with odd values. */
const jsonish = fc.oneof(
  fc.json(),
  fc
    .record(
      {
        reviewId: fc.oneof(fc.string(), fc.jsonValue()),
        message: fc.oneof(
          fc.jsonValue(),
          fc.record(
            { responseUrl: fc.oneof(fc.webUrl(), fc.string()), messageTs: fc.string() },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    )
    .map((metadata) => JSON.stringify(metadata)),
  fc.json().chain((text) => fc.nat(text.length).map((cut) => text.slice(0, cut))),
  fc.constantFrom('', '{', '{"reviewId":', '{"reviewId":null}', '"', '[{}]', '{"v":1}'),
);

/** Any private_metadata Slack could hand back (it holds at most 3,000 characters). */
const anyMetadata = fc.oneof(fc.string({ maxLength: 3000 }), jsonish, privateMetadata);

/** The modals ftrag takes submissions of; its other callback_ids are no modal one can submit. */
const SUBMITTED_VIEWS: readonly string[] = [
  CallbackId.checklistStep,
  CallbackId.shareReview,
  CallbackId.challengeReason,
];

/** A submission of modal `callbackId`, its inputs filled as a person could. */
function submissionOf(callbackId: string, privateMetadata: string) {
  return {
    type: 'view_submission',
    team: { id: 'T0FAKETEAM', domain: 'fuzz' },
    user: { id: 'U0FUZZUSER', team_id: 'T0FAKETEAM' },
    view: {
      id: 'V0FUZZVIEW2',
      type: 'modal',
      callback_id: callbackId,
      team_id: 'T0FAKETEAM',
      hash: '1.fuzz',
      private_metadata: privateMetadata,
      state: {
        values: {
          [BlockId.title]: { [ActionId.title]: { type: 'plain_text_input', value: 'Fuzzed' } },
          [BlockId.shareChannel]: {
            [ActionId.shareChannel]: {
              type: 'conversations_select',
              selected_conversation: CHANNEL,
            },
          },
          [BlockId.challengeReason]: {
            [ActionId.challengeReason]: { type: 'plain_text_input', value: 'Fuzzed reason' },
          },
        },
      },
    },
  };
}

function checklistView(privateMetadata: string) {
  const state = startChecklist({
    origin: 'command',
    channelId: 'C0FUZZ0001',
    threadTs: null,
    responseUrl: null,
    draft: { title: 'Fuzzed review' },
  });
  const view = buildChecklistStepView(state);
  return {
    ...view,
    id: 'V0FUZZVIEW1',
    hash: '1.fuzz',
    team_id: 'T0FAKETEAM',
    private_metadata: privateMetadata,
  };
}

describe('fuzzed requests with valid signatures', () => {
  it('arbitrary bodies and content types: no crash, no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          anyJson,
          fc.string({ unit: 'grapheme', maxLength: 500 }),
        ),
        fc.constantFrom(...CONTENT_TYPES),
        async (body, contentType) => {
          await sendSigned(body, contentType);
        },
      ),
      { numRuns: RUNS },
    );
    await stillHealthy();
  });

  it('arbitrary payload JSON in a form: no crash, no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (payload) => {
        await sendSigned(encodeForm({ payload }), 'application/x-www-form-urlencoded');
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  });

  it('arbitrary private_metadata on a checklist step: Slack gets a view answer', async () => {
    await fc.assert(
      fc.asyncProperty(privateMetadata, fc.string({ maxLength: 300 }), async (metadata, title) => {
        const payload = fillAndSubmit(
          checklistView(metadata),
          { title: { title_input: title.length > 0 ? title : null } },
          { skipClientValidation: true, allowMissingRequired: true, user: 'U0FUZZUSER' },
        );
        const response = await sendSigned(
          encodeForm({ payload: JSON.stringify(payload) }),
          'application/x-www-form-urlencoded',
        );
        expect(response.status).toBe(200);
        // An empty answer closes the modal (a complete final step); otherwise a view or errors.
        if (response.bodyText !== '') {
          expect(isRecord(response.json)).toBe(true);
          const action = isRecord(response.json) ? response.json.response_action : undefined;
          expect(['update', 'errors']).toContain(action);
        }
      }),
      { numRuns: RUNS },
    );
    await stillHealthy();
  });

  it.each(SUBMITTED_VIEWS)(
    'arbitrary private_metadata on a %s submission: Slack gets a view answer at once',
    async (callbackId) => {
      await fc.assert(
        fc.asyncProperty(anyMetadata, async (metadata) => {
          const response = await sendSigned(
            encodeForm({ payload: JSON.stringify(submissionOf(callbackId, metadata)) }),
            'application/x-www-form-urlencoded',
          );
          expect(response.status).toBe(200);
          if (response.bodyText !== '') {
            const action = isRecord(response.json) ? response.json.response_action : undefined;
            expect(['update', 'errors']).toContain(action);
          }
        }),
        { numRuns: RUNS },
      );
      await stillHealthy();
    },
  );

  it('arbitrary private_metadata on the other callback_ids: no 5xx', async () => {
    const others = Object.values(CallbackId).filter((id) => !SUBMITTED_VIEWS.includes(id));
    const cases = fc.sample(fc.tuple(fc.constantFrom(...others), anyMetadata), {
      numRuns: 20,
      seed: 20261130,
    });
    // No listener takes them: Bolt's receiver answers 404 once Slack's 3 s have passed.
    const responses = await Promise.all(
      cases.map(([callbackId, metadata]) =>
        sendSigned(
          encodeForm({ payload: JSON.stringify(submissionOf(callbackId, metadata)) }),
          'application/x-www-form-urlencoded',
          BOLT_UNHANDLED_MS,
        ),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(cases.map(() => 404));
    await stillHealthy();
  });

  it('shaped payloads with arbitrary fields (commands, actions, shortcuts, events): answered fast', async () => {
    const interaction = fc.oneof(
      fc.record({ command: fc.string(), text: fc.string() }).map(({ command, text }) => ({
        form: {
          command: `/${command}`,
          text,
          team_id: 'T0FAKETEAM',
          user_id: 'U0FUZZUSER',
          trigger_id: 'x',
        },
      })),
      fc.record({ actionId: fc.string(), value: fc.string() }).map(({ actionId, value }) => ({
        payload: {
          type: 'block_actions',
          team: { id: 'T0FAKETEAM' },
          user: { id: 'U0FUZZUSER' },
          actions: [{ action_id: actionId, block_id: 'b', type: 'button', value }],
          trigger_id: 'x',
        },
      })),
      fc.string().map((callbackId) => ({
        payload: buildMessageShortcut({
          callbackId,
          message: { ts: '1700000000.000100', text: 'hello' },
          channel: 'C0FUZZ0001',
        }),
      })),
      fc.jsonValue().map((event) => ({
        json: buildEventCallback(isRecord(event) ? event : { type: 'app_mention', text: event }),
      })),
      fc.string().map((callbackId) => ({
        payload: {
          type: 'view_submission',
          team: { id: 'T0FAKETEAM' },
          user: { id: 'U0FUZZUSER' },
          view: {
            id: 'V0FUZZ',
            callback_id: callbackId,
            private_metadata: '',
            state: { values: {} },
          },
        },
      })),
    );
    // A well-formed request no listener matches (another command, an unknown callback id) is
    // answered by Bolt's receiver with a 404 once Slack's 3 s have passed; everything else at once.
    // The cases go out together so the suite does not wait 3 s for each.
    const cases = fc.sample(interaction, { numRuns: RUNS, seed: 20261129 });
    const responses = await Promise.all(
      cases.map((request) =>
        'json' in request
          ? sendSigned(JSON.stringify(request.json), 'application/json', BOLT_UNHANDLED_MS)
          : 'payload' in request
            ? sendSigned(
                encodeForm({ payload: JSON.stringify(request.payload) }),
                'application/x-www-form-urlencoded',
                BOLT_UNHANDLED_MS,
              )
            : sendSigned(
                encodeForm(request.form),
                'application/x-www-form-urlencoded',
                BOLT_UNHANDLED_MS,
              ),
      ),
    );
    expect(responses).toHaveLength(RUNS);
    await stillHealthy();
  });

  it('a body over the size limit gets 413, a bad signature 401, and the app stays up', async () => {
    const big = await running.slack.post(
      `payload=${'x'.repeat(5 * 1024 * 1024)}`,
      'application/x-www-form-urlencoded',
    );
    expect(big.status).toBe(413);
    const forged = await running.slack.post('{}', 'application/json', { forge: true });
    expect(forged.status).toBe(401);
    const stale = await running.slack.post('{}', 'application/json', { stale: true });
    expect(stale.status).toBe(401);
    await stillHealthy();
    // What those requests logged, not just what has reached the test so far.
    await running.e2e.settleLogs();
    expect(running.app.logs()).not.toContain('unhandled promise rejection');
    expect(running.app.logs()).not.toContain('"level":"fatal"');
  });
});
