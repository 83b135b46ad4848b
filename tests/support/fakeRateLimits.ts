/**
 * Slack's rate limits for the fake, modeled on https://docs.slack.dev/apis/web-api/rate-limits:
 * limits apply per method per app per workspace (one bot token here), Tier 2/3/4 methods allow
 * 20+/50+/100+ calls a minute with some bursts, and chat.postMessage allows about one message per
 * second per channel with short bursts. A call over a limit is answered HTTP 429 with `Retry-After`
 * (whole seconds) and `{ ok: false, error: 'ratelimited' }`, and Slack expects the app to wait that
 * long before calling again.
 *
 * Each limit is a token bucket: `burst` calls back to back, refilled at the sustained rate. Once a
 * limit answered 429, every call to it is refused until that Retry-After has passed; calls refused
 * meanwhile are told the rest of that wait, rounded up to whole seconds, but don't lengthen it (if
 * each refusal did, callers refused one after another could keep each other out for good). The same
 * call (method, token and arguments alike) made again before the Retry-After it was given is a
 * violation: the client did not honor Retry-After. Other calls to the limit meanwhile are refused
 * but not counted: the fake can't tell one the client sent before it got the 429 (several postings
 * run at once) from one sent after, while a repeat of the refused call can only come after.
 */

export interface BucketLimit {
  /** Sustained calls per second. */
  perSecond: number;
  /** Calls accepted back to back before the sustained rate applies (default 1). */
  burst?: number;
}

/** Slack's documented minimum calls a minute per tier (a method's reference page names its tier). */
export const SLACK_TIERS = { tier1: 1, tier2: 20, tier3: 50, tier4: 100 } as const;

export interface FakeRateLimitOptions {
  /** chat.postMessage per channel per second, sustained (Slack: about 1). */
  postPerChannelPerSecond?: number;
  /** chat.postMessage calls to one channel accepted back to back (Slack: "short bursts"; default 1). */
  burst?: number;
  /** Per-method limits per workspace, e.g. `{ 'chat.getPermalink': { perSecond: 100 / 60, burst: 10 } }`. */
  methods?: Record<string, BucketLimit>;
}

export interface RateLimitDecision {
  /** Seconds to answer in `Retry-After`; null: the call may go on. */
  retryAfter: number | null;
  /** Set when the call came while its limit's Retry-After had not passed. */
  violation?: string;
}

interface Bucket {
  limit: Required<BucketLimit>;
  tokens: number;
  updatedAt: number;
  /** Until when calls are refused: the Retry-After deadline of the refusal that opened the wait. */
  refusedUntil: number;
  /** Calls refused (by their arguments), each with the deadline it was given. */
  refusedCalls: Map<string, number>;
}

export class FakeRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: FakeRateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Takes one call to `method` with bot token `token` and arguments `args` (without the token). */
  take(method: string, token: string, args: Record<string, unknown>): RateLimitDecision {
    const key = this.keyOf(method, token, args);
    if (!key) return { retryAfter: null };
    const bucket = this.bucketFor(key.name, key.limit);
    const now = this.now();
    this.refill(bucket, now);
    for (const [call, until] of bucket.refusedCalls) {
      if (until <= now) bucket.refusedCalls.delete(call);
    }
    const call = JSON.stringify(args);
    const givenUntil = bucket.refusedCalls.get(call);
    const violation =
      givenUntil === undefined
        ? undefined
        : `${key.name}: the same call again ${((givenUntil - now) / 1000).toFixed(2)} s before the Retry-After it was given had passed`;
    // A call repeated before its own Retry-After is refused even when the limit has reopened.
    if (!violation && now >= bucket.refusedUntil && bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { retryAfter: null };
    }
    const retryAfter = this.refuse(bucket, now, call);
    return violation ? { retryAfter, violation } : { retryAfter };
  }

  /** Answers 429: whole seconds until a call may go through (at least 1), as Slack does. */
  private refuse(bucket: Bucket, now: number, call: string): number {
    const untilToken = (1 - bucket.tokens) / bucket.limit.perSecond;
    const untilWindowEnds = (bucket.refusedUntil - now) / 1000;
    const retryAfter = Math.max(1, Math.ceil(Math.max(untilToken, untilWindowEnds)));
    const until = now + retryAfter * 1000;
    if (bucket.refusedUntil <= now) bucket.refusedUntil = until;
    bucket.refusedCalls.set(call, until);
    return retryAfter;
  }

  private keyOf(
    method: string,
    token: string,
    args: Record<string, unknown>,
  ): { name: string; limit: BucketLimit } | null {
    const perChannel = this.options.postPerChannelPerSecond;
    if (method === 'chat.postMessage' && perChannel !== undefined) {
      const channel = typeof args.channel === 'string' ? args.channel : '';
      return {
        name: `chat.postMessage ${token.slice(-6)} ${channel}`,
        limit: { perSecond: perChannel, burst: this.options.burst ?? 1 },
      };
    }
    const limit = this.options.methods?.[method];
    return limit ? { name: `${method} ${token.slice(-6)}`, limit } : null;
  }

  private bucketFor(name: string, limit: BucketLimit): Bucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      const full = { perSecond: limit.perSecond, burst: limit.burst ?? 1 };
      bucket = {
        limit: full,
        tokens: full.burst,
        updatedAt: this.now(),
        refusedUntil: 0,
        refusedCalls: new Map(),
      };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(bucket.limit.burst, bucket.tokens + elapsed * bucket.limit.perSecond);
    bucket.updatedAt = now;
  }
}
