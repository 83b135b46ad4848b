/**
 * Block Kit limit checker: Slack's documented limits for views (modal, Home tab) and messages.
 *
 * Rule of thumb: never stricter than Slack. Only limits and required fields that Slack documents
 * (docs.slack.dev Block Kit reference) are enforced; where Slack's docs are vague the check is left out.
 *
 * Counting characters: Slack documents limits in "characters" and counts Unicode characters (code
 * points), not UTF-16 code units or UTF-8 bytes. We count code points (`[...s].length`). If Slack ever
 * counted UTF-16 units instead, this would only under-count astral characters (most emoji), so the
 * checker could accept a string Slack rejects but never the other way round. Text is counted as sent
 * (an `&amp;` counts 5, `:smile:` counts 7).
 */
import { asArray, asRecord, asString, isRecord, type JsonObject } from './json.js';

export const LIMITS = {
  view: {
    titleText: 24,
    submitText: 24,
    closeText: 24,
    blocks: 100,
    privateMetadata: 3000,
    callbackId: 255,
    externalId: 255,
  },
  message: { text: 40_000, blocks: 50 },
  blockId: 255,
  actionId: 255,
  text: { max: 3000, min: 1 },
  section: { text: 3000, fields: 10, fieldText: 2000 },
  header: { text: 150 },
  context: { elements: 10 },
  actions: { elements: 25 },
  image: { url: 3000, altText: 2000, title: 2000 },
  input: { label: 2000, hint: 2000 },
  markdown: { cumulativeText: 12_000 },
  button: { text: 75, value: 2000, url: 3000, accessibilityLabel: 75 },
  option: { text: 75, value: 150, description: 75, url: 3000 },
  optionGroup: { label: 75, options: 100 },
  select: { options: 100, optionGroups: 100 },
  radioButtons: { options: 10 },
  checkboxes: { options: 10 },
  overflow: { options: 5 },
  placeholder: 150,
  plainTextInput: { minLength: 3000, maxLength: 3000 },
  fileInput: { maxFiles: 10 },
  confirm: { title: 100, text: 300, confirm: 30, deny: 30 },
} as const;

/** The Slack error a violation leads to. */
export type SlackLimitError =
  | 'invalid_arguments'
  | 'invalid_blocks'
  | 'msg_too_long'
  | 'no_text'
  | 'msg_blocks_too_long';

export interface LimitViolation {
  /** JSON pointer relative to the view or message, e.g. `/blocks/3/text/text`. */
  path: string;
  message: string;
  slackError: SlackLimitError;
}

export type Surface = 'modal' | 'home' | 'message';

export function countChars(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function formatViolation(v: LimitViolation): string {
  return `${v.path || '/'}: ${v.message}`;
}

const KNOWN_BLOCK_TYPES = new Set([
  'actions',
  'call',
  'context',
  'context_actions',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

const SELECT_PLACEHOLDER_TYPES = new Set([
  'static_select',
  'multi_static_select',
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'datepicker',
  'timepicker',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
]);

class Checker {
  readonly violations: LimitViolation[] = [];
  private readonly blockIds = new Map<string, string>();
  private focusOnLoad: string[] = [];
  private markdownChars = 0;
  private firstMarkdownPath: string | undefined;

  constructor(
    private readonly surface: Surface,
    private readonly blockError: SlackLimitError,
  ) {}

  add(path: string, message: string, slackError: SlackLimitError = this.blockError): void {
    this.violations.push({ path, message, slackError });
  }

  maxChars(path: string, value: unknown, max: number, what: string): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') {
      this.add(path, `${what} must be a string`);
      return;
    }
    const n = countChars(value);
    if (n > max) this.add(path, `${what} must be at most ${max} characters (got ${n})`);
  }

  /**
   * A text object. `plainOnly` for fields Slack documents as plain_text only.
   * Slack rejects empty text objects ("must be more than 0 characters").
   */
  textObject(
    path: string,
    value: unknown,
    opts: { max: number; what: string; plainOnly?: boolean; required?: boolean },
  ): void {
    if (value === undefined || value === null) {
      if (opts.required) this.add(path, `${opts.what} is required`);
      return;
    }
    const obj = asRecord(value);
    if (!obj) {
      this.add(path, `${opts.what} must be a text object`);
      return;
    }
    const type = obj.type;
    if (type !== 'plain_text' && type !== 'mrkdwn') {
      this.add(`${path}/type`, `${opts.what} must have type plain_text or mrkdwn`);
    } else if (opts.plainOnly && type !== 'plain_text') {
      this.add(`${path}/type`, `${opts.what} must be a plain_text text object`);
    }
    const text = obj.text;
    if (typeof text !== 'string') {
      this.add(`${path}/text`, `${opts.what} text is required`);
      return;
    }
    const n = countChars(text);
    if (n < LIMITS.text.min) this.add(`${path}/text`, `${opts.what} text must not be empty`);
    if (n > opts.max) {
      this.add(`${path}/text`, `${opts.what} must be at most ${opts.max} characters (got ${n})`);
    }
  }

  arrayMax(path: string, value: unknown, max: number, what: string, min = 0): unknown[] {
    if (value === undefined || value === null) {
      if (min > 0) this.add(path, `${what} is required`);
      return [];
    }
    const arr = asArray(value);
    if (!arr) {
      this.add(path, `${what} must be an array`);
      return [];
    }
    if (arr.length > max) {
      this.add(path, `${what} must have at most ${max} items (got ${arr.length})`);
    }
    if (arr.length < min) this.add(path, `${what} must have at least ${min} item(s)`);
    return arr;
  }

  blocks(path: string, value: unknown, maxBlocks: number): void {
    const blocks = this.arrayMax(path, value, maxBlocks, 'blocks');
    blocks.forEach((block, i) => {
      this.block(`${path}/${i}`, block);
    });
    if (this.markdownChars > LIMITS.markdown.cumulativeText) {
      this.add(
        this.firstMarkdownPath ?? path,
        `markdown blocks' text must total at most ${LIMITS.markdown.cumulativeText} characters (got ${this.markdownChars})`,
        this.surface === 'message' ? 'msg_blocks_too_long' : this.blockError,
      );
    }
    if (this.focusOnLoad.length > 1) {
      this.add(
        this.focusOnLoad[1] ?? path,
        `only one element may set focus_on_load (also set at ${this.focusOnLoad[0] ?? '?'})`,
      );
    }
  }

  block(path: string, value: unknown): void {
    const block = asRecord(value);
    if (!block) {
      this.add(path, 'block must be an object');
      return;
    }
    const type = asString(block.type);
    if (!type) {
      this.add(`${path}/type`, 'block type is required');
      return;
    }
    if (!KNOWN_BLOCK_TYPES.has(type)) {
      this.add(`${path}/type`, `unknown block type "${type}"`);
      return;
    }
    this.blockId(path, block);
    const actionIds = new Map<string, string>();
    switch (type) {
      case 'section':
        this.section(path, block, actionIds);
        break;
      case 'header':
        this.textObject(`${path}/text`, block.text, {
          max: LIMITS.header.text,
          what: 'header text',
          plainOnly: true,
          required: true,
        });
        break;
      case 'context':
        this.context(path, block);
        break;
      case 'actions': {
        const elements = this.arrayMax(
          `${path}/elements`,
          block.elements,
          LIMITS.actions.elements,
          'actions elements',
          1,
        );
        elements.forEach((el, i) => {
          this.element(`${path}/elements/${i}`, el, actionIds);
        });
        break;
      }
      case 'input':
        this.input(path, block, actionIds);
        break;
      case 'image':
        this.imageBlock(path, block);
        break;
      case 'markdown': {
        const text = block.text;
        if (typeof text !== 'string') {
          this.add(`${path}/text`, 'markdown block text is required');
        } else {
          this.markdownChars += countChars(text);
          this.firstMarkdownPath ??= `${path}/text`;
        }
        break;
      }
      default:
        break;
    }
  }

  private blockId(path: string, block: JsonObject): void {
    const id = block.block_id;
    if (id === undefined || id === null) return;
    if (typeof id !== 'string') {
      this.add(`${path}/block_id`, 'block_id must be a string');
      return;
    }
    this.maxChars(`${path}/block_id`, id, LIMITS.blockId, 'block_id');
    const seen = this.blockIds.get(id);
    if (seen !== undefined) {
      this.add(`${path}/block_id`, `duplicate block_id "${id}" (also at ${seen})`);
    } else {
      this.blockIds.set(id, path);
    }
  }

  private section(path: string, block: JsonObject, actionIds: Map<string, string>): void {
    const hasText = block.text !== undefined && block.text !== null;
    const hasFields = block.fields !== undefined && block.fields !== null;
    if (!hasText && !hasFields) this.add(path, 'section block needs text or fields');
    this.textObject(`${path}/text`, block.text, { max: LIMITS.section.text, what: 'section text' });
    const fields = this.arrayMax(
      `${path}/fields`,
      block.fields,
      LIMITS.section.fields,
      'section fields',
    );
    fields.forEach((f, i) => {
      this.textObject(`${path}/fields/${i}`, f, {
        max: LIMITS.section.fieldText,
        what: 'section field',
      });
    });
    if (block.accessory !== undefined && block.accessory !== null) {
      this.element(`${path}/accessory`, block.accessory, actionIds);
    }
  }

  private context(path: string, block: JsonObject): void {
    const elements = this.arrayMax(
      `${path}/elements`,
      block.elements,
      LIMITS.context.elements,
      'context elements',
      1,
    );
    elements.forEach((el, i) => {
      const p = `${path}/elements/${i}`;
      const obj = asRecord(el);
      if (!obj) {
        this.add(p, 'context element must be an object');
        return;
      }
      if (obj.type === 'image') {
        this.imageElement(p, obj);
      } else if (obj.type === 'plain_text' || obj.type === 'mrkdwn') {
        this.textObject(p, obj, { max: LIMITS.text.max, what: 'context text' });
      } else {
        this.add(`${p}/type`, 'context elements must be text objects or images');
      }
    });
  }

  private input(path: string, block: JsonObject, actionIds: Map<string, string>): void {
    this.textObject(`${path}/label`, block.label, {
      max: LIMITS.input.label,
      what: 'input label',
      plainOnly: true,
      required: true,
    });
    this.textObject(`${path}/hint`, block.hint, {
      max: LIMITS.input.hint,
      what: 'input hint',
      plainOnly: true,
    });
    if (block.element === undefined || block.element === null) {
      this.add(`${path}/element`, 'input block element is required');
    } else {
      this.element(`${path}/element`, block.element, actionIds);
    }
  }

  private imageBlock(path: string, block: JsonObject): void {
    if (block.image_url === undefined && block.slack_file === undefined) {
      this.add(path, 'image block needs image_url or slack_file');
    }
    this.maxChars(`${path}/image_url`, block.image_url, LIMITS.image.url, 'image_url');
    if (typeof block.alt_text !== 'string') {
      this.add(`${path}/alt_text`, 'image alt_text is required');
    } else {
      this.maxChars(`${path}/alt_text`, block.alt_text, LIMITS.image.altText, 'image alt_text');
    }
    this.textObject(`${path}/title`, block.title, {
      max: LIMITS.image.title,
      what: 'image title',
      plainOnly: true,
    });
  }

  private imageElement(path: string, el: JsonObject): void {
    if (el.image_url === undefined && el.slack_file === undefined) {
      this.add(path, 'image element needs image_url or slack_file');
    }
    this.maxChars(`${path}/image_url`, el.image_url, LIMITS.image.url, 'image_url');
    if (typeof el.alt_text !== 'string') this.add(`${path}/alt_text`, 'image alt_text is required');
  }

  element(path: string, value: unknown, actionIds: Map<string, string>): void {
    const el = asRecord(value);
    if (!el) {
      this.add(path, 'element must be an object');
      return;
    }
    const type = asString(el.type);
    if (!type) {
      this.add(`${path}/type`, 'element type is required');
      return;
    }
    if (type === 'image') {
      this.imageElement(path, el);
      return;
    }
    const actionId = el.action_id;
    if (actionId !== undefined && actionId !== null) {
      if (typeof actionId !== 'string') {
        this.add(`${path}/action_id`, 'action_id must be a string');
      } else {
        this.maxChars(`${path}/action_id`, actionId, LIMITS.actionId, 'action_id');
        // Slack requires action_id to be unique within its containing block.
        const seen = actionIds.get(actionId);
        if (seen !== undefined) {
          this.add(`${path}/action_id`, `duplicate action_id "${actionId}" (also at ${seen})`);
        } else {
          actionIds.set(actionId, path);
        }
      }
    }
    if (el.focus_on_load === true) this.focusOnLoad.push(`${path}/focus_on_load`);
    if (el.confirm !== undefined && el.confirm !== null) {
      this.confirm(`${path}/confirm`, el.confirm);
    }
    if (SELECT_PLACEHOLDER_TYPES.has(type)) {
      this.textObject(`${path}/placeholder`, el.placeholder, {
        max: LIMITS.placeholder,
        what: 'placeholder',
        plainOnly: true,
      });
    }
    switch (type) {
      case 'button':
      case 'workflow_button':
        this.textObject(`${path}/text`, el.text, {
          max: LIMITS.button.text,
          what: 'button text',
          plainOnly: true,
          required: true,
        });
        this.maxChars(`${path}/value`, el.value, LIMITS.button.value, 'button value');
        this.maxChars(`${path}/url`, el.url, LIMITS.button.url, 'button url');
        this.maxChars(
          `${path}/accessibility_label`,
          el.accessibility_label,
          LIMITS.button.accessibilityLabel,
          'accessibility_label',
        );
        break;
      case 'static_select':
      case 'multi_static_select':
        this.staticSelect(path, el);
        break;
      case 'radio_buttons':
        this.options(path, el.options, LIMITS.radioButtons.options, true, 'radio_buttons options');
        this.optionList(`${path}/initial_option`, el.initial_option, true);
        break;
      case 'checkboxes':
        this.options(path, el.options, LIMITS.checkboxes.options, true, 'checkboxes options');
        asArray(el.initial_options)?.forEach((o, i) => {
          this.option(`${path}/initial_options/${i}`, o, true);
        });
        break;
      case 'overflow':
        this.options(path, el.options, LIMITS.overflow.options, false, 'overflow options');
        break;
      case 'plain_text_input':
        this.plainTextInput(path, el);
        break;
      case 'file_input': {
        const max = el.max_files;
        if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 10)) {
          this.add(`${path}/max_files`, 'max_files must be between 1 and 10');
        }
        break;
      }
      default:
        break;
    }
    if (type.startsWith('multi_') && el.max_selected_items !== undefined) {
      const n = el.max_selected_items;
      if (typeof n !== 'number' || n < 1) {
        this.add(`${path}/max_selected_items`, 'max_selected_items must be at least 1');
      }
    }
  }

  private staticSelect(path: string, el: JsonObject): void {
    const hasOptions = el.options !== undefined && el.options !== null;
    const hasGroups = el.option_groups !== undefined && el.option_groups !== null;
    if (!hasOptions && !hasGroups) this.add(path, 'static select needs options or option_groups');
    if (hasOptions && hasGroups) {
      this.add(path, 'static select takes options or option_groups, not both');
    }
    this.options(path, el.options, LIMITS.select.options, false, 'select options');
    const groups = this.arrayMax(
      `${path}/option_groups`,
      el.option_groups,
      LIMITS.select.optionGroups,
      'option_groups',
    );
    groups.forEach((g, i) => {
      const gp = `${path}/option_groups/${i}`;
      const group = asRecord(g);
      if (!group) {
        this.add(gp, 'option group must be an object');
        return;
      }
      this.textObject(`${gp}/label`, group.label, {
        max: LIMITS.optionGroup.label,
        what: 'option group label',
        plainOnly: true,
        required: true,
      });
      this.arrayMax(
        `${gp}/options`,
        group.options,
        LIMITS.optionGroup.options,
        'option group options',
        1,
      ).forEach((o, j) => {
        this.option(`${gp}/options/${j}`, o, false);
      });
    });
    this.optionList(`${path}/initial_option`, el.initial_option, false);
    asArray(el.initial_options)?.forEach((o, i) => {
      this.option(`${path}/initial_options/${i}`, o, false);
    });
  }

  private options(
    path: string,
    value: unknown,
    max: number,
    allowMrkdwn: boolean,
    what: string,
  ): void {
    if (value === undefined || value === null) return;
    this.arrayMax(`${path}/options`, value, max, what, 1).forEach((o, i) => {
      this.option(`${path}/options/${i}`, o, allowMrkdwn);
    });
  }

  private optionList(path: string, value: unknown, allowMrkdwn: boolean): void {
    if (value !== undefined && value !== null) this.option(path, value, allowMrkdwn);
  }

  private option(path: string, value: unknown, allowMrkdwn: boolean): void {
    const opt = asRecord(value);
    if (!opt) {
      this.add(path, 'option must be an object');
      return;
    }
    this.textObject(`${path}/text`, opt.text, {
      max: LIMITS.option.text,
      what: 'option text',
      plainOnly: !allowMrkdwn,
      required: true,
    });
    this.maxChars(`${path}/value`, opt.value, LIMITS.option.value, 'option value');
    this.textObject(`${path}/description`, opt.description, {
      max: LIMITS.option.description,
      what: 'option description',
      plainOnly: !allowMrkdwn,
    });
    this.maxChars(`${path}/url`, opt.url, LIMITS.option.url, 'option url');
  }

  private plainTextInput(path: string, el: JsonObject): void {
    const min = el.min_length;
    const max = el.max_length;
    if (min !== undefined && (typeof min !== 'number' || min < 0 || min > 3000)) {
      this.add(`${path}/min_length`, 'min_length must be between 0 and 3000');
    }
    if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 3000)) {
      this.add(`${path}/max_length`, 'max_length must be between 1 and 3000');
    }
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      this.add(`${path}/min_length`, 'min_length must not exceed max_length');
    }
    if (typeof max === 'number') {
      this.maxChars(`${path}/initial_value`, el.initial_value, max, 'initial_value (max_length)');
    }
  }

  private confirm(path: string, value: unknown): void {
    const c = asRecord(value);
    if (!c) {
      this.add(path, 'confirm must be an object');
      return;
    }
    const plain = { plainOnly: true, required: true };
    this.textObject(`${path}/title`, c.title, {
      ...plain,
      max: LIMITS.confirm.title,
      what: 'confirm title',
    });
    this.textObject(`${path}/text`, c.text, {
      max: LIMITS.confirm.text,
      what: 'confirm text',
      required: true,
    });
    this.textObject(`${path}/confirm`, c.confirm, {
      ...plain,
      max: LIMITS.confirm.confirm,
      what: 'confirm button',
    });
    this.textObject(`${path}/deny`, c.deny, {
      ...plain,
      max: LIMITS.confirm.deny,
      what: 'deny button',
    });
  }
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Structured violations of a modal or Home tab view; paths are relative to the view. */
export function findViewViolations(view: unknown): LimitViolation[] {
  const obj = asRecord(view);
  if (!obj) {
    return [{ path: '', message: 'view must be an object', slackError: 'invalid_arguments' }];
  }
  const type = obj.type;
  if (type !== 'modal' && type !== 'home') {
    return [
      {
        path: '/type',
        message: 'view type must be modal or home',
        slackError: 'invalid_arguments',
      },
    ];
  }
  const c = new Checker(type, 'invalid_arguments');
  if (type === 'modal') {
    c.textObject('/title', obj.title, {
      max: LIMITS.view.titleText,
      what: 'title',
      plainOnly: true,
      required: true,
    });
    c.textObject('/submit', obj.submit, {
      max: LIMITS.view.submitText,
      what: 'submit',
      plainOnly: true,
    });
    c.textObject('/close', obj.close, {
      max: LIMITS.view.closeText,
      what: 'close',
      plainOnly: true,
    });
    const hasInput = (asArray(obj.blocks) ?? []).some((b) => isRecord(b) && b.type === 'input');
    if (hasInput && isAbsent(obj.submit)) {
      c.add('/submit', 'submit is required when the view contains input blocks');
    }
  }
  if (isAbsent(obj.blocks)) c.add('/blocks', 'blocks is required');
  c.blocks('/blocks', obj.blocks, LIMITS.view.blocks);
  c.maxChars(
    '/private_metadata',
    obj.private_metadata,
    LIMITS.view.privateMetadata,
    'private_metadata',
  );
  c.maxChars('/callback_id', obj.callback_id, LIMITS.view.callbackId, 'callback_id');
  c.maxChars('/external_id', obj.external_id, LIMITS.view.externalId, 'external_id');
  return c.violations;
}

export interface MessageLike {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}

/** Structured violations of a message (chat.postMessage/update, response_url). */
export function findMessageViolations(message: MessageLike): LimitViolation[] {
  const c = new Checker('message', 'invalid_blocks');
  const text = message.text;
  const hasText = typeof text === 'string' && text.length > 0;
  const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
  const hasAttachments = Array.isArray(message.attachments) && message.attachments.length > 0;
  if (!hasText && !hasBlocks && !hasAttachments) {
    c.add('/text', 'message needs text, blocks or attachments', 'no_text');
  }
  if (typeof text === 'string') {
    const n = countChars(text);
    if (n > LIMITS.message.text) {
      c.add(
        '/text',
        `text must be at most ${LIMITS.message.text} characters (got ${n})`,
        'msg_too_long',
      );
    }
  }
  if (!isAbsent(message.blocks)) c.blocks('/blocks', message.blocks, LIMITS.message.blocks);
  return c.violations;
}

/** Violations of a modal or Home tab view as readable strings; empty means Slack would accept it. */
export function checkView(view: unknown): string[] {
  return findViewViolations(view).map(formatViolation);
}

/** Violations of a message as readable strings; empty means Slack would accept it. */
export function checkMessage(message: MessageLike): string[] {
  return findMessageViolations(message).map(formatViolation);
}

/** Violations of a bare block array for a surface. */
export function checkBlocks(blocks: unknown, surface: Surface): string[] {
  const c = new Checker(surface, surface === 'message' ? 'invalid_blocks' : 'invalid_arguments');
  c.blocks('/blocks', blocks, surface === 'message' ? LIMITS.message.blocks : LIMITS.view.blocks);
  return c.violations.map(formatViolation);
}
