import type { App } from '@slack/bolt';
import { ActionId } from '../../constants.js';
import type { ListenerDeps } from '../deps.js';
import { homePage } from './homePage.js';
import { retryDelivery } from './retryDelivery.js';
import { reviewMenu } from './reviewMenu.js';
import { startReviewFromHome } from './startReview.js';

export function registerActions(app: App, deps: ListenerDeps): void {
  app.action(ActionId.startReview, startReviewFromHome());
  app.action(ActionId.retryDelivery, retryDelivery(deps));
  app.action(ActionId.reviewMenu, reviewMenu(deps));
  app.action(new RegExp(`^${ActionId.homePage}_`), homePage(deps));
}
