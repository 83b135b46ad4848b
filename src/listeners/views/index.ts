import { CallbackId } from '../../constants.js';
import type { ListenerDeps } from '../deps.js';
import type { ListenerRoutes } from '../routes.js';
import { challengeSubmission } from './challengeSubmission.js';
import { checklistStepSubmission } from './checklistStepSubmission.js';
import { shareReviewSubmission } from './shareReviewSubmission.js';

export function registerViews(routes: ListenerRoutes, deps: ListenerDeps): void {
  routes
    .viewSubmission(CallbackId.checklistStep, checklistStepSubmission(deps))
    .viewSubmission(CallbackId.shareReview, shareReviewSubmission(deps))
    .viewSubmission(CallbackId.challengeReason, challengeSubmission(deps));
}
