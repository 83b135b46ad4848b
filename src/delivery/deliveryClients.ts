import type { Context } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';

/**
 * Clients kept at most. OAuth has one token per workspace, so this is the number of workspaces
 * posting at about the same time that each keep a client of their own; past it the least recently
 * used is let go (a posting still using it finishes with it).
 */
const MAX_DELIVERY_CLIENTS = 1_000;

/**
 * The WebClients verdicts are posted with, and whatever else listeners post or update after their
 * ack (a tally, a challenge's reason, an edit's notes, a shared card, an exported record, an
 * out-of-date copy, the answer to an @-mention, the DMs telling of their failures): one per
 * workspace token, made with Bolt's client options and kept, but apart from the client Bolt hands
 * that workspace's listeners, which keeps the calls that must be prompt (views.open, views.update,
 * Home's views.publish). A WebClient answered 429 holds back every call it has queued or is given
 * until Retry-After has passed (@slack/web-api pauses its whole request queue): on Bolt's client a
 * verdict waiting out a rate limit would hold up /ftrag's views.open past its trigger id's 3 s, and
 * every other listener's calls with it. On a client of their own, postings wait for each other only
 * (Slack's limits on chat.postMessage are the workspace's all the same). A second cache of this
 * class keeps the delivery sweep's Home clients with OAuth, apart from these (see app.ts).
 */
export class DeliveryClients {
  /** In order of last use, least recent first. */
  private readonly clients = new Map<string, WebClient>();

  constructor(
    private readonly options: WebClientOptions,
    private readonly max = MAX_DELIVERY_CLIENTS,
  ) {}

  /**
   * The client for `token`, made on first use. `teamId` goes with every call, as Bolt's clients
   * send the team id of the request they serve (an org-wide token acts for many workspaces).
   */
  for(token: string, teamId?: string): WebClient {
    const key = `${teamId ?? ''}:${token}`;
    const kept = this.clients.get(key);
    if (kept) {
      this.clients.delete(key);
      this.clients.set(key, kept);
      return kept;
    }
    const client = new WebClient(token, {
      ...this.options,
      ...(teamId === undefined ? {} : { teamId }),
    });
    this.clients.set(key, client);
    if (this.clients.size > this.max) {
      const [oldest] = this.clients.keys();
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return client;
  }

  /**
   * A listener's: the client for the bot token Bolt's authorize found for its request (the one
   * Bolt's own `client` has); that `client` itself when there is none.
   */
  of({ context, client }: { context: Context; client: WebClient }): WebClient {
    return context.botToken ? this.for(context.botToken, context.teamId) : client;
  }
}
