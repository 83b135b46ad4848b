import { ReviewNotFoundError } from './errors.js';

/** How long a save keeps trying before the error reaches the person: about half a minute. */
export const SAVE_RETRY_DELAYS_MS = [250, 1000, 3000, 8000, 15000] as const;

/**
 * Runs `operation`, trying again after each delay when it throws: a save that has nowhere else to
 * go (the modal is already closed, so the answers exist nowhere but in memory) should outlast a
 * busy connection pool or a database failover rather than lose the review. Idempotent operations
 * only (createPending is, by its submission key). A review not on record ({@link
 * ReviewNotFoundError}: purged, say) is thrown at once: no wait brings it back.
 */
export async function withRetries<T>(
  operation: () => Promise<T>,
  onRetry: (error: unknown, attempt: number) => void,
  delaysMs: readonly number[] = SAVE_RETRY_DELAYS_MS,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const delay = delaysMs[attempt];
      if (delay === undefined || error instanceof ReviewNotFoundError) throw error;
      onRetry(error, attempt + 1);
      await sleep(delay);
    }
  }
}
