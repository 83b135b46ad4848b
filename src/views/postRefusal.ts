import type { PostRefusal } from '../delivery/slackErrors.js';

/**
 * " because that channel is archived": why the bot couldn't post in a conversation, to follow
 * "I couldn't post this in #channel"; empty when the error gave no reason a person can act on.
 */
export function becauseOf(refusal: PostRefusal): string {
  switch (refusal) {
    case 'not-in-channel':
      return " because I'm not a member there";
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
