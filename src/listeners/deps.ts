import type { DeliveryClients } from '../delivery/deliveryClients.js';
import type { DeliveryQueue } from '../delivery/deliveryQueue.js';
import type { KyselyInstallationStore } from '../storage/installationStore.js';
import type { ReviewRepository } from '../storage/repository.js';
import type { VoteRepository } from '../storage/votes.js';
import type { BackgroundWork } from '../work.js';

/** What listeners need from the outside world, passed in rather than imported. */
export interface ListenerDeps {
  reviews: ReviewRepository;
  votes: VoteRepository;
  /** Present in multi-workspace (OAuth) mode only. */
  installations: KyselyInstallationStore | null;
  clock: () => Date;
  isTrustedResponseUrl: (url: string) => boolean;
  /** Work that continues after ack(); shutdown waits for it. */
  work: BackgroundWork;
  /** Verdict postings (after the review is saved) take turns through this. */
  deliveries: DeliveryQueue;
  /**
   * The WebClients verdicts are posted with, one per workspace token, and whatever else a listener
   * posts or updates after its ack: not the `client` Bolt hands a listener, which a posting waiting
   * out a 429 would hold up for everyone (views.open's trigger id among them).
   */
  deliveryClients: DeliveryClients;
  /**
   * Waits between a posting's attempts of a database call it can't go on without (deliverReview's
   * default if unset).
   */
  recordRetryDelaysMs?: readonly number[];
  /** Calls `tick` every `ms` until the returned stop is called: setInterval unless a test ticks. */
  interval?: (ms: number, tick: () => void) => () => void;
}
