import type { LogEvent } from 'kysely';
import {
  type Review,
  type ReviewRepository,
  recordsFailure,
  recordsOutcome,
} from '../storage/index.js';
import type { Metrics } from './metrics.js';

const OPERATIONS: Record<string, string> = {
  SelectQueryNode: 'select',
  InsertQueryNode: 'insert',
  UpdateQueryNode: 'update',
  DeleteQueryNode: 'delete',
  RawNode: 'raw',
};

/** Kysely's `log` hook: times each query, labelled by kind of statement (never by its text). */
export function queryObserver(metrics: Metrics): (event: LogEvent) => void {
  return (event) => {
    const operation = OPERATIONS[event.query.query.kind] ?? 'other';
    metrics.dbQueryDuration.observe({ operation }, event.queryDurationMillis / 1000);
    if (event.level === 'error') metrics.dbQueryErrors.inc({ operation });
  };
}

/**
 * The review repository, counting each finished delivery (by verdict and delivery status) as
 * deliverReview records it: observed from outside, so delivery code needs no metrics of its own.
 */
export function countingDeliveries(reviews: ReviewRepository, metrics: Metrics): ReviewRepository {
  const count = (review: Review): Review => {
    metrics.reviewsDelivered.inc({ verdict: review.decision.verdict, status: review.status });
    return review;
  };
  const markDelivered: ReviewRepository['markDelivered'] = async (teamId, id, outcome) => {
    const review = await reviews.markDelivered(teamId, id, outcome);
    // Another posting's delivery on record: counted when that posting recorded it.
    return recordsOutcome(review, outcome) ? count(review) : review;
  };
  const markFailed: ReviewRepository['markFailed'] = async (teamId, id, error, heldUntil) => {
    const review = await reviews.markFailed(teamId, id, error, heldUntil);
    // Not recorded: another posting delivered it meanwhile (and counted it then), or is posting it.
    return recordsFailure(review, error) ? count(review) : review;
  };
  return new Proxy(reviews, {
    get(target, property, receiver) {
      if (property === 'markDelivered') return markDelivered;
      if (property === 'markFailed') return markFailed;
      return Reflect.get(target, property, receiver);
    },
  });
}
