import { CallbackId } from '../../constants.js';
import type { ListenerRoutes } from '../routes.js';
import { reviewMessageShortcut } from './reviewMessageShortcut.js';

export function registerShortcuts(routes: ListenerRoutes): void {
  routes.messageShortcut(CallbackId.reviewMessageShortcut, reviewMessageShortcut());
}
