/**
 * Requests as Slack sends them to the app: slash commands, interactive payloads, Events API
 * envelopes — plus a modal driver that turns a view into the `view_submission` Slack's client would
 * send, and `SlackClientForTests`, which POSTs them signed to `{baseUrl}/slack/events`.
 */
import { randomUUID } from 'node:crypto';
import { countChars } from './blockKitLimits.js';
import { asArray, asRecord, asString, isRecord, type JsonObject } from './json.js';
import { FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, signSlackRequest, unixSeconds } from './signing.js';
import {
  DEFAULT_APP_ID,
  DEFAULT_BOT_USER_ID,
  DEFAULT_CHANNEL_ID,
  DEFAULT_CHANNEL_NAME,
  DEFAULT_TEAM_DOMAIN,
  DEFAULT_TEAM_ID,
  DEFAULT_USER_ID,
  DEFAULT_USER_NAME,
  DEFAULT_VERIFICATION_TOKEN,
  randomHex,
  randomSlackId,
  randomTriggerId,
} from './slackIds.js';

// ---- context -----------------------------------------------------------------------------------

export interface TestWorkspace {
  teamId: string;
  teamDomain: string;
  apiAppId: string;
  verificationToken: string;
  botUserId: string;
  enterpriseId: string | undefined;
  enterpriseName: string | undefined;
}

export interface TestUser {
  id: string;
  name: string;
  teamId: string;
}

export interface InteractionContext {
  workspace?: Partial<TestWorkspace>;
  /** A user id, or the user's details. */
  user?: string | Partial<TestUser>;
  /** Use `fake.issueTriggerId()` when the app will open a modal; a random (unknown) one otherwise. */
  triggerId?: string;
}

export function resolveWorkspace(ctx: InteractionContext = {}): TestWorkspace {
  const w = ctx.workspace ?? {};
  return {
    teamId: w.teamId ?? DEFAULT_TEAM_ID,
    teamDomain: w.teamDomain ?? DEFAULT_TEAM_DOMAIN,
    apiAppId: w.apiAppId ?? DEFAULT_APP_ID,
    verificationToken: w.verificationToken ?? DEFAULT_VERIFICATION_TOKEN,
    botUserId: w.botUserId ?? DEFAULT_BOT_USER_ID,
    enterpriseId: w.enterpriseId,
    enterpriseName: w.enterpriseName,
  };
}

export function resolveUser(ctx: InteractionContext = {}): TestUser {
  const workspace = resolveWorkspace(ctx);
  const u = typeof ctx.user === 'string' ? { id: ctx.user } : (ctx.user ?? {});
  const id = u.id ?? DEFAULT_USER_ID;
  return {
    id,
    name: u.name ?? (id === DEFAULT_USER_ID ? DEFAULT_USER_NAME : `user.${id.toLowerCase()}`),
    teamId: u.teamId ?? workspace.teamId,
  };
}

/** A Slack timestamp (`seconds.micros`) for `action_ts`, `event_ts`, message `ts`. */
export function slackTs(nowMs: number = Date.now()): string {
  const micros =
    `${nowMs % 1000}`.padStart(3, '0') + `${Math.floor(Math.random() * 1000)}`.padStart(3, '0');
  return `${Math.floor(nowMs / 1000)}.${micros}`;
}

function teamObject(w: TestWorkspace): JsonObject {
  const team: JsonObject = { id: w.teamId, domain: w.teamDomain };
  if (w.enterpriseId) {
    team.enterprise_id = w.enterpriseId;
    team.enterprise_name = w.enterpriseName ?? 'Fake Enterprise';
  }
  return team;
}

function enterpriseObject(w: TestWorkspace): JsonObject | null {
  return w.enterpriseId
    ? { id: w.enterpriseId, name: w.enterpriseName ?? 'Fake Enterprise' }
    : null;
}

function userObject(u: TestUser): { id: string; username: string; name: string; team_id: string } {
  return { id: u.id, username: u.name, name: u.name, team_id: u.teamId };
}

function dummyResponseUrl(kind: 'commands' | 'actions', w: TestWorkspace): string {
  // `.invalid` never resolves, so an app that uses it fails fast instead of reaching the internet.
  return `https://hooks.slack.invalid/${kind}/${w.teamId}/${Date.now()}/${randomHex(12)}`;
}

export function encodeForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

// ---- slash commands ----------------------------------------------------------------------------

export interface SlashCommandInput extends InteractionContext {
  command: string;
  text?: string;
  channelId?: string;
  channelName?: string;
  /** Use `fake.newResponseUrl({ channel })`; a non-resolving URL otherwise. */
  responseUrl?: string;
}

/** The form fields of a slash command, in the order Slack sends them. */
export function buildSlashCommand(input: SlashCommandInput): Record<string, string> {
  const w = resolveWorkspace(input);
  const u = resolveUser(input);
  const fields: Record<string, string> = {
    token: w.verificationToken,
    team_id: w.teamId,
    team_domain: w.teamDomain,
  };
  if (w.enterpriseId) {
    fields.enterprise_id = w.enterpriseId;
    fields.enterprise_name = w.enterpriseName ?? 'Fake Enterprise';
  }
  Object.assign(fields, {
    channel_id: input.channelId ?? DEFAULT_CHANNEL_ID,
    channel_name: input.channelName ?? DEFAULT_CHANNEL_NAME,
    user_id: u.id,
    user_name: u.name,
    command: input.command,
    text: input.text ?? '',
    api_app_id: w.apiAppId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? dummyResponseUrl('commands', w),
    trigger_id: input.triggerId ?? randomTriggerId(),
  });
  return fields;
}

// ---- view state (modal driver) -----------------------------------------------------------------

/** What a test fills in: a string (text, number, single select by option value, user/channel id),
 *  a string[] (checkboxes, multi-selects), a number (number_input, datetimepicker) or null (clear). */
export type FillValue = string | number | readonly string[] | null;
/** `block_id` → `action_id` → value. */
export type ViewValues = Record<string, Record<string, FillValue>>;

export type StateValue = { type: string } & JsonObject;
export type StateValues = Record<string, Record<string, StateValue>>;

/** A view as Slack has it, or a record holding one (e.g. the fake's StoredView). */
export type ViewSource = JsonObject | { view: JsonObject; rootViewId: string };

export interface FillOptions extends InteractionContext {
  /** Build the payload even if a required input is empty (Slack's client would refuse to submit). */
  allowMissingRequired?: boolean;
  /** Skip client-side checks (min/max length, number range, email/url/date format). */
  skipClientValidation?: boolean;
  /** For views with `response_url_enabled` inputs. */
  responseUrls?: {
    block_id: string;
    action_id: string;
    channel_id: string;
    response_url: string;
  }[];
}

interface StatefulBlock {
  blockType: string;
  optional: boolean;
  elements: Map<string, JsonObject>;
}

class DriverError extends Error {
  constructor(message: string) {
    super(`modal driver: ${message}`);
  }
}

function viewOf(source: ViewSource): JsonObject {
  const s: JsonObject = source;
  if (isRecord(s.view) && typeof s.rootViewId === 'string') return s.view;
  return s;
}

function statefulBlocks(view: JsonObject): Map<string, StatefulBlock> {
  const out = new Map<string, StatefulBlock>();
  (asArray(view.blocks) ?? []).forEach((b, i) => {
    const block = asRecord(b);
    if (!block) return;
    const type = asString(block.type) ?? '';
    const candidates: unknown[] =
      type === 'input'
        ? [block.element]
        : type === 'actions'
          ? (asArray(block.elements) ?? [])
          : type === 'section'
            ? [block.accessory]
            : [];
    const blockId = asString(block.block_id);
    if (!blockId) {
      if (type === 'input') {
        throw new DriverError(
          `input block #${i} has no block_id; pass the view as Slack returned it (e.g. fake.view(id)), which has ids filled in`,
        );
      }
      return;
    }
    const elements = new Map<string, JsonObject>();
    for (const c of candidates) {
      const el = asRecord(c);
      if (!el) continue;
      const actionId = asString(el.action_id);
      if (!actionId) {
        if (type === 'input') {
          throw new DriverError(
            `input block "${blockId}" element has no action_id; use the view Slack returned`,
          );
        }
        continue;
      }
      elements.set(actionId, el);
    }
    out.set(blockId, { blockType: type, optional: block.optional === true, elements });
  });
  return out;
}

function optionsOf(el: JsonObject): JsonObject[] {
  const direct = asArray(el.options);
  const grouped = (asArray(el.option_groups) ?? []).flatMap(
    (g) => asArray(asRecord(g)?.options) ?? [],
  );
  return [...(direct ?? []), ...grouped].flatMap((o) => (isRecord(o) ? [o] : []));
}

function findOption(el: JsonObject, value: string, where: string): JsonObject {
  const opt = optionsOf(el).find((o) => o.value === value);
  if (!opt) {
    const have = optionsOf(el)
      .map((o) => JSON.stringify(o.value))
      .join(', ');
    throw new DriverError(
      `${where}: no option with value ${JSON.stringify(value)} (options: ${have})`,
    );
  }
  return structuredClone(opt);
}

function asSingle(value: FillValue, where: string): string | null {
  if (value === null) return null;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value === '' ? null : value;
  throw new DriverError(`${where}: expected a single value, got an array`);
}

function asMany(value: FillValue, where: string): string[] {
  if (value === null) return [];
  if (typeof value === 'string' || typeof value === 'number') {
    throw new DriverError(`${where}: expected an array of values`);
  }
  return [...value];
}

function externalOption(value: string): JsonObject {
  return { text: { type: 'plain_text', text: value, emoji: true }, value };
}

function richTextValue(text: string): JsonObject {
  return {
    type: 'rich_text',
    elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
  };
}

function validateText(el: JsonObject, type: string, value: string, where: string): void {
  if (type === 'plain_text_input') {
    const n = countChars(value);
    if (typeof el.min_length === 'number' && n < el.min_length) {
      throw new DriverError(`${where}: ${n} characters is under min_length ${el.min_length}`);
    }
    const max = typeof el.max_length === 'number' ? el.max_length : 3000;
    if (n > max) throw new DriverError(`${where}: ${n} characters is over max_length ${max}`);
  } else if (type === 'email_text_input') {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      throw new DriverError(`${where}: ${JSON.stringify(value)} is not an email address`);
    }
  } else if (type === 'url_text_input') {
    let ok = false;
    try {
      const u = new URL(value);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) throw new DriverError(`${where}: ${JSON.stringify(value)} is not a URL`);
  } else if (type === 'number_input') {
    const pattern = el.is_decimal_allowed === true ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
    if (!pattern.test(value)) {
      throw new DriverError(`${where}: ${JSON.stringify(value)} is not an allowed number`);
    }
    const n = Number(value);
    const min = asString(el.min_value);
    const max = asString(el.max_value);
    if (min !== undefined && n < Number(min)) {
      throw new DriverError(`${where}: ${value} < min_value ${min}`);
    }
    if (max !== undefined && n > Number(max)) {
      throw new DriverError(`${where}: ${value} > max_value ${max}`);
    }
  }
}

/** The state value Slack reports for `el`, given what the user entered (undefined = untouched). */
function stateValueFor(
  el: JsonObject,
  value: FillValue | undefined,
  where: string,
  validate: boolean,
): StateValue {
  const type = asString(el.type) ?? '';
  const filled = value !== undefined;
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      if (typeof value === 'number' && type !== 'number_input') {
        throw new DriverError(`${where}: ${type} takes a string`);
      }
      const v = filled ? asSingle(value, where) : (asString(el.initial_value) ?? null);
      if (filled && v !== null && validate) validateText(el, type, v, where);
      return { type, value: v };
    }
    case 'rich_text_input': {
      if (!filled) return { type, rich_text_value: asRecord(el.initial_value) ?? null };
      const v = asSingle(value, where);
      return { type, rich_text_value: v === null ? null : richTextValue(v) };
    }
    case 'static_select':
    case 'radio_buttons': {
      if (!filled) return { type, selected_option: asRecord(el.initial_option) ?? null };
      const v = asSingle(value, where);
      return { type, selected_option: v === null ? null : findOption(el, v, where) };
    }
    case 'external_select': {
      if (!filled) return { type, selected_option: asRecord(el.initial_option) ?? null };
      const v = asSingle(value, where);
      return { type, selected_option: v === null ? null : externalOption(v) };
    }
    case 'multi_static_select':
    case 'checkboxes':
    case 'multi_external_select': {
      if (!filled) return { type, selected_options: asArray(el.initial_options) ?? [] };
      const values = asMany(value, where);
      const max = el.max_selected_items;
      if (validate && typeof max === 'number' && values.length > max) {
        throw new DriverError(`${where}: ${values.length} selected, max_selected_items is ${max}`);
      }
      const selected =
        type === 'multi_external_select'
          ? values.map(externalOption)
          : values.map((v) => findOption(el, v, where));
      return { type, selected_options: selected };
    }
    case 'users_select':
      return {
        type,
        selected_user: filled ? asSingle(value, where) : (asString(el.initial_user) ?? null),
      };
    case 'multi_users_select':
      return {
        type,
        selected_users: filled ? asMany(value, where) : (asArray(el.initial_users) ?? []),
      };
    case 'conversations_select':
      return {
        type,
        selected_conversation: filled
          ? asSingle(value, where)
          : (asString(el.initial_conversation) ?? null),
      };
    case 'multi_conversations_select':
      return {
        type,
        selected_conversations: filled
          ? asMany(value, where)
          : (asArray(el.initial_conversations) ?? []),
      };
    case 'channels_select':
      return {
        type,
        selected_channel: filled ? asSingle(value, where) : (asString(el.initial_channel) ?? null),
      };
    case 'multi_channels_select':
      return {
        type,
        selected_channels: filled ? asMany(value, where) : (asArray(el.initial_channels) ?? []),
      };
    case 'datepicker': {
      const v = filled ? asSingle(value, where) : (asString(el.initial_date) ?? null);
      if (filled && v !== null && validate && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
        throw new DriverError(`${where}: date must be YYYY-MM-DD`);
      }
      return { type, selected_date: v };
    }
    case 'timepicker': {
      const v = filled ? asSingle(value, where) : (asString(el.initial_time) ?? null);
      if (filled && v !== null && validate && !/^\d{2}:\d{2}$/.test(v)) {
        throw new DriverError(`${where}: time must be HH:mm`);
      }
      const state: StateValue = { type, selected_time: v };
      if (typeof el.timezone === 'string') state.timezone = el.timezone;
      return state;
    }
    case 'datetimepicker': {
      if (!filled) {
        return {
          type,
          selected_date_time:
            typeof el.initial_date_time === 'number' ? el.initial_date_time : null,
        };
      }
      const v = asSingle(value, where);
      const n = v === null ? null : Number(v);
      if (n !== null && !Number.isInteger(n)) {
        throw new DriverError(`${where}: expected unix seconds`);
      }
      return { type, selected_date_time: n };
    }
    default:
      throw new DriverError(
        `${where}: ${type || 'element'} has no input state the driver can fill`,
      );
  }
}

function isEmptyState(state: StateValue): boolean {
  return Object.entries(state).every(
    ([k, v]) =>
      k === 'type' || k === 'timezone' || v === null || (Array.isArray(v) && v.length === 0),
  );
}

export interface StateOptions {
  /** Throw when a required (non-optional) input ends up empty. */
  requireInputs: boolean;
  validate: boolean;
}

/**
 * `view.state.values` as Slack reports it: every input block (untouched ones with their initial
 * value or null/[]), plus the stateful elements in other blocks that `values` mentions.
 */
export function buildStateValues(
  source: ViewSource,
  values: ViewValues,
  options: StateOptions = { requireInputs: false, validate: true },
): StateValues {
  const view = viewOf(source);
  const blocks = statefulBlocks(view);
  const state: StateValues = {};
  for (const [blockId, byAction] of Object.entries(values)) {
    const block = blocks.get(blockId);
    if (!block) {
      throw new DriverError(
        `no block with block_id "${blockId}" and an input element (blocks: ${[...blocks.keys()].join(', ')})`,
      );
    }
    for (const [actionId, value] of Object.entries(byAction)) {
      const el = block.elements.get(actionId);
      if (!el) {
        throw new DriverError(
          `block "${blockId}" has no element with action_id "${actionId}" (has: ${[...block.elements.keys()].join(', ')})`,
        );
      }
      const entry = state[blockId] ?? {};
      entry[actionId] = stateValueFor(el, value, `${blockId}/${actionId}`, options.validate);
      state[blockId] = entry;
    }
  }
  for (const [blockId, block] of blocks) {
    if (block.blockType !== 'input') continue;
    for (const [actionId, el] of block.elements) {
      const entry = state[blockId] ?? {};
      const current =
        entry[actionId] ?? stateValueFor(el, undefined, `${blockId}/${actionId}`, false);
      if (options.requireInputs && !block.optional && isEmptyState(current)) {
        throw new DriverError(
          `required input "${blockId}/${actionId}" is empty; Slack's client would not submit (fill it or pass allowMissingRequired)`,
        );
      }
      entry[actionId] = current;
      state[blockId] = entry;
    }
  }
  return state;
}

export type SubmittedView = JsonObject & {
  id: string;
  hash: string;
  callback_id: string;
  private_metadata: string;
  state: { values: StateValues };
};

export interface ViewSubmissionPayload {
  type: 'view_submission';
  team: JsonObject;
  user: { id: string; username: string; name: string; team_id: string };
  api_app_id: string;
  token: string;
  trigger_id: string;
  view: SubmittedView;
  response_urls: {
    block_id: string;
    action_id: string;
    channel_id: string;
    response_url: string;
  }[];
  is_enterprise_install: boolean;
  enterprise: JsonObject | null;
}

function requireModalIds(view: JsonObject, what: string): { id: string; hash: string } {
  const id = asString(view.id);
  const hash = asString(view.hash);
  if (!id || !hash) {
    throw new DriverError(
      `${what}: the view has no id/hash — pass the view as Slack returned it (e.g. fake.view(id) or the views.open response)`,
    );
  }
  return { id, hash };
}

/** The `view_submission` payload Slack sends when the user fills `values` in and presses submit. */
export function fillAndSubmit(
  source: ViewSource,
  values: ViewValues,
  options: FillOptions = {},
): ViewSubmissionPayload {
  const view = viewOf(source);
  if (view.type !== 'modal') throw new DriverError('only modals can be submitted');
  const { id, hash } = requireModalIds(view, 'fillAndSubmit');
  if (view.submit === undefined || view.submit === null) {
    throw new DriverError('the modal has no submit button');
  }
  const stateValues = buildStateValues(source, values, {
    requireInputs: options.allowMissingRequired !== true,
    validate: options.skipClientValidation !== true,
  });
  const w = resolveWorkspace(options);
  const u = resolveUser(options);
  const submitted: SubmittedView = {
    ...structuredClone(view),
    id,
    hash,
    team_id: asString(view.team_id) ?? w.teamId,
    callback_id: asString(view.callback_id) ?? '',
    private_metadata: asString(view.private_metadata) ?? '',
    state: { values: stateValues },
  };
  return {
    type: 'view_submission',
    team: teamObject(w),
    user: userObject(u),
    api_app_id: w.apiAppId,
    token: w.verificationToken,
    trigger_id: options.triggerId ?? randomTriggerId(),
    view: submitted,
    response_urls: options.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: enterpriseObject(w),
  };
}

/** The `view_closed` payload (sent only when the view had `notify_on_close: true`). */
export function buildViewClosed(
  source: ViewSource,
  options: InteractionContext & { isCleared?: boolean; values?: ViewValues } = {},
): JsonObject {
  const view = viewOf(source);
  requireModalIds(view, 'buildViewClosed');
  const w = resolveWorkspace(options);
  return {
    type: 'view_closed',
    team: teamObject(w),
    user: userObject(resolveUser(options)),
    view: {
      ...structuredClone(view),
      state: { values: buildStateValues(source, options.values ?? {}) },
    },
    api_app_id: w.apiAppId,
    token: w.verificationToken,
    is_cleared: options.isCleared ?? false,
    is_enterprise_install: false,
    enterprise: enterpriseObject(w),
  };
}

// ---- block_actions -----------------------------------------------------------------------------

/** A message the button is in (e.g. the fake's StoredMessage). */
export interface MessageSource {
  ts: string;
  channel?: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  user?: string;
  bot_id?: string;
}

export interface ClickOptions extends InteractionContext {
  /** Needed when several blocks have a button with this action_id. */
  blockId?: string;
  /** For messages without a `channel` field. */
  channel?: string | { id: string; name?: string };
  /** For messages: use `fake.newResponseUrl({ channel, messageTs })`. */
  responseUrl?: string;
  isEphemeral?: boolean;
  /** For views: what the user has typed so far (becomes `view.state.values`). */
  values?: ViewValues;
}

export interface BlockActionsPayload {
  type: 'block_actions';
  user: { id: string; username: string; name: string; team_id: string };
  api_app_id: string;
  token: string;
  container: JsonObject;
  trigger_id: string;
  team: JsonObject;
  enterprise: JsonObject | null;
  is_enterprise_install: boolean;
  actions: JsonObject[];
  state: { values: StateValues };
  view?: JsonObject;
  channel?: { id: string; name: string };
  message?: JsonObject;
  response_url?: string;
}

/** The interactive elements of a block that is not an input: an actions block's, a section's accessory. */
function elementsOf(block: JsonObject | undefined): JsonObject[] {
  const els =
    block?.type === 'actions'
      ? (asArray(block.elements) ?? [])
      : block?.type === 'section'
        ? [block.accessory]
        : [];
  return els.flatMap((e) => (isRecord(e) ? [e] : []));
}

function blockIdsIn(blocks: unknown[]): string {
  const ids = blocks.flatMap((b) => {
    const id = asString(asRecord(b)?.block_id);
    return id === undefined ? [] : [JSON.stringify(id)];
  });
  return ids.join(', ') || 'none';
}

function findButton(
  blocks: unknown[],
  actionId: string,
  blockId: string | undefined,
): { block: JsonObject; button: JsonObject } {
  if (blockId !== undefined && !blocks.some((b) => asRecord(b)?.block_id === blockId)) {
    throw new DriverError(`no block with block_id "${blockId}" (blocks: ${blockIdsIn(blocks)})`);
  }
  const matches: { block: JsonObject; el: JsonObject }[] = [];
  for (const b of blocks) {
    const block = asRecord(b);
    if (!block) continue;
    if (blockId !== undefined && block.block_id !== blockId) continue;
    for (const el of elementsOf(block)) {
      if (el.action_id === actionId) matches.push({ block, el });
    }
  }
  const buttons = matches.filter((m) => m.el.type === 'button' || m.el.type === 'workflow_button');
  const [first] = buttons;
  if (!first) {
    const other = matches[0];
    if (other) throw new DriverError(`"${actionId}" is a ${String(other.el.type)}, not a button`);
    const all = blocks
      .filter((b) => blockId === undefined || asRecord(b)?.block_id === blockId)
      .flatMap((b) =>
        elementsOf(asRecord(b)).flatMap((el) =>
          el.type === 'button' ? [String(el.action_id)] : [],
        ),
      )
      .join(', ');
    const where = blockId === undefined ? '' : ` in block "${blockId}"`;
    throw new DriverError(
      `no button with action_id "${actionId}"${where} (buttons: ${all || 'none'})`,
    );
  }
  if (buttons.length > 1) {
    throw new DriverError(`several buttons have action_id "${actionId}"; pass blockId`);
  }
  return { block: first.block, button: first.el };
}

/** Elements whose choice Slack reports in block_actions as `selected_option`. */
const SINGLE_CHOICE_TYPES = ['overflow', 'static_select', 'radio_buttons'];

/**
 * Block `blockId`'s element `actionId` and its option `value`, as offered: throws naming what is
 * missing and what the block offers instead.
 */
function findOffered(
  blocks: unknown[],
  blockId: string,
  actionId: string,
  value: string,
): { element: JsonObject; option: JsonObject } {
  const block = blocks.map(asRecord).find((b) => b?.block_id === blockId);
  if (!block) {
    throw new DriverError(`no block with block_id "${blockId}" (blocks: ${blockIdsIn(blocks)})`);
  }
  const elements = elementsOf(block);
  const element = elements.find((el) => el.action_id === actionId);
  if (!element) {
    const has = elements.map((el) => `${String(el.type)} "${String(el.action_id)}"`).join(', ');
    throw new DriverError(
      `block "${blockId}" has no element with action_id "${actionId}" (it has: ${has || 'none'})`,
    );
  }
  const type = String(element.type);
  if (!SINGLE_CHOICE_TYPES.includes(type)) {
    throw new DriverError(
      `"${actionId}" in block "${blockId}" is a ${type}, not one of ${SINGLE_CHOICE_TYPES.join('/')}`,
    );
  }
  const options = optionsOf(element);
  const option = options.find((o) => o.value === value);
  if (!option) {
    const offered = options.map((o) => JSON.stringify(o.value)).join(', ');
    throw new DriverError(
      `the ${type} "${actionId}" in block "${blockId}" offers no option ${JSON.stringify(value)} (it offers: ${offered || 'nothing'})`,
    );
  }
  return { element, option: structuredClone(option) };
}

function isViewSource(source: ViewSource | MessageSource): source is ViewSource {
  const s: unknown = source;
  if (!isRecord(s)) return false;
  if (isRecord(s.view) && typeof s.rootViewId === 'string') return true;
  return s.type === 'modal' || s.type === 'home';
}

function blocksIn(source: ViewSource | MessageSource): unknown[] {
  return isViewSource(source) ? (asArray(viewOf(source).blocks) ?? []) : (source.blocks ?? []);
}

/** The `block_actions` payload Slack sends for `action` taken in a view or a message. */
function blockActions(
  source: ViewSource | MessageSource,
  action: JsonObject,
  options: ClickOptions,
  what: string,
): BlockActionsPayload {
  const w = resolveWorkspace(options);
  const u = resolveUser(options);
  const base = {
    type: 'block_actions' as const,
    user: userObject(u),
    api_app_id: w.apiAppId,
    token: w.verificationToken,
    trigger_id: options.triggerId ?? randomTriggerId(),
    team: teamObject(w),
    enterprise: enterpriseObject(w),
    is_enterprise_install: false,
  };
  if (isViewSource(source)) {
    const view = viewOf(source);
    const { id } = requireModalIds(view, what);
    const values = buildStateValues(source, options.values ?? {});
    return {
      ...base,
      container: { type: 'view', view_id: id },
      actions: [action],
      state: { values },
      view: { ...structuredClone(view), state: { values } },
    };
  }
  const message = source;
  const channelOpt = options.channel;
  const channelId =
    message.channel ?? (typeof channelOpt === 'string' ? channelOpt : channelOpt?.id);
  if (!channelId) throw new DriverError(`${what} on a message needs its channel`);
  const channelName =
    typeof channelOpt === 'object' && channelOpt.name ? channelOpt.name : DEFAULT_CHANNEL_NAME;
  const payload: BlockActionsPayload = {
    ...base,
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: channelId,
      is_ephemeral: options.isEphemeral ?? false,
    },
    channel: { id: channelId, name: channelName },
    actions: [action],
    state: { values: {} },
    response_url: options.responseUrl ?? dummyResponseUrl('actions', w),
  };
  if (!options.isEphemeral) {
    const m: JsonObject = { type: 'message', ts: message.ts, text: message.text ?? '' };
    if (message.user) m.user = message.user;
    if (message.bot_id) m.bot_id = message.bot_id;
    if (message.blocks) m.blocks = structuredClone(message.blocks);
    if (message.thread_ts) m.thread_ts = message.thread_ts;
    m.team = w.teamId;
    payload.message = m;
  }
  return payload;
}

/** The `block_actions` payload for clicking a button in a view (modal/Home) or a message. */
export function clickButton(
  source: ViewSource | MessageSource,
  actionId: string,
  options: ClickOptions = {},
): BlockActionsPayload {
  const { block, button } = findButton(blocksIn(source), actionId, options.blockId);
  const action: JsonObject = {
    action_id: actionId,
    block_id: block.block_id,
    text: button.text,
    type: button.type,
    action_ts: slackTs(),
  };
  if (button.value !== undefined) action.value = button.value;
  if (button.style !== undefined) action.style = button.style;
  if (button.url !== undefined) action.url = button.url;
  return blockActions(source, action, options, 'clickButton');
}

/**
 * The `block_actions` payload for choosing option `value` of the overflow menu, select or radio
 * buttons `actionId` in block `blockId` (outside input blocks) of a view or a message. Throws when
 * the block, the element or the option is not there, as Slack's client could not send it.
 */
export function chooseOption(
  source: ViewSource | MessageSource,
  blockId: string,
  actionId: string,
  value: string,
  options: ClickOptions = {},
): BlockActionsPayload {
  const { element, option } = findOffered(blocksIn(source), blockId, actionId, value);
  const action: JsonObject = {
    type: element.type,
    action_id: actionId,
    block_id: blockId,
    selected_option: option,
    action_ts: slackTs(),
  };
  return blockActions(source, action, options, 'chooseOption');
}

/**
 * A `block_actions` payload with `action` as given, whatever the view or message offers: a forged
 * or stale interaction, which Slack's client would not send from this view or message.
 */
export function forgedBlockAction(
  source: ViewSource | MessageSource,
  action: JsonObject,
  options: ClickOptions = {},
): BlockActionsPayload {
  return blockActions(source, { action_ts: slackTs(), ...action }, options, 'forgedBlockAction');
}

// ---- shortcuts ---------------------------------------------------------------------------------

export interface MessageShortcutInput extends InteractionContext {
  callbackId: string;
  message: {
    ts: string;
    text?: string;
    user?: string;
    thread_ts?: string;
    blocks?: unknown[];
    channel?: string;
  };
  channel?: string | { id: string; name?: string };
  responseUrl?: string;
}

/** A message shortcut (`message_action`) on `message`. */
export function buildMessageShortcut(input: MessageShortcutInput): JsonObject {
  const w = resolveWorkspace(input);
  const u = resolveUser(input);
  const channelOpt = input.channel;
  const channelId =
    (typeof channelOpt === 'string' ? channelOpt : channelOpt?.id) ??
    input.message.channel ??
    DEFAULT_CHANNEL_ID;
  const channelName =
    typeof channelOpt === 'object' && channelOpt.name ? channelOpt.name : DEFAULT_CHANNEL_NAME;
  const message: JsonObject = {
    type: 'message',
    user: input.message.user ?? 'U0SOMEONE1',
    ts: input.message.ts,
    text: input.message.text ?? '',
    team: w.teamId,
  };
  if (input.message.thread_ts) message.thread_ts = input.message.thread_ts;
  if (input.message.blocks) message.blocks = structuredClone(input.message.blocks);
  return {
    type: 'message_action',
    token: w.verificationToken,
    action_ts: slackTs(),
    team: teamObject(w),
    user: userObject(u),
    channel: { id: channelId, name: channelName },
    is_enterprise_install: false,
    enterprise: enterpriseObject(w),
    callback_id: input.callbackId,
    trigger_id: input.triggerId ?? randomTriggerId(),
    response_url: input.responseUrl ?? dummyResponseUrl('actions', w),
    message_ts: input.message.ts,
    message,
  };
}

/** A global shortcut (`shortcut`). */
export function buildGlobalShortcut(
  input: InteractionContext & { callbackId: string },
): JsonObject {
  const w = resolveWorkspace(input);
  const u = resolveUser(input);
  return {
    type: 'shortcut',
    token: w.verificationToken,
    action_ts: slackTs(),
    team: teamObject(w),
    user: { id: u.id, username: u.name, team_id: u.teamId },
    is_enterprise_install: false,
    enterprise: enterpriseObject(w),
    callback_id: input.callbackId,
    trigger_id: input.triggerId ?? randomTriggerId(),
  };
}

// ---- Events API --------------------------------------------------------------------------------

export interface EventEnvelopeOptions {
  workspace?: Partial<TestWorkspace>;
  eventId?: string;
  eventTime?: number;
}

/** Wraps an event in Slack's `event_callback` envelope. */
export function buildEventCallback(
  event: JsonObject,
  options: EventEnvelopeOptions = {},
): JsonObject {
  const w = resolveWorkspace(options);
  return {
    token: w.verificationToken,
    team_id: w.teamId,
    ...(w.enterpriseId ? { enterprise_id: w.enterpriseId } : {}),
    api_app_id: w.apiAppId,
    event,
    type: 'event_callback',
    event_id: options.eventId ?? randomSlackId('Ev', 11),
    event_time: options.eventTime ?? unixSeconds(),
    authorizations: [
      {
        enterprise_id: w.enterpriseId ?? null,
        team_id: w.teamId,
        user_id: w.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomHex(24)}`,
  };
}

export function appHomeOpenedEvent(
  input: { user?: string; channel?: string; tab?: 'home' | 'messages'; view?: JsonObject } = {},
): JsonObject {
  const event: JsonObject = {
    type: 'app_home_opened',
    user: input.user ?? DEFAULT_USER_ID,
    channel: input.channel ?? `D${(input.user ?? DEFAULT_USER_ID).slice(1)}`.slice(0, 11),
    tab: input.tab ?? 'home',
    event_ts: slackTs(),
  };
  if (input.view) event.view = input.view;
  return event;
}

export function appMentionEvent(input: {
  text: string;
  user?: string;
  channel?: string;
  ts?: string;
  threadTs?: string;
  teamId?: string;
}): JsonObject {
  const ts = input.ts ?? slackTs();
  const event: JsonObject = {
    type: 'app_mention',
    client_msg_id: randomUUID(),
    text: input.text,
    user: input.user ?? DEFAULT_USER_ID,
    ts,
    team: input.teamId ?? DEFAULT_TEAM_ID,
    channel: input.channel ?? DEFAULT_CHANNEL_ID,
    event_ts: ts,
  };
  if (input.threadTs) event.thread_ts = input.threadTs;
  return event;
}

export function appUninstalledEvent(): JsonObject {
  return { type: 'app_uninstalled', event_ts: slackTs() };
}

export function tokensRevokedEvent(input: { bot?: string[]; oauth?: string[] } = {}): JsonObject {
  return {
    type: 'tokens_revoked',
    tokens: { oauth: input.oauth ?? [], bot: input.bot ?? [DEFAULT_BOT_USER_ID] },
    event_ts: slackTs(),
  };
}

export function buildUrlVerification(
  challenge: string = randomHex(24),
  token: string = DEFAULT_VERIFICATION_TOKEN,
): JsonObject {
  return { token, challenge, type: 'url_verification' };
}

// ---- HTTP client -------------------------------------------------------------------------------

export interface SendOptions {
  /** Sign with the wrong secret. */
  forge?: boolean;
  /** Timestamp 6 minutes in the past (correctly signed), which Slack apps must reject. */
  stale?: boolean;
  /** Exact timestamp (seconds) to sign with. */
  timestamp?: number;
  /** Send no x-slack-signature header. */
  omitSignature?: boolean;
  headers?: Record<string, string>;
  /** Slack's retry headers for Events API redeliveries. */
  retryNum?: number;
  retryReason?: string;
  timeoutMs?: number;
}

export interface SlackHttpResponse {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
  /** Parsed body when it is JSON, else undefined. */
  json: unknown;
}

export interface SlackClientForTestsOptions {
  baseUrl: string;
  signingSecret: string;
  /** Default `/slack/events`. */
  path?: string;
}

export class SlackClientForTests {
  readonly baseUrl: string;
  readonly signingSecret: string;
  readonly path: string;

  constructor(options: SlackClientForTestsOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.signingSecret = options.signingSecret;
    this.path = options.path ?? '/slack/events';
  }

  get url(): string {
    return `${this.baseUrl}${this.path}`;
  }

  /** POST a raw body, signed as Slack would sign it. */
  async post(
    body: string,
    contentType: string,
    options: SendOptions = {},
  ): Promise<SlackHttpResponse> {
    const timestamp = options.timestamp ?? unixSeconds() - (options.stale ? 6 * 60 : 0);
    const secret = options.forge ? `${this.signingSecret}-forged` : this.signingSecret;
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    };
    if (!options.omitSignature) {
      headers['x-slack-signature'] = signSlackRequest(secret, timestamp, body);
    }
    if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
    if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
    Object.assign(headers, options.headers);
    const res = await fetch(this.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const bodyText = await res.text();
    let json: unknown;
    try {
      json = bodyText.length > 0 ? JSON.parse(bodyText) : undefined;
    } catch {
      json = undefined;
    }
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      bodyText,
      json,
    };
  }

  postForm(fields: Record<string, string>, options?: SendOptions): Promise<SlackHttpResponse> {
    return this.post(encodeForm(fields), FORM_CONTENT_TYPE, options);
  }

  postJson(value: unknown, options?: SendOptions): Promise<SlackHttpResponse> {
    return this.post(JSON.stringify(value), JSON_CONTENT_TYPE, options);
  }

  slashCommand(input: SlashCommandInput, options?: SendOptions): Promise<SlackHttpResponse> {
    return this.postForm(buildSlashCommand(input), options);
  }

  /** Interactive payloads (block_actions, view_submission, view_closed, shortcuts): `payload=<json>`. */
  interactive(payload: object, options?: SendOptions): Promise<SlackHttpResponse> {
    return this.postForm({ payload: JSON.stringify(payload) }, options);
  }

  /** An Events API request: pass an event (wrapped in event_callback) or a full envelope. */
  event(
    eventOrEnvelope: JsonObject,
    options: SendOptions & EventEnvelopeOptions = {},
  ): Promise<SlackHttpResponse> {
    const t = eventOrEnvelope.type;
    const envelope =
      t === 'event_callback' || t === 'url_verification' || t === 'app_rate_limited'
        ? eventOrEnvelope
        : buildEventCallback(eventOrEnvelope, options);
    return this.postJson(envelope, options);
  }

  urlVerification(challenge?: string, options?: SendOptions): Promise<SlackHttpResponse> {
    return this.postJson(buildUrlVerification(challenge), options);
  }
}
