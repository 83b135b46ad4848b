/**
 * Tracks work that outlives the HTTP response (posting after ack), so a graceful shutdown can let
 * it finish instead of cutting a verdict off mid-delivery.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<unknown>>();
  private readonly draining = new AbortController();

  /**
   * Aborted once a drain begins (a graceful stop): work waiting out a pause before it goes on (a
   * re-check of a verdict message's tally) stops waiting, so the stop waits for the work alone.
   */
  get stopping(): AbortSignal {
    return this.draining.signal;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    const promise = task();
    this.running.add(promise);
    const forget = () => this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  get size(): number {
    return this.running.size;
  }

  /** Waits for running work, at most `timeoutMs`; returns whether everything finished. */
  drain(timeoutMs: number): Promise<boolean> {
    this.draining.abort();
    return settlesWithin(Promise.allSettled([...this.running]), timeoutMs);
  }
}

/**
 * Counts things in flight without a promise each (requests: one per request from Slack), so a
 * graceful shutdown can wait for the count to reach zero.
 */
export class InFlightCount {
  private count = 0;
  private idle: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  enter(): void {
    this.count += 1;
  }

  leave(): void {
    if (this.count === 0) return;
    this.count -= 1;
    if (this.count > 0 || this.idle.length === 0) return;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  /** Waits until nothing is in flight, at most `timeoutMs`; returns whether that happened. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return settlesWithin(new Promise<void>((resolve) => this.idle.push(resolve)), timeoutMs);
  }
}

/** Whether `promise` settles (either way) within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  const finished = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  return finished;
}

/**
 * Runs at most `max` tasks at once; the others wait their turn in arrival order. Verdict postings
 * go through one, so a burst of final submissions cannot crowd out the acknowledgements Slack
 * waits for, nor take every database connection.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error('ConcurrencyLimit needs max ≥ 1');
  }

  /** Tasks waiting for a turn. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  get active(): number {
    return this.running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running += 1;
    // A finishing task hands its turn over directly, so `running` stays counted for this one.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.handOver();
    }
  }

  private handOver(): void {
    const next = this.waiting[this.head];
    if (next === undefined) {
      this.running -= 1;
      return;
    }
    this.head += 1;
    // Drop the called part of the queue now and then, not on every turn.
    if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    next();
  }
}
