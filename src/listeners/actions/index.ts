import { ActionId } from '../../constants.js';
import {
  type BlockActionArgs,
  type ButtonArgs,
  isButton,
  isOverflow,
  type OverflowArgs,
} from '../args.js';
import type { ListenerDeps } from '../deps.js';
import type { ListenerRoutes } from '../routes.js';
import { agreeWithVerdict } from './agreeWithVerdict.js';
import { challengeVerdict } from './challengeVerdict.js';
import { checklistBack } from './checklistBack.js';
import { exportRecord } from './exportRecord.js';
import { homePage } from './homePage.js';
import { rerunReview } from './rerunReview.js';
import { retryDelivery } from './retryDelivery.js';
import { reviewMenu } from './reviewMenu.js';
import { runMeantCommand } from './runMeantCommand.js';
import { startCommandReview } from './startCommandReview.js';
import { startMentionReview } from './startMentionReview.js';
import { startReviewFromHome } from './startReview.js';

/** Home's paging buttons carry the list and page in their id: `${homePage}_…`. */
const HOME_PAGE_PREFIX = `${ActionId.homePage}_`;

// One of ftrag's ids on an element it never sends that way is answered, and left alone.
const onButton =
  (listener: (args: ButtonArgs) => Promise<void>) =>
  (args: BlockActionArgs): Promise<void> =>
    isButton(args) ? listener(args) : args.ack();
const onOverflow =
  (listener: (args: OverflowArgs) => Promise<void>) =>
  (args: BlockActionArgs): Promise<void> =>
    isOverflow(args) ? listener(args) : args.ack();

export function registerActions(routes: ListenerRoutes, deps: ListenerDeps): void {
  routes
    .blockAction(ActionId.startReview, onButton(startReviewFromHome()))
    .blockAction(ActionId.retryDelivery, onButton(retryDelivery(deps)))
    .blockAction(ActionId.startMentionReview, onButton(startMentionReview()))
    .blockAction(ActionId.startCommandReview, onButton(startCommandReview()))
    .blockAction(ActionId.runMeantCommand, onButton(runMeantCommand(deps)))
    .blockAction(ActionId.agree, onButton(agreeWithVerdict(deps)))
    .blockAction(ActionId.challenge, onButton(challengeVerdict(deps)))
    .blockAction(ActionId.rerun, onButton(rerunReview(deps)))
    .blockAction(ActionId.exportRecord, onButton(exportRecord(deps)))
    .blockAction(ActionId.checklistBack, onButton(checklistBack()))
    .blockAction(ActionId.reviewMenu, onOverflow(reviewMenu(deps)))
    .blockActionPrefix(HOME_PAGE_PREFIX, onButton(homePage(deps)));
}
