import type { App, ViewSubmitAction } from '@slack/bolt';
import { CallbackId } from '../../constants.js';
import type { ViewSubmitArgs } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { idPattern } from '../routes.js';
import { challengeSubmission } from './challengeSubmission.js';
import { checklistStepSubmission } from './checklistStepSubmission.js';
import { shareReviewSubmission } from './shareReviewSubmission.js';

/** One Bolt listener for ftrag's modal submissions, routing by callback_id (see routes.ts). */
export function registerViews(app: App, deps: ListenerDeps): void {
  const submissions = new Map<string, (args: ViewSubmitArgs) => Promise<void>>([
    [CallbackId.checklistStep, checklistStepSubmission(deps)],
    [CallbackId.shareReview, shareReviewSubmission(deps)],
    [CallbackId.challengeReason, challengeSubmission(deps)],
  ]);
  app.view<ViewSubmitAction>(
    { type: 'view_submission', callback_id: idPattern(submissions.keys()) },
    async (args) => {
      await submissions.get(args.view.callback_id)?.(args);
    },
  );
}
