import type { App } from '@slack/bolt';
import { CallbackId } from '../../constants.js';
import { reviewMessageShortcut } from './reviewMessageShortcut.js';

export function registerShortcuts(app: App): void {
  app.shortcut(
    { type: 'message_action', callback_id: CallbackId.reviewMessageShortcut },
    reviewMessageShortcut(),
  );
}
