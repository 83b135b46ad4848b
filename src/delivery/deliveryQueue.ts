import { ConcurrencyLimit } from '../work.js';

/**
 * Verdict postings of saved reviews, a bounded number at a time: under a burst of final submissions
 * the acknowledgements Slack waits for stay fast, and postings (three Web API calls and a database
 * update each) take turns instead of taking every database connection. A review already queued or
 * being posted by this instance is not queued again ("Post again" clicked meanwhile). Once
 * {@link DeliveryQueue.stopStarting} is called (a graceful stop), no posting starts any more.
 */
export class DeliveryQueue {
  private readonly limit: ConcurrencyLimit;
  private readonly underway = new Set<string>();
  private stopped = false;

  constructor(concurrency: number) {
    this.limit = new ConcurrencyLimit(concurrency);
  }

  /** Reviews waiting for their turn. */
  get queued(): number {
    return this.limit.queued;
  }

  /** Whether {@link DeliveryQueue.stopStarting} was called. */
  get stopping(): boolean {
    return this.stopped;
  }

  isUnderway(reviewId: string): boolean {
    return this.underway.has(reviewId);
  }

  /**
   * From now on no posting starts: those waiting for their turn, and those queued later, are let go
   * without running (their reviews stay as they are, to be posted from App Home or by another
   * instance); postings already running go on.
   */
  stopStarting(): void {
    this.stopped = true;
  }

  /**
   * Runs `post` in its turn; false, without running it, when the review is already underway, or
   * when the queue stopped starting postings before its turn came.
   */
  async deliver(reviewId: string, post: () => Promise<unknown>): Promise<boolean> {
    if (this.stopped || this.underway.has(reviewId)) return false;
    this.underway.add(reviewId);
    try {
      return await this.limit.run(async () => {
        if (this.stopped) return false;
        await post();
        return true;
      });
    } finally {
      this.underway.delete(reviewId);
    }
  }
}
