import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRateLimiter, type FakeRateLimitOptions } from '../support/fakeRateLimits.js';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.js';

const TOKEN = 'xoxb-test-000001';

function limiter(options: FakeRateLimitOptions) {
  const clock = { now: 0 };
  const limits = new FakeRateLimiter(options, () => clock.now);
  const post = (channel = 'C1') => limits.take('chat.postMessage', TOKEN, { channel });
  return { clock, limits, post };
}

describe('the fake rate limiter', () => {
  it('lets a burst through per channel, then answers Retry-After in whole seconds', () => {
    const { clock, post } = limiter({ postPerChannelPerSecond: 1, burst: 2 });
    expect(post().retryAfter).toBeNull();
    expect(post().retryAfter).toBeNull();
    expect(post()).toEqual({ retryAfter: 1 });
    // Another channel has its own limit.
    expect(post('C2').retryAfter).toBeNull();
    // Waited as told: a token has come back.
    clock.now = 1_000;
    expect(post()).toEqual({ retryAfter: null });
    expect(post()).toEqual({ retryAfter: 1 });
  });

  it('rounds Retry-After up to whole seconds, never below 1', () => {
    const { post } = limiter({ postPerChannelPerSecond: 0.25 });
    expect(post().retryAfter).toBeNull();
    expect(post()).toEqual({ retryAfter: 4 });
    const fast = limiter({ postPerChannelPerSecond: 50 });
    expect(fast.post().retryAfter).toBeNull();
    expect(fast.post()).toEqual({ retryAfter: 1 });
  });

  it('refuses calls before Retry-After has passed and calls them violations', () => {
    const { clock, post } = limiter({ postPerChannelPerSecond: 5, burst: 1 });
    expect(post().retryAfter).toBeNull();
    expect(post()).toEqual({ retryAfter: 1 });
    // A token is back after 200 ms, but Slack said one second.
    clock.now = 300;
    const early = post();
    expect(early.retryAfter).toBe(1);
    expect(early.violation).toMatch(
      /chat\.postMessage .* C1: the same call again 0\.70 s before the Retry-After/,
    );
    // Each early call is refused with a new deadline: 1.3 s, then 2 s.
    clock.now = 1_000;
    expect(post().violation).toBeDefined();
    clock.now = 2_000;
    expect(post()).toEqual({ retryAfter: null });
  });

  it('refuses other calls to a limit until its Retry-After has passed, without calling them violations', () => {
    const { clock, limits } = limiter({ postPerChannelPerSecond: 5, burst: 1 });
    const post = (text: string) => limits.take('chat.postMessage', TOKEN, { channel: 'C1', text });
    expect(post('a').retryAfter).toBeNull();
    expect(post('b')).toEqual({ retryAfter: 1 }); // the limit is closed until 1000
    // Another posting's call, perhaps sent before the client heard of the 429: refused only.
    clock.now = 500;
    expect(post('c')).toEqual({ retryAfter: 1 }); // c may call again from 1500
    clock.now = 999;
    expect(post('d')).toEqual({ retryAfter: 1 });
    // b waited as told: c's and d's refusals did not keep the limit closed longer.
    clock.now = 1_000;
    expect(post('b')).toEqual({ retryAfter: null });
    clock.now = 1_500;
    expect(post('c')).toEqual({ retryAfter: null });
  });

  it('lets one of two calls refused back to back through once the wait is over, whichever comes first', () => {
    const { clock, limits } = limiter({ postPerChannelPerSecond: 2, burst: 1 });
    const post = (text: string) => limits.take('chat.postMessage', TOKEN, { channel: 'C1', text });
    expect(post('a').retryAfter).toBeNull();
    expect(post('b')).toEqual({ retryAfter: 1 }); // b may call again from 1000
    clock.now = 0.5;
    expect(post('c')).toEqual({ retryAfter: 1 }); // c from 1000.5
    // b is back a moment before c's Retry-After has passed: it goes through, and c after it.
    clock.now = 1_000.2;
    expect(post('b')).toEqual({ retryAfter: null });
    clock.now = 1_000.7;
    expect(post('c')).toEqual({ retryAfter: 1 });
    clock.now = 2_000.7;
    expect(post('c')).toEqual({ retryAfter: null });
  });

  it('limits other methods per token, as Slack’s tiers do per workspace', () => {
    const { clock, limits } = limiter({ methods: { 'chat.getPermalink': { perSecond: 1 } } });
    const permalink = (token: string) => limits.take('chat.getPermalink', token, {});
    expect(permalink(TOKEN).retryAfter).toBeNull();
    expect(permalink(TOKEN)).toEqual({ retryAfter: 1 });
    expect(permalink('xoxb-other-000002').retryAfter).toBeNull();
    // Unlisted methods, and chat.postMessage without a per-channel limit, are not limited.
    expect(limits.take('views.publish', TOKEN, {}).retryAfter).toBeNull();
    expect(limits.take('chat.postMessage', TOKEN, { channel: 'C1' }).retryAfter).toBeNull();
    expect(limits.take('chat.postMessage', TOKEN, { channel: 'C1' }).retryAfter).toBeNull();
    clock.now = 1_000;
    expect(permalink(TOKEN).retryAfter).toBeNull();
  });
});

describe('the fake Slack with rate limits', () => {
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('is off by default', async () => {
    fake = await startFakeSlack();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'C0CHAN0001', text: `m${i}` }),
      });
      expect(res.status).toBe(200);
    }
    expect(fake.violations).toEqual([]);
  });

  it('answers 429 with Retry-After and ratelimited; a client ignoring it is a violation', async () => {
    const limited = await startFakeSlack({ rateLimits: { postPerChannelPerSecond: 1 } });
    fake = limited;
    const post = () =>
      fetch(`${limited.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${limited.botToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ channel: 'C0CHAN0001', text: 'hi' }),
      });
    expect((await post()).status).toBe(200);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ ok: false, error: 'ratelimited' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await post()).status).toBe(429);
    expect(limited.violations).toEqual([
      expect.objectContaining({ source: 'chat.postMessage', slackError: 'ratelimited' }),
    ]);
    expect(limited.messages('C0CHAN0001')).toHaveLength(1);
  });

  it('the WebClient honors Retry-After: its retries are no violation', async () => {
    const limited = await startFakeSlack({ rateLimits: { postPerChannelPerSecond: 2, burst: 1 } });
    fake = limited;
    const web = new WebClient(limited.botToken, {
      slackApiUrl: limited.apiUrl,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 20 },
    });
    await Promise.all(
      [0, 1, 2].map((i) => web.chat.postMessage({ channel: 'C0CHAN0001', text: `m${i}` })),
    );
    expect(limited.messages('C0CHAN0001')).toHaveLength(3);
    expect(limited.callsTo('chat.postMessage').some((c) => c.httpStatus === 429)).toBe(true);
    expect(limited.violations).toEqual([]);
  });
});
