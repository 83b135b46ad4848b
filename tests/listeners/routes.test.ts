import { App, type ReceiverEvent } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ListenerRoutes } from '../../src/listeners/routes.js';
import { asArray, asRecord, asString, type JsonObject } from '../support/json.js';

const TEAM = { id: 'T0ROUTES01', domain: 'routes' };
const USER = { id: 'U0ROUTES01', team_id: TEAM.id };

/** What each route saw, by name: the id it was looked up by. */
type Seen = { route: string; id: string }[];

/** A real Bolt App (no receiver started) with `routes` as its one global middleware. */
function appWith(routes: ListenerRoutes): App {
  const app = new App({
    token: 'xoxb-routes-test',
    signingSecret: 'routes-test-secret',
    // With both ids given Bolt asks Slack nothing (no auth.test).
    botId: 'B0ROUTES01',
    botUserId: 'U0ROUTESBOT',
    tokenVerificationEnabled: false,
    convoStore: false,
  });
  app.use(routes.dispatch);
  return app;
}

/** Sends `body` through Bolt's dispatch; resolves with whether it was acknowledged. */
async function dispatch(app: App, body: JsonObject): Promise<{ acked: boolean }> {
  let acked = false;
  const event: ReceiverEvent = {
    body,
    ack: async () => {
      acked = true;
    },
  };
  await app.processEvent(event);
  return { acked };
}

function viewBody(type: 'view_submission' | 'view_closed', callbackId: string): JsonObject {
  return {
    type,
    team: TEAM,
    user: USER,
    view: {
      id: 'V0ROUTES01',
      type: 'modal',
      callback_id: callbackId,
      private_metadata: '',
      state: { values: {} },
      team_id: TEAM.id,
    },
  };
}

function actionBody(actionId: string, elementType = 'button'): JsonObject {
  return {
    type: 'block_actions',
    team: TEAM,
    user: USER,
    trigger_id: '1.2.routes',
    actions: [{ type: elementType, action_id: actionId, block_id: 'b', action_ts: '1.2' }],
  };
}

function commandBody(command: string): JsonObject {
  return {
    command,
    text: '',
    team_id: TEAM.id,
    user_id: USER.id,
    channel_id: 'C0ROUTES01',
    trigger_id: '1.2.routes',
  };
}

function shortcutBody(type: 'message_action' | 'shortcut', callbackId: string): JsonObject {
  return {
    type,
    callback_id: callbackId,
    team: TEAM,
    user: USER,
    trigger_id: '1.2.routes',
    ...(type === 'message_action'
      ? { channel: { id: 'C0ROUTES01' }, message: { ts: '1.2', text: 'hi' } }
      : {}),
  };
}

function eventBody(type: string): JsonObject {
  return {
    type: 'event_callback',
    team_id: TEAM.id,
    event_id: 'Ev0ROUTES01',
    event_time: 1,
    event: { type, user: USER.id, channel: 'D0ROUTES01', tab: 'home', event_ts: '1.2' },
  };
}

/** Every kind of route, each recording what it was called for and acknowledging. */
function recordingRoutes(seen: Seen): ListenerRoutes {
  const record =
    (route: string, idOf: (body: JsonObject) => string) =>
    async (args: { body: unknown; ack?: () => Promise<void> }): Promise<void> => {
      seen.push({ route, id: idOf(asRecord(args.body) ?? {}) });
      await args.ack?.();
    };
  const viewId = (body: JsonObject) => asString(asRecord(body.view)?.callback_id) ?? '';
  const actionId = (body: JsonObject) =>
    asString(asRecord(asArray(body.actions)?.[0])?.action_id) ?? '';
  return new ListenerRoutes()
    .viewSubmission('step', record('view', viewId))
    .blockAction('agree', record('action', actionId))
    .blockActionPrefix('page_', record('page', actionId))
    .command(
      '/ftrag',
      record('command', (body) => asString(body.command) ?? ''),
    )
    .messageShortcut(
      'review',
      record('shortcut', (body) => asString(body.callback_id) ?? ''),
    )
    .event(
      'app_home_opened',
      record('event', (body) => asString(asRecord(body.event)?.type) ?? ''),
    );
}

describe('ListenerRoutes, as Bolt global middleware', () => {
  it('runs the listener registered for the id of each kind of request', async () => {
    const seen: Seen = [];
    const app = appWith(recordingRoutes(seen));
    let reachedBolt = 0;
    app.use(async ({ next }) => {
      reachedBolt += 1;
      await next();
    });
    const answers = [
      await dispatch(app, viewBody('view_submission', 'step')),
      await dispatch(app, actionBody('agree')),
      await dispatch(app, actionBody('page_mine_3')),
      await dispatch(app, commandBody('/ftrag')),
      await dispatch(app, shortcutBody('message_action', 'review')),
      await dispatch(app, eventBody('app_home_opened')),
    ];
    expect(seen).toEqual([
      { route: 'view', id: 'step' },
      { route: 'action', id: 'agree' },
      { route: 'page', id: 'page_mine_3' },
      { route: 'command', id: '/ftrag' },
      { route: 'shortcut', id: 'review' },
      { route: 'event', id: 'app_home_opened' },
    ]);
    expect(answers.every((answer) => answer.acked)).toBe(true);
    // A routed request goes no further.
    expect(reachedBolt).toBe(0);
  });

  it('hands anything without a route on to Bolt, where the listeners registered with Bolt see it', async () => {
    const seen: Seen = [];
    const app = appWith(recordingRoutes(seen));
    const reachedBolt: string[] = [];
    app.use(async ({ body, next }) => {
      reachedBolt.push(JSON.stringify(body).slice(0, 40));
      await next();
    });
    const unrouted = [
      viewBody('view_submission', 'other'),
      viewBody('view_closed', 'step'),
      actionBody('agreed'),
      actionBody('page'),
      commandBody('/other'),
      shortcutBody('shortcut', 'review'),
      shortcutBody('message_action', 'other'),
      eventBody('app_mention'),
      // Signed, yet with no actions: passed by, as Bolt's own matchers do.
      { ...actionBody('agree'), actions: [] },
    ];
    for (const body of unrouted) {
      const { acked } = await dispatch(app, body);
      // Events are acknowledged by Bolt before any middleware; nothing else is.
      expect(acked).toBe(body.type === 'event_callback');
    }
    expect(seen).toEqual([]);
    expect(reachedBolt).toHaveLength(unrouted.length);
  });

  it('lets a listener’s error reach app.error', async () => {
    const failure = new Error('listener failed');
    const routes = new ListenerRoutes().viewSubmission('step', async () => {
      throw failure;
    });
    const app = appWith(routes);
    const caught: unknown[] = [];
    app.error(async (error) => {
      caught.push(error.original ?? error);
    });
    await dispatch(app, viewBody('view_submission', 'step'));
    expect(caught).toEqual([failure]);
  });

  it('refuses two listeners for one id, and prefixes that overlap', () => {
    const listener = async (): Promise<void> => {};
    expect(() =>
      new ListenerRoutes().viewSubmission('step', listener).viewSubmission('step', listener),
    ).toThrow(/two listeners for step/);
    expect(() =>
      new ListenerRoutes()
        .blockActionPrefix('page_', listener)
        .blockActionPrefix('page_mine_', listener),
    ).toThrow(/overlaps/);
    // The same id in two kinds of request is two routes.
    expect(() =>
      new ListenerRoutes().viewSubmission('review', listener).messageShortcut('review', listener),
    ).not.toThrow();
  });
});
