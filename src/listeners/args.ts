import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  MessageShortcut,
  OverflowAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';

/** What Bolt hands a listener for a slash command. */
export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
/** … for a message shortcut. */
export type MessageShortcutArgs = SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs;

/** What Bolt hands a listener for any block action. */
export type BlockActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
/** … for a button click. */
export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
/** … for a choice in an overflow menu. */
export type OverflowArgs = SlackActionMiddlewareArgs<BlockAction<OverflowAction>> &
  AllMiddlewareArgs;
/** … for a modal's submit button. */
export type ViewSubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
/** … for an Events API event of type `T`. */
export type EventArgs<T extends string = string> = SlackEventMiddlewareArgs<T> & AllMiddlewareArgs;

export function isButton(args: BlockActionArgs): args is ButtonArgs {
  return args.action.type === 'button';
}

export function isOverflow(args: BlockActionArgs): args is OverflowArgs {
  return args.action.type === 'overflow';
}

export function isHomeOpened(args: EventArgs): args is EventArgs<'app_home_opened'> {
  return args.event.type === 'app_home_opened';
}

export function isAppMention(args: EventArgs): args is EventArgs<'app_mention'> {
  return args.event.type === 'app_mention';
}

export function isAppUninstalled(args: EventArgs): args is EventArgs<'app_uninstalled'> {
  return args.event.type === 'app_uninstalled';
}

export function isTokensRevoked(args: EventArgs): args is EventArgs<'tokens_revoked'> {
  return args.event.type === 'tokens_revoked';
}
