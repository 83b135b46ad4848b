import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BOT_SCOPES, MESSAGE_SHORTCUT_NAME } from '../src/constants.js';
import { buildHelpMessage } from '../src/views/helpMessage.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Slack's own schema, kept beside the repository (in CI too) rather than copied into it.
const schemaDir = path.resolve(repoRoot, '../shared/slack/manifest-schema');
const TOP_SCHEMA = 'slack-manifest.schema.json';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** The parts of a manifest this suite looks at; the schema vouches for the rest. */
interface Manifest {
  _metadata?: unknown;
  display_information: {
    name: string;
    description?: string;
    long_description?: string;
    background_color?: string;
  };
  features?: {
    app_home?: {
      home_tab_enabled?: boolean;
      messages_tab_enabled?: boolean;
      messages_tab_read_only_enabled?: boolean;
    };
    bot_user?: { display_name: string; always_online?: boolean };
    slash_commands?: {
      command: string;
      description: string;
      usage_hint?: string;
      should_escape?: boolean;
      url?: string;
    }[];
    shortcuts?: { name: string; type: string; callback_id: string; description: string }[];
  };
  oauth_config?: { redirect_urls?: string[]; scopes?: { bot?: string[]; user?: string[] } };
  settings?: {
    event_subscriptions?: { bot_events?: string[]; user_events?: string[]; request_url?: string };
    interactivity?: { is_enabled: boolean; request_url?: string };
    org_deploy_enabled?: boolean;
    socket_mode_enabled?: boolean;
    token_rotation_enabled?: boolean;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readSchema(file: string): SchemaObject {
  const parsed: unknown = JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8'));
  if (!isRecord(parsed)) throw new Error(`${file} is not a JSON schema object`);
  return parsed;
}

/** Every "$ref" string anywhere in a schema. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

// ajv-formats is CommonJS: TypeScript sees its default import as the module, and the module's
// `default` is the plugin itself whichever way a loader hands it over.
const addFormats = addFormatsModule.default;

interface Validators {
  /** The all-versions entry point, routing by _metadata.major_version. */
  top: ValidateFunction<Manifest>;
  /** The 1.0.0 schema alone: what a Bolt manifest without _metadata is checked against. */
  v1: ValidateFunction<Manifest>;
  versionedUrls: string[];
}

function buildValidators(): Validators {
  const top = readSchema(TOP_SCHEMA);
  expect(top.$schema).toBe(DRAFT_07); // the default Ajv class speaks draft-07
  // strictTypes only lints a schema's own type annotations, which Slack's leave out in places.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  // Two keywords of Slack's own: `_note` is a comment, `regex` is used like `pattern`.
  ajv.addKeyword({ keyword: '_note' });
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    validate: (pattern: string, data: string) => new RegExp(pattern, 'u').test(data),
  });

  // The versioned files carry no $id: register each under the URL the top file refers to it by
  // (…/manifest.schema.1.0.0.json → slack-manifest.schema.1.0.0.json).
  const versionedUrls = [...new Set(refsIn(top))].filter((ref) => /^https?:\/\//.test(ref));
  for (const url of versionedUrls) {
    const file = `slack-${path.posix.basename(new URL(url).pathname)}`;
    ajv.addSchema(readSchema(file), url);
  }
  const v1Url = versionedUrls.find((url) => url.endsWith('/manifest.schema.1.0.0.json'));
  if (v1Url === undefined) throw new Error('the top schema does not refer to the 1.0.0 schema');
  const v1 = ajv.getSchema<Manifest>(v1Url);
  if (v1 === undefined) throw new Error(`${v1Url} did not compile`);
  return { top: ajv.compile<Manifest>(top), v1, versionedUrls };
}

function manifestText(): string {
  return readFileSync(path.join(repoRoot, 'manifest.yml'), 'utf8');
}

function loadManifest(): unknown {
  const parsed: unknown = parseYaml(manifestText());
  return parsed;
}

/**
 * manifest.yml edited as its header says for HTTP mode with multi-workspace OAuth: every commented
 * line below the header that holds a https://YOUR-HOST/ URL, and `redirect_urls:`, uncommented
 * (the `# ` dropped, its indentation kept), and Socket Mode turned off.
 */
function httpOAuthVariant(): { text: string; uncommented: string[] } {
  const lines = manifestText().split('\n');
  const headerEnd = lines.findIndex((line) => line !== '' && !line.startsWith('#'));
  const uncommented: string[] = [];
  const edited = lines.map((line, index) => {
    const commented = /^(\s*)# ?(.*)$/.exec(line);
    if (index < headerEnd || commented === null) return line;
    const [, indent = '', rest = ''] = commented;
    if (!rest.includes('https://YOUR-HOST/') && rest.trim() !== 'redirect_urls:') return line;
    uncommented.push(`${indent}${rest}`);
    return `${indent}${rest}`;
  });
  const text = edited.join('\n').replace(/^(\s*socket_mode_enabled:) true$/m, '$1 false');
  return { text, uncommented };
}

/** A deep copy of a valid manifest, to break on purpose. */
function copyOf(manifest: Manifest): Manifest {
  return structuredClone(manifest);
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join('\n');
}

let validators: Validators;
let manifest: Manifest;

beforeAll(() => {
  validators = buildValidators();
  const parsed = loadManifest();
  if (!validators.top(parsed)) {
    throw new Error(
      `manifest.yml breaks Slack's schema:\n${describeErrors(validators.top.errors)}`,
    );
  }
  manifest = parsed;
});

describe("manifest.yml against Slack's schema", () => {
  it('registers every versioned schema the top file routes to', () => {
    expect(validators.versionedUrls.length).toBeGreaterThanOrEqual(2);
  });

  it('is valid through the all-versions entry point', () => {
    expect(validators.top(loadManifest()), describeErrors(validators.top.errors)).toBe(true);
  });

  it('is a Bolt manifest (no _metadata), valid against the 1.0.0 schema', () => {
    expect(manifest._metadata).toBeUndefined();
    expect(validators.v1(loadManifest()), describeErrors(validators.v1.errors)).toBe(true);
  });

  it('rejects an over-long slash command description', () => {
    const broken = copyOf(manifest);
    const command = broken.features?.slash_commands?.[0];
    if (command === undefined) throw new Error('no slash command to break');
    command.description = 'x'.repeat(2001);
    expect(validators.top(broken)).toBe(false);
    expect(validators.top.errors).toContainEqual(
      expect.objectContaining({
        instancePath: '/features/slash_commands/0/description',
        keyword: 'maxLength',
      }),
    );
  });

  it('rejects a shortcut name over 24 characters', () => {
    const broken = copyOf(manifest);
    const shortcut = broken.features?.shortcuts?.[0];
    if (shortcut === undefined) throw new Error('no shortcut to break');
    shortcut.name = 'Review: prompt, RAG or fine-tune?';
    expect(validators.top(broken)).toBe(false);
    expect(validators.top.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/features/shortcuts/0/name', keyword: 'maxLength' }),
    );
  });

  it('rejects an unknown setting, a bad colour and an over-long scope name', () => {
    const unknownSetting = {
      ...copyOf(manifest),
      settings: { ...manifest.settings, sockets: true },
    };
    expect(validators.top(unknownSetting)).toBe(false);

    const badColour = copyOf(manifest);
    badColour.display_information.background_color = 'blue!!';
    expect(validators.top(badColour)).toBe(false);

    // Slack's schema does not list scope names, only their length; the exact-list test below is
    // what keeps an unknown scope out.
    const longScope = copyOf(manifest);
    longScope.oauth_config = { scopes: { bot: ['commands', `x:${'y'.repeat(60)}`] } };
    expect(validators.top(longScope)).toBe(false);
  });
});

describe('manifest.yml contents', () => {
  it('asks for exactly the bot scopes ftrag uses, and no user scopes', () => {
    const bot = manifest.oauth_config?.scopes?.bot?.toSorted();
    expect(bot).toEqual(
      [
        'app_mentions:read',
        'channels:read',
        'chat:write',
        'commands',
        'files:write',
        'im:write',
      ].toSorted(),
    );
    // What the OAuth install asks for.
    expect(bot).toEqual(BOT_SCOPES.toSorted());
    expect(manifest.oauth_config?.scopes?.user).toBeUndefined();
  });

  it('describes the app within the display limits', () => {
    const info = manifest.display_information;
    expect(info.name).toBe('ftrag');
    expect(info.description?.length).toBeLessThanOrEqual(140);
    expect(info.long_description?.length).toBeGreaterThanOrEqual(175);
    expect(info.long_description?.length).toBeLessThanOrEqual(4000);
    expect(info.long_description).toContain('retrieve for knowledge, fine-tune for behavior');
  });

  it('has the /ftrag command', () => {
    expect(manifest.features?.slash_commands).toEqual([
      expect.objectContaining({ command: '/ftrag', should_escape: false }),
    ]);
    const command = manifest.features?.slash_commands?.[0];
    expect(command?.usage_hint).toContain('help');
    expect(command?.usage_hint).toContain('history');
  });

  it('has the message shortcut, under the name the help message gives', () => {
    expect(manifest.features?.shortcuts).toEqual([
      expect.objectContaining({
        type: 'message',
        callback_id: 'ftrag_review_message',
        name: MESSAGE_SHORTCUT_NAME,
      }),
    ]);
    expect(JSON.stringify(buildHelpMessage('C0CHAN1'))).toContain(`*${MESSAGE_SHORTCUT_NAME}*`);
  });

  it('has the Home tab and a Messages tab for the DM fallback, and an always-on bot', () => {
    expect(manifest.features?.app_home).toMatchObject({
      home_tab_enabled: true,
      messages_tab_enabled: true,
    });
    expect(manifest.features?.bot_user).toEqual({ display_name: 'ftrag', always_online: true });
  });

  it('subscribes to the events ftrag handles', () => {
    expect(manifest.settings?.event_subscriptions?.bot_events?.toSorted()).toEqual(
      ['app_home_opened', 'app_mention', 'app_uninstalled', 'tokens_revoked'].toSorted(),
    );
    expect(manifest.settings?.event_subscriptions?.user_events).toBeUndefined();
  });

  it('runs in Socket Mode with interactivity, so no request URL is set', () => {
    const settings = manifest.settings;
    expect(settings?.socket_mode_enabled).toBe(true);
    expect(settings?.interactivity?.is_enabled).toBe(true);
    expect(settings?.org_deploy_enabled).toBe(false);
    expect(settings?.token_rotation_enabled).toBe(false);
    expect(settings?.event_subscriptions?.request_url).toBeUndefined();
    expect(settings?.interactivity?.request_url).toBeUndefined();
    expect(manifest.features?.slash_commands?.[0]?.url).toBeUndefined();
  });

  it('says where the request URLs go for HTTP mode', () => {
    const text = manifestText();
    const hints = text
      .split('\n')
      .filter((line) => /^\s*#.*https:\/\/YOUR-HOST\/slack\/events/.test(line));
    expect(hints.length).toBeGreaterThanOrEqual(3);
  });
});

describe('manifest.yml switched to HTTP mode with OAuth, as its comments say', () => {
  it("is valid YAML and valid against Slack's schema once those lines are uncommented", () => {
    const { text, uncommented } = httpOAuthVariant();
    // Three request URLs, redirect_urls and its one entry.
    expect(uncommented).toHaveLength(5);
    const parsed: unknown = parseYaml(text);
    expect(validators.top(parsed), describeErrors(validators.top.errors)).toBe(true);
    expect(validators.v1(parsed), describeErrors(validators.v1.errors)).toBe(true);
  });

  it('points every request URL at /slack/events and the redirect at /slack/oauth_redirect', () => {
    const parsed: unknown = parseYaml(httpOAuthVariant().text);
    if (!validators.top(parsed)) throw new Error(describeErrors(validators.top.errors));
    const events = 'https://YOUR-HOST/slack/events';
    expect(parsed.features?.slash_commands?.[0]?.url).toBe(events);
    expect(parsed.settings?.event_subscriptions?.request_url).toBe(events);
    expect(parsed.settings?.interactivity?.request_url).toBe(events);
    expect(parsed.oauth_config?.redirect_urls).toEqual(['https://YOUR-HOST/slack/oauth_redirect']);
    expect(parsed.settings?.socket_mode_enabled).toBe(false);
    // Everything else as in Socket Mode.
    expect(parsed.oauth_config?.scopes).toEqual(manifest.oauth_config?.scopes);
    expect(parsed.settings?.event_subscriptions?.bot_events).toEqual(
      manifest.settings?.event_subscriptions?.bot_events,
    );
  });
});
