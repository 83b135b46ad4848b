import type { App } from '@slack/bolt';
import { ActionId } from '../../constants.js';
import type { ListenerDeps } from '../deps.js';
import { agreeWithVerdict } from './agreeWithVerdict.js';
import { challengeVerdict } from './challengeVerdict.js';
import { exportRecord } from './exportRecord.js';
import { homePage } from './homePage.js';
import { rerunReview } from './rerunReview.js';
import { retryDelivery } from './retryDelivery.js';
import { reviewMenu } from './reviewMenu.js';
import { startMentionReview } from './startMentionReview.js';
import { startReviewFromHome } from './startReview.js';

export function registerActions(app: App, deps: ListenerDeps): void {
  app.action(ActionId.startReview, startReviewFromHome());
  app.action(ActionId.retryDelivery, retryDelivery(deps));
  app.action(ActionId.reviewMenu, reviewMenu(deps));
  app.action(new RegExp(`^${ActionId.homePage}_`), homePage(deps));
  app.action(ActionId.startMentionReview, startMentionReview());
  app.action(ActionId.agree, agreeWithVerdict(deps));
  app.action(ActionId.challenge, challengeVerdict(deps));
  app.action(ActionId.rerun, rerunReview(deps));
  app.action(ActionId.exportRecord, exportRecord(deps));
}
