import { startChecklist } from '../../checklist/state.js';
import { PROBLEM_MAX_CHARS } from '../../decision/answers.js';
import { buildChecklistStepView } from '../../views/checklistModal.js';
import { cutCleanly, plainTextFromSlack } from '../../views/text.js';
import type { MessageShortcutArgs } from '../args.js';

/**
 * The message shortcut (MESSAGE_SHORTCUT_NAME) on any message: the message, as a reader saw it,
 * pre-fills "What goes wrong today?" and the verdict is posted in that message's thread.
 */
export function reviewMessageShortcut() {
  return async ({ ack, shortcut, client }: MessageShortcutArgs): Promise<void> => {
    await ack();
    const problem = cutCleanly(plainTextFromSlack(shortcut.message.text ?? ''), PROBLEM_MAX_CHARS);
    const state = startChecklist({
      origin: 'shortcut',
      channelId: shortcut.channel.id,
      threadTs: shortcut.message.thread_ts ?? shortcut.message.ts,
      responseUrl: shortcut.response_url,
      draft: problem ? { problem } : {},
    });
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: buildChecklistStepView(state),
    });
  };
}
