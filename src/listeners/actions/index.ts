import type { App, BlockAction } from '@slack/bolt';
import { ActionId } from '../../constants.js';
import { type BlockActionArgs, type ButtonArgs, isButton, isOverflow } from '../args.js';
import type { ListenerDeps } from '../deps.js';
import { idPattern } from '../routes.js';
import { agreeWithVerdict } from './agreeWithVerdict.js';
import { challengeVerdict } from './challengeVerdict.js';
import { exportRecord } from './exportRecord.js';
import { homePage } from './homePage.js';
import { rerunReview } from './rerunReview.js';
import { retryDelivery } from './retryDelivery.js';
import { reviewMenu } from './reviewMenu.js';
import { startMentionReview } from './startMentionReview.js';
import { startReviewFromHome } from './startReview.js';

/** Home's paging buttons carry the list and page in their id: `${homePage}_…`. */
const HOME_PAGE_PREFIX = `${ActionId.homePage}_`;

/** One Bolt listener for ftrag's buttons and menus, routing by action_id (see routes.ts). */
export function registerActions(app: App, deps: ListenerDeps): void {
  const buttons = new Map<string, (args: ButtonArgs) => Promise<void>>([
    [ActionId.startReview, startReviewFromHome()],
    [ActionId.retryDelivery, retryDelivery(deps)],
    [ActionId.startMentionReview, startMentionReview()],
    [ActionId.agree, agreeWithVerdict(deps)],
    [ActionId.challenge, challengeVerdict(deps)],
    [ActionId.rerun, rerunReview(deps)],
    [ActionId.exportRecord, exportRecord(deps)],
  ]);
  const pageButton = homePage(deps);
  const menu = reviewMenu(deps);
  app.action<BlockAction>(
    {
      type: 'block_actions',
      action_id: idPattern([...buttons.keys(), ActionId.reviewMenu], [HOME_PAGE_PREFIX]),
    },
    async (args: BlockActionArgs) => {
      const id = args.action.action_id;
      if (isButton(args)) {
        const button = id.startsWith(HOME_PAGE_PREFIX) ? pageButton : buttons.get(id);
        if (button) return button(args);
      } else if (isOverflow(args) && id === ActionId.reviewMenu) {
        return menu(args);
      }
      // One of ftrag's ids on an element it never sends that way: answered, and left alone.
      await args.ack();
    },
  );
}
