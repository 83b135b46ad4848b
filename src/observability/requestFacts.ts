/**
 * What a log line and a metric may say about a request from Slack: its kind and ids, never its
 * content (a slash command's text, typed answers, private_metadata).
 */

/** Payload kinds used as the `kind` label; anything else counts as `other`. */
export const REQUEST_KINDS = [
  'slash_command',
  'event_callback',
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'interactive_message',
  'dialog_submission',
  'url_verification',
  'ssl_check',
  'app_rate_limited',
] as const;

export type RequestKind = (typeof REQUEST_KINDS)[number] | 'other' | 'invalid';

export interface RequestFacts {
  kind: RequestKind;
  team?: string;
  user?: string;
  command?: string;
  callbackId?: string;
  actionId?: string;
  event?: string;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

// Ids, command names, callback and action ids: short and plain. Anything else is not an id.
const ID = /^[\w./:-]{1,100}$/;

function id(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return ID.test(value) ? value : '(invalid)';
}

function kindOf(body: Json): RequestKind {
  if (typeof body.command === 'string') return 'slash_command';
  if (body.ssl_check === '1') return 'ssl_check';
  const type = body.type;
  return REQUEST_KINDS.find((kind) => kind === type) ?? 'other';
}

/** Kind and ids of a parsed request body (form fields, or the `payload` JSON). */
export function requestFacts(body: unknown): RequestFacts {
  const json = record(body);
  if (!json) return { kind: 'invalid' };
  const kind = kindOf(json);
  const facts: RequestFacts = { kind };
  const view = record(json.view);
  const event = record(json.event);
  const team = id(json.team_id) ?? id(record(json.team)?.id) ?? id(view?.team_id);
  const user =
    id(json.user_id) ??
    id(record(json.user)?.id) ??
    (typeof event?.user === 'string' ? id(event.user) : undefined);
  if (team) facts.team = team;
  if (user) facts.user = user;
  if (kind === 'slash_command') {
    const command = id(json.command);
    if (command) facts.command = command;
    return facts;
  }
  const callbackId = id(view?.callback_id) ?? id(json.callback_id);
  if (callbackId) facts.callbackId = callbackId;
  const actions = Array.isArray(json.actions) ? json.actions : [];
  const actionId = id(record(actions[0])?.action_id) ?? id(json.action_id);
  if (actionId) facts.actionId = actionId;
  const eventType = id(event?.type);
  if (eventType) facts.event = eventType;
  return facts;
}
