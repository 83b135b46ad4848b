import { randomBytes } from 'node:crypto';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import type { WebClient } from '@slack/web-api';
import { postToResponseUrl } from './delivery/responseUrl.js';
import { slackErrorName } from './delivery/slackErrors.js';
import { requestFacts } from './observability/requestFacts.js';

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Where the person can be answered: the request's kind and ids come from requestFacts. */
function replyRoute(body: unknown): { channelId: string | null; responseUrl: string | null } {
  return {
    channelId: str(field(body, 'channel_id')) ?? str(field(field(body, 'channel'), 'id')),
    responseUrl: str(field(body, 'response_url')),
  };
}

/**
 * The one place listener errors arrive: logged with context, and the person gets a short
 * explanation instead of silence.
 */
export function createErrorHandler(
  client: WebClient,
  isTrustedResponseUrl: (url: string) => boolean,
) {
  return async ({ error, logger, body, context }: ExtendedErrorHandlerArgs): Promise<void> => {
    const reference = randomBytes(4).toString('hex');
    const facts = requestFacts(body);
    const { channelId, responseUrl } = replyRoute(body);
    const userId = facts.user && SLACK_USER_ID.test(facts.user) ? facts.user : null;
    const what = facts.command ?? facts.callbackId ?? facts.actionId ?? facts.event ?? '';
    const cause = error.original ?? error;
    logger.error(
      `[${reference}] ${facts.kind} ${what} team=${context.teamId ?? '-'} user=${userId ?? '-'}: ${slackErrorName(cause)}`,
      cause instanceof Error ? cause.stack : '',
    );
    const text = `:warning: Sorry, ftrag hit a problem and couldn't finish that (reference \`${reference}\`). Nothing you entered was posted; please try again in a moment.`;
    // The nearest place the person sees first; when Slack refuses it (an expired response_url, a
    // channel the bot is not in), the next one.
    const routes: { name: string; send: () => Promise<unknown> }[] = [];
    if (responseUrl && isTrustedResponseUrl(responseUrl)) {
      routes.push({
        name: 'response_url',
        send: () =>
          postToResponseUrl(responseUrl, {
            response_type: 'ephemeral',
            text,
            replace_original: false,
          }),
      });
    }
    if (userId && channelId) {
      routes.push({
        name: 'ephemeral',
        send: () =>
          client.chat.postEphemeral({
            token: context.botToken,
            channel: channelId,
            user: userId,
            text,
          }),
      });
    }
    if (userId) {
      routes.push({
        name: 'DM',
        send: () => client.chat.postMessage({ token: context.botToken, channel: userId, text }),
      });
    }
    for (const route of routes) {
      try {
        await route.send();
        return;
      } catch (notifyError) {
        logger.warn(
          `[${reference}] could not tell the person (${route.name}): ${slackErrorName(notifyError)}`,
        );
      }
    }
  };
}
