import { ConcurrencyLimit } from '../work.js';

/**
 * Verdict postings of saved reviews, a bounded number at a time: under a burst of final submissions
 * the acknowledgements Slack waits for stay fast, and postings (three Web API calls and a database
 * update each) take turns instead of taking every database connection. A review already queued or
 * being posted by this instance is not queued again ("Post again" clicked meanwhile).
 */
export class DeliveryQueue {
  private readonly limit: ConcurrencyLimit;
  private readonly underway = new Set<string>();

  constructor(concurrency: number) {
    this.limit = new ConcurrencyLimit(concurrency);
  }

  /** Reviews waiting for their turn. */
  get queued(): number {
    return this.limit.queued;
  }

  isUnderway(reviewId: string): boolean {
    return this.underway.has(reviewId);
  }

  /** Runs `post` in its turn; false, without running it, when the review is already underway. */
  async deliver(reviewId: string, post: () => Promise<unknown>): Promise<boolean> {
    if (this.underway.has(reviewId)) return false;
    this.underway.add(reviewId);
    try {
      await this.limit.run(post);
      return true;
    } finally {
      this.underway.delete(reviewId);
    }
  }
}
