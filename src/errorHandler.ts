import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import type { WebClient } from '@slack/web-api';
import { postToResponseUrl } from './delivery/responseUrl.js';
import { slackErrorName } from './delivery/slackErrors.js';
import { unconfirmedPost } from './delivery/unconfirmedPost.js';
import { requestFacts } from './observability/requestFacts.js';
import { CorruptRowError, InstallationNotFoundError } from './storage/errors.js';

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A modal's error under a block is plain text: no emoji shortcodes or code marks. */
function plainText(text: string): string {
  return text.replace(/^:warning: /, '').replaceAll('`', '');
}

/** Where the person can be answered: the request's kind and ids come from requestFacts. */
function replyRoute(body: unknown): { channelId: string | null; responseUrl: string | null } {
  return {
    channelId: str(field(body, 'channel_id')) ?? str(field(field(body, 'channel'), 'id')),
    responseUrl: str(field(body, 'response_url')),
  };
}

/**
 * Thrown back to Bolt when a view_submission's workspace could not be authorized: Bolt would
 * otherwise ack it empty, which closes the modal as if the submission had succeeded. app.ts's
 * processEventErrorHandler answers with {@link answer} instead, which keeps the modal open with
 * what was entered.
 */
export class UnauthorizedSubmissionError extends Error {
  override name = 'UnauthorizedSubmissionError';

  constructor(
    readonly answer: {
      response_action: 'errors';
      errors: Record<string, string>;
    } | null,
  ) {
    super('a view_submission from a workspace that could not be authorized');
  }
}

/** The first input block of a submitted view: where Slack can show an error under the form. */
function firstInputBlockId(body: unknown): string | null {
  const blocks = field(field(body, 'view'), 'blocks');
  if (!Array.isArray(blocks)) return null;
  for (const block of blocks) {
    if (field(block, 'type') === 'input') return str(field(block, 'block_id'));
  }
  return null;
}

/**
 * The installation store's own error inside Bolt's and the installer's wrappers (`original`):
 * none, or nothing to install, or a stored installation that can't be read.
 */
function installationProblem(error: unknown): Error | null {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof InstallationNotFoundError || current instanceof CorruptRowError) {
      return current;
    }
    current = field(current, 'original') ?? current.cause;
  }
  return null;
}

export interface ErrorHandlerOptions {
  /** Where a workspace admin installs ftrag again (multi-workspace OAuth mode). */
  installPage: string;
}

/**
 * The one place listener errors arrive: logged with context, and the person gets a short
 * explanation instead of silence.
 *
 * A request Bolt could not authorize (no installation for its workspace, or one that can't be
 * read) has no token: only the response_url, or the ack of a view_submission, can answer it.
 */
export function createErrorHandler(
  client: WebClient,
  isTrustedResponseUrl: (url: string) => boolean,
  options: ErrorHandlerOptions,
) {
  return async ({ error, logger, body, context }: ExtendedErrorHandlerArgs): Promise<void> => {
    const reference = randomBytes(4).toString('hex');
    const facts = requestFacts(body);
    const { channelId, responseUrl } = replyRoute(body);
    const userId = facts.user && SLACK_USER_ID.test(facts.user) ? facts.user : null;
    const what = facts.command ?? facts.callbackId ?? facts.actionId ?? facts.event ?? '';
    const cause = error.original ?? error;
    const unauthorized = error.code === ErrorCode.AuthorizationError;
    // Without an installation retrying never helps; a database that didn't answer is another
    // matter, and is reported like any other failure.
    const notInstalled = unauthorized ? installationProblem(error) : null;
    const team = context.teamId ?? facts.team ?? '-';
    let text: string;
    if (notInstalled) {
      logger.warn(
        `${facts.kind} ${what} team=${team} user=${userId ?? '-'}: no usable installation for this workspace, nothing was done: ${notInstalled.message}`,
      );
      text = `:warning: ftrag isn't installed in this workspace any more, or its installation can't be read: a workspace admin can install it again from ${options.installPage}.`;
    } else {
      logger.error(
        `[${reference}] ${facts.kind} ${what} team=${team} user=${userId ?? '-'}: ${slackErrorName(cause)}`,
        cause instanceof Error ? cause.stack : '',
      );
      text = `:warning: Sorry, ftrag hit a problem and couldn't finish that (reference \`${reference}\`). Nothing you entered was posted; please try again in a moment.`;
    }
    if (unauthorized && facts.kind === 'view_submission') {
      const blockId = firstInputBlockId(body);
      throw new UnauthorizedSubmissionError(
        blockId ? { response_action: 'errors', errors: { [blockId]: plainText(text) } } : null,
      );
    }
    // The nearest place the person sees first; when Slack refuses it (an expired response_url, a
    // channel the bot is not in), the next one. Not when Slack may have posted it all the same (no
    // answer, a 5xx): the next would tell them twice.
    const routes: { name: string; method: string; send: () => Promise<unknown> }[] = [];
    if (responseUrl && isTrustedResponseUrl(responseUrl)) {
      routes.push({
        name: 'response_url',
        method: 'response_url',
        send: () =>
          postToResponseUrl(
            responseUrl,
            { response_type: 'ephemeral', text, replace_original: false },
            // A second copy of a notice only they see beats none: tried again after a 5xx too.
            { repeatable: true },
          ),
      });
    }
    // Without an authorized request there is no token to post with.
    if (userId && channelId && !unauthorized) {
      routes.push({
        name: 'ephemeral',
        method: 'chat.postEphemeral',
        send: () =>
          client.chat.postEphemeral({
            token: context.botToken,
            channel: channelId,
            user: userId,
            text,
          }),
      });
    }
    if (userId && !unauthorized) {
      routes.push({
        name: 'DM',
        method: 'chat.postMessage',
        send: () => client.chat.postMessage({ token: context.botToken, channel: userId, text }),
      });
    }
    for (const route of routes) {
      try {
        await route.send();
        return;
      } catch (notifyError) {
        const unconfirmed = unconfirmedPost(notifyError, route.method);
        if (unconfirmed) {
          logger.warn(
            `[${reference}] may have told the person (${route.name}), Slack can't say: ${unconfirmed.why}`,
          );
          return;
        }
        logger.warn(
          `[${reference}] could not tell the person (${route.name}): ${slackErrorName(notifyError)}`,
        );
      }
    }
  };
}
