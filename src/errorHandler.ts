import { randomBytes } from 'node:crypto';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App.js';
import type { WebClient } from '@slack/web-api';
import { postToResponseUrl } from './delivery/responseUrl.js';
import { slackErrorName } from './delivery/slackErrors.js';

interface PayloadFacts {
  type: string;
  userId: string | null;
  channelId: string | null;
  responseUrl: string | null;
  callbackOrAction: string | null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The few facts about a request that help a log reader and let us answer the person. */
export function payloadFacts(body: unknown): PayloadFacts {
  const actions = field(body, 'actions');
  const firstAction = Array.isArray(actions) ? actions[0] : undefined;
  return {
    type: str(field(body, 'type')) ?? (str(field(body, 'command')) ? 'slash_command' : 'unknown'),
    userId: str(field(body, 'user_id')) ?? str(field(field(body, 'user'), 'id')),
    channelId: str(field(body, 'channel_id')) ?? str(field(field(body, 'channel'), 'id')),
    responseUrl: str(field(body, 'response_url')),
    callbackOrAction:
      str(field(body, 'command')) ??
      str(field(body, 'callback_id')) ??
      str(field(field(body, 'view'), 'callback_id')) ??
      str(field(firstAction, 'action_id')),
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
    const facts = payloadFacts(body);
    const cause = error.original ?? error;
    logger.error(
      `[${reference}] ${facts.type} ${facts.callbackOrAction ?? ''} team=${context.teamId ?? '-'} user=${facts.userId ?? '-'}: ${slackErrorName(cause)}`,
      cause instanceof Error ? cause.stack : '',
    );
    const text = `:warning: Sorry, ftrag hit a problem and couldn't finish that (reference \`${reference}\`). Nothing you entered was posted; please try again in a moment.`;
    try {
      if (facts.responseUrl && isTrustedResponseUrl(facts.responseUrl)) {
        await postToResponseUrl(facts.responseUrl, {
          response_type: 'ephemeral',
          text,
          replace_original: false,
        });
      } else if (facts.userId && facts.channelId) {
        await client.chat.postEphemeral({
          token: context.botToken,
          channel: facts.channelId,
          user: facts.userId,
          text,
        });
      } else if (facts.userId) {
        await client.chat.postMessage({ token: context.botToken, channel: facts.userId, text });
      }
    } catch (notifyError) {
      logger.warn(`[${reference}] could not tell the person: ${slackErrorName(notifyError)}`);
    }
  };
}
