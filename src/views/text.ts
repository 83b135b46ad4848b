import { charCount, TITLE_MAX_CHARS } from '../decision/answers.js';

/**
 * Escapes the three characters Slack's mrkdwn treats as control sequences, so text a person typed
 * can never become a mention (`<!channel>`, `<@U…>`, `<!subteam^…>`) or a link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Cuts text to at most `maxChars` code points without splitting a surrogate pair, adding `…`. */
export function truncate(text: string, maxChars: number): string {
  if (charCount(text) <= maxChars) return text;
  const points = Array.from(text).slice(0, Math.max(0, maxChars - 1));
  return `${points.join('').trimEnd()}…`;
}

/**
 * Escapes user text and keeps the result within `maxLength` UTF-16 units (Slack's block limits),
 * cutting the raw text before escaping so an entity like `&amp;` is never split.
 */
export function escapeToFit(text: string, maxLength: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= maxLength) return escaped;
  const points = Array.from(text);
  let low = 0;
  let high = points.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const candidate = `${escapeMrkdwn(points.slice(0, mid).join(''))}…`;
    if (candidate.length <= maxLength) low = mid;
    else high = mid - 1;
  }
  return `${escapeMrkdwn(points.slice(0, low).join('').trimEnd())}…`;
}

/**
 * The most UTF-16 units a valid title (up to TITLE_MAX_CHARS code points) takes once escaped: each
 * code point at most five (`&` → `&amp;`; an emoji is two).
 */
export const ESCAPED_TITLE_MAX_LENGTH = TITLE_MAX_CHARS * '&amp;'.length;

/** A review's title escaped for mrkdwn, always whole: no valid title is ever cut. */
export function escapeTitle(title: string): string {
  return escapeToFit(title, ESCAPED_TITLE_MAX_LENGTH);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters we strip
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Normalises text typed into a field: CRLF to LF, invisible control characters dropped, broken
 * surrogate halves replaced. Keeps what a person meant and keeps JSON-encoded state compact.
 */
export function cleanTypedText(text: string): string {
  return text
    .replaceAll('\r\n', '\n')
    .replaceAll('\r', '\n')
    .replace(CONTROL_CHARACTERS, '')
    .replace(LONE_SURROGATES, '\uFFFD');
}

/** `<…>` control sequences in Slack's message format: mentions, channels, links, dates. */
const SLACK_CONTROL_SEQUENCE = /<([^<>|]*)(?:\|([^<>]*))?>/g;

/** How Slack writes `@here`, `@channel`, `@everyone` in a message: `<!here>` or `<!here|here>`. */
const SPECIAL_MENTIONS = new Set(['here', 'channel', 'everyone']);

/**
 * A message's text as Slack sends it (mentions as `<@U…>`, links as `<url|label>`, `&`, `<`, `>`
 * as entities) turned back into what a reader saw, for pre-filling a field a person then edits.
 * Nothing here stays a live mention: the result is plain text, escaped again wherever it is shown.
 */
export function plainTextFromSlack(text: string): string {
  return text
    .replace(SLACK_CONTROL_SEQUENCE, (_whole, target: string, label: string | undefined) =>
      readableControlSequence(target, label),
    )
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function readableControlSequence(target: string, label: string | undefined): string {
  const shown = label?.trim() ?? '';
  if (target.startsWith('@')) return shown ? `@${shown.replace(/^@/, '')}` : target;
  if (target.startsWith('#')) return shown ? `#${shown.replace(/^#/, '')}` : target;
  if (target.startsWith('!')) {
    const [kind = '', id = ''] = target.slice(1).split('^');
    if (SPECIAL_MENTIONS.has(kind)) return `@${kind}`;
    if (kind === 'subteam') return shown ? `@${shown.replace(/^@/, '')}` : `@${id}`;
    return shown;
  }
  const address = target.replace(/^mailto:/, '');
  if (!shown || shown === target || shown === address) return address;
  // Slack links what was typed as `x.test` to `<http://x.test|x.test>`: the reader saw `x.test`.
  if (`http://${shown}` === target || `https://${shown}` === target) return shown;
  return `${shown} (${address})`;
}

/** Cuts text to a field's limit at a word boundary when one is near, for pre-filling inputs. */
export function cutCleanly(text: string, maxChars: number): string {
  const cleaned = cleanTypedText(text).trim();
  if (charCount(cleaned) <= maxChars) return cleaned;
  const points = Array.from(cleaned).slice(0, maxChars - 1);
  const cut = points.join('');
  const lastSpace = cut.search(/\s\S*$/);
  const atWord = lastSpace > cut.length * 0.8 ? cut.slice(0, lastSpace) : cut;
  return `${atWord.trimEnd()}…`;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL_ID = /^[CDG][A-Z0-9]{2,}$/;

/** A user mention built only from an ID found in a Slack payload; anything else is not linked. */
export function mentionUser(userId: string): string {
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : 'someone';
}

/** A DM's id (D…): it can't be mentioned like a channel, and only its two members can read it. */
export function isDirectMessage(conversationId: string): boolean {
  return conversationId.startsWith('D');
}

/**
 * A conversation as a message names it: a channel's mention, or "that direct message" for a DM,
 * which a `<#D…>` mention can't name (Slack shows it as a broken channel to anyone else).
 */
export function conversationName(channelId: string): string {
  return isDirectMessage(channelId) ? 'that direct message' : mentionChannel(channelId);
}

export function mentionChannel(channelId: string): string {
  return SLACK_CHANNEL_ID.test(channelId) ? `<#${channelId}>` : 'the channel';
}
