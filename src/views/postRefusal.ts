import type { PostRefusal } from '../delivery/slackErrors.js';
import { isDirectMessage } from './text.js';

/**
 * " because that channel is archived": why the bot couldn't post in a conversation, to follow
 * "I couldn't post this in #channel"; empty when the error gave no reason a person can act on.
 * With `channelId` a DM's, not being in it is worded for a DM (nobody can add an app to one).
 */
export function becauseOf(refusal: PostRefusal, channelId?: string | null): string {
  switch (refusal) {
    case 'not-in-channel':
      return channelId && isDirectMessage(channelId)
        ? " because I'm not part of it"
        : " because I'm not a member there";
    case 'archived':
      return ' because that channel is archived';
    case 'restricted':
      return ' because posting there is restricted';
    case 'thread-unavailable':
      return ' because its thread is gone or takes no replies';
    case 'other':
      return '';
  }
}
