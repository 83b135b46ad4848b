import type { App } from '@slack/bolt';
import { CallbackId } from '../../constants.js';
import type { ListenerDeps } from '../deps.js';
import { challengeSubmission } from './challengeSubmission.js';
import { checklistStepSubmission } from './checklistStepSubmission.js';
import { shareReviewSubmission } from './shareReviewSubmission.js';

export function registerViews(app: App, deps: ListenerDeps): void {
  app.view(CallbackId.checklistStep, checklistStepSubmission(deps));
  app.view(CallbackId.shareReview, shareReviewSubmission(deps));
  app.view(CallbackId.challengeReason, challengeSubmission(deps));
}
