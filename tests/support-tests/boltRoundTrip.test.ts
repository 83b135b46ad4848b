/**
 * The whole toolkit against a real Bolt stack (fixtures/boltApp.ts, started like the real app):
 * signed requests in, Web API calls out to the fake, modal driver in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from '../support/appProcess.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';
import {
  appHomeOpenedEvent,
  clickButton,
  fillAndSubmit,
  SlackClientForTests,
} from '../support/slackRequests.js';

const signingSecret = 'roundtrip-signing-secret';
let fake: FakeSlack;
let app: AppProcess;
let slack: SlackClientForTests;

beforeAll(async () => {
  fake = await startFakeSlack();
  app = await startApp(
    {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: fake.apiUrl,
      LOG_LEVEL: 'warn',
    },
    { entry: 'tests/support-tests/fixtures/boltApp.ts' },
  );
  slack = new SlackClientForTests({ baseUrl: app.baseUrl, signingSecret });
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

describe('toolkit round trip through Bolt', () => {
  it('slash command → modal → validation error → submit → threaded post → button → response_url', async () => {
    const user = 'U0ALICE001';
    const command = await slack.slashCommand({
      command: '/ftrag',
      channelId: 'C0REVIEWS1',
      user,
      triggerId: fake.issueTriggerId({ userId: user }),
      responseUrl: fake.newResponseUrl({ channel: 'C0REVIEWS1' }),
    });
    expect(command.status).toBe(200);
    await fake.waitFor('views.open');
    const modal = fake.currentModal(user);
    if (!modal) throw new Error('no modal opened');
    expect(modal.view.callback_id).toBe('review');

    const tooShort = await slack.interactive(
      fillAndSubmit(modal, { title: { value: 'ab' }, gap: { value: 'knowledge' } }, { user }),
    );
    expect(tooShort.json).toEqual({
      response_action: 'errors',
      errors: { title: 'Say a bit more' },
    });
    expect(fake.applyViewResponse(modal.id, tooShort.json).ok).toBe(true);

    const before = fake.calls.length;
    const submitted = await slack.interactive(
      fillAndSubmit(
        modal,
        { title: { value: 'Support bot' }, gap: { value: 'knowledge' } },
        { user },
      ),
    );
    expect(submitted.status).toBe(200);
    expect(fake.applyViewResponse(modal.id, submitted.json).action).toBe('close');
    await fake.waitFor(
      'chat.postMessage',
      (c) => c.index >= before && c.args.thread_ts !== undefined,
    );

    const [parent] = fake.messages('C0REVIEWS1');
    if (!parent) throw new Error('no message posted');
    expect(parent.text).toBe('Review: Support bot');
    expect(fake.thread('C0REVIEWS1', parent.ts).map((m) => m.text)).toEqual([
      'Review: Support bot',
      'Retrieve (RAG) for knowledge.',
    ]);

    const responseUrl = fake.newResponseUrl({ channel: 'C0REVIEWS1', messageTs: parent.ts });
    const clicked = await slack.interactive(clickButton(parent, 'approve', { user, responseUrl }));
    expect(clicked.status).toBe(200);
    await expect.poll(() => fake.responseUrlPostsTo(responseUrl).length).toBe(1);
    expect(fake.messages('C0REVIEWS1')[0]?.text).toBe('Approved');
    expect(fake.violations).toEqual([]);
  });

  it('publishes the Home tab on app_home_opened', async () => {
    const res = await slack.event(appHomeOpenedEvent({ user: 'U0BOB00001' }));
    expect(res.status).toBe(200);
    await fake.waitFor('views.publish', (c) => c.args.user_id === 'U0BOB00001');
    expect(fake.homeView('U0BOB00001')?.view.type).toBe('home');
  });

  it('rejects forged and stale requests', async () => {
    const forged = await slack.slashCommand({ command: '/ftrag' }, { forge: true });
    expect(forged.status).toBe(401);
    const stale = await slack.slashCommand({ command: '/ftrag' }, { stale: true });
    expect(stale.status).toBe(401);
  });

  it('answers url_verification', async () => {
    const res = await slack.urlVerification('challenge-123');
    expect(res.status).toBe(200);
    expect(res.bodyText).toContain('challenge-123');
  });
});
