import { describe, expect, it } from 'vitest';
import { CANNOT_POST_HERE, postRefusal } from '../../src/delivery/slackErrors.js';

describe('why the bot could not post in a conversation', () => {
  it('names a reason for every error that means it can’t post there', () => {
    expect(postRefusal('not_in_channel')).toBe('not-in-channel');
    expect(postRefusal('channel_not_found')).toBe('not-in-channel');
    expect(postRefusal('is_archived')).toBe('archived');
    for (const error of [
      'restricted_action',
      'restricted_action_read_only_channel',
      'restricted_action_thread_only_channel',
      'restricted_action_non_threadable_channel',
    ]) {
      expect(postRefusal(error)).toBe('restricted');
    }
    for (const error of ['thread_not_found', 'message_not_found', 'cannot_reply_to_message']) {
      expect(postRefusal(error)).toBe('thread-unavailable');
    }
    for (const error of CANNOT_POST_HERE) expect(postRefusal(error)).not.toBe('other');
  });

  it('advises an invite only when the bot is not a member (or can’t see the channel)', () => {
    const invite = [...CANNOT_POST_HERE].filter((error) => postRefusal(error) === 'not-in-channel');
    expect(invite.sort()).toEqual(['channel_not_found', 'not_in_channel']);
  });

  it('has no reason to give for any other failure', () => {
    for (const error of ['ratelimited', 'internal_error', 'invalid_auth', 'fetch failed', null]) {
      expect(postRefusal(error)).toBe('other');
    }
  });
});
