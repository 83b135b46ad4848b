/**
 * Tracks work that outlives the HTTP response (posting after ack), so a graceful shutdown can let
 * it finish instead of cutting a verdict off mid-delivery.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<unknown>>();

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
    return settlesWithin(Promise.allSettled([...this.running]), timeoutMs);
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
