import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import type {
  BlockActionArgs,
  CommandArgs,
  EventArgs,
  MessageShortcutArgs,
  ViewSubmitArgs,
} from './args.js';

type Listener<Args> = (args: Args) => Promise<void>;
type AnyArgs = AnyMiddlewareArgs & AllMiddlewareArgs;

/**
 * ftrag's listeners, one file each, looked up by the id Slack sends (a command's name, a
 * shortcut's or modal's callback_id, an action_id, an event type) and run from one Bolt global
 * middleware, {@link ListenerRoutes.dispatch}.
 *
 * Why not `app.view(…)`, `app.action(…)` and the rest: Bolt runs every registered listener's
 * matchers on every request, each with its own copy of the arguments. With one Bolt listener per
 * kind of request (5) that was still about 15 % of a step submission's CPU time
 * (docs/benchmarks.md). Here a request costs one map lookup, and anything no route takes goes on
 * to Bolt (`next()`), which leaves it unhandled as it would any request no listener matches.
 */
export class ListenerRoutes {
  private readonly commands = new Map<string, Listener<CommandArgs>>();
  private readonly messageShortcuts = new Map<string, Listener<MessageShortcutArgs>>();
  private readonly viewSubmissions = new Map<string, Listener<ViewSubmitArgs>>();
  private readonly blockActions = new Map<string, Listener<BlockActionArgs>>();
  private readonly blockActionPrefixes: [string, Listener<BlockActionArgs>][] = [];
  private readonly events = new Map<string, Listener<EventArgs>>();

  /** A slash command, by its name (`/ftrag`). */
  command(name: string, listener: Listener<CommandArgs>): this {
    return this.add(this.commands, name, listener);
  }

  /** A message shortcut, by callback_id. */
  messageShortcut(callbackId: string, listener: Listener<MessageShortcutArgs>): this {
    return this.add(this.messageShortcuts, callbackId, listener);
  }

  /** A modal's submission, by the view's callback_id. */
  viewSubmission(callbackId: string, listener: Listener<ViewSubmitArgs>): this {
    return this.add(this.viewSubmissions, callbackId, listener);
  }

  /** A block action, by action_id. */
  blockAction(actionId: string, listener: Listener<BlockActionArgs>): this {
    return this.add(this.blockActions, actionId, listener);
  }

  /** Block actions whose action_id starts with `prefix` (ids that carry data, as Home's pages do). */
  blockActionPrefix(prefix: string, listener: Listener<BlockActionArgs>): this {
    if (
      this.blockActionPrefixes.some(
        ([taken]) => taken.startsWith(prefix) || prefix.startsWith(taken),
      )
    )
      throw new Error(`action_id prefix ${prefix} overlaps another`);
    this.blockActionPrefixes.push([prefix, listener]);
    return this;
  }

  /** An Events API event, by its type. */
  event(type: string, listener: Listener<EventArgs>): this {
    return this.add(this.events, type, listener);
  }

  /** Bolt global middleware (`app.use`): runs the request's listener, or hands it on to Bolt. */
  readonly dispatch = async (args: AnyArgs): Promise<void> => {
    const handled = this.route(args);
    if (handled) await handled;
    else await args.next();
  };

  private route(args: AnyArgs): Promise<void> | undefined {
    if (isViewSubmission(args)) return this.viewSubmissions.get(args.view.callback_id)?.(args);
    if (isBlockAction(args)) {
      const id = args.action.action_id;
      const listener =
        this.blockActions.get(id) ??
        this.blockActionPrefixes.find(([prefix]) => id.startsWith(prefix))?.[1];
      return listener?.(args);
    }
    if ('command' in args) return this.commands.get(args.command.command)?.(args);
    if (isMessageShortcut(args))
      return this.messageShortcuts.get(args.shortcut.callback_id)?.(args);
    if ('event' in args) return this.events.get(args.event.type)?.(args);
    return undefined;
  }

  private add<Args>(
    routes: Map<string, Listener<Args>>,
    id: string,
    listener: Listener<Args>,
  ): this {
    if (routes.has(id)) throw new Error(`two listeners for ${id}`);
    routes.set(id, listener);
    return this;
  }
}

function isViewSubmission(args: AnyArgs): args is ViewSubmitArgs {
  return 'view' in args && args.body.type === 'view_submission';
}

/** A signed block_actions body may have no actions: Bolt's own matchers pass it by, and so does this. */
function isBlockAction(args: AnyArgs): args is BlockActionArgs {
  const action: unknown = 'action' in args ? args.action : undefined;
  return typeof action === 'object' && action !== null && args.body.type === 'block_actions';
}

function isMessageShortcut(args: AnyArgs): args is MessageShortcutArgs {
  return 'shortcut' in args && args.body.type === 'message_action';
}
