import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import { InFlightCount } from '../work.js';
import type { AppLogger } from './logger.js';
import type { Metrics } from './metrics.js';
import { requestFacts } from './requestFacts.js';
import { RequestRecord, reportRequest, takeRequestRecord } from './slackEndpoint.js';

/** A signed payload no listener could take; app.ts's processEventErrorHandler answers it 400. */
export class UnusablePayloadError extends Error {}

export interface RequestReporting {
  log: AppLogger;
  metrics: Metrics | null;
}

/**
 * Bolt's App, with one look at each request between Bolt's receiver (which has verified and parsed
 * it) and Bolt's dispatch, so the body is parsed once, by Bolt:
 *
 * - the request's kind and ids go on its {@link RequestRecord}, for its log line and metrics;
 * - over HTTP, a body that is not an object, or a payload type Bolt can't dispatch, is refused
 *   with a 400 at once; Bolt would leave it unanswered for 3 s, then answer 404;
 * - in Socket Mode there is no HTTP request to time: the handling is timed and reported here,
 *   and counted in {@link socketRequests} until its listeners are done, and in
 *   {@link unacknowledged} until its ack is sent, for a graceful stop.
 */
export class GatedApp extends App {
  /** Socket Mode envelopes whose listeners are still running (HTTP requests are the endpoint's). */
  readonly socketRequests = new InFlightCount();
  /**
   * Socket Mode envelopes still waiting for their ack: counted until it is sent, or until their
   * listeners end without one. An ack goes back over the WebSocket, so a graceful stop closes that
   * only once this is 0.
   */
  readonly unacknowledged = new InFlightCount();
  private readonly reporting: RequestReporting;

  constructor(options: AppOptions, reporting: RequestReporting) {
    super(options);
    this.reporting = reporting;
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    const facts = requestFacts(event.body);
    const record = takeRequestRecord(event);
    if (record) record.facts = facts;
    if (facts.kind === 'app_rate_limited') {
      await this.acknowledgeRateLimit(event, facts.team);
      return;
    }
    if (record) {
      if (facts.kind === 'invalid' || facts.kind === 'other') {
        record.refused =
          facts.kind === 'invalid' ? 'body is not an object' : 'unknown payload type';
        throw new UnusablePayloadError(record.refused);
      }
      // The request is done when its listeners are, work after the ack (views.open) included.
      if (!record.holdForListeners()) return super.processEvent(event);
      try {
        return await super.processEvent(event);
      } finally {
        record.settle();
      }
    }
    const socketRequest = new RequestRecord((done) =>
      reportRequest(this.reporting.log, this.reporting.metrics, done),
    );
    socketRequest.facts = facts;
    this.socketRequests.enter();
    this.unacknowledged.enter();
    let awaitingAck = true;
    const answered = (): void => {
      if (!awaitingAck) return;
      awaitingAck = false;
      this.unacknowledged.leave();
    };
    const ack: ReceiverEvent['ack'] = async (response) => {
      try {
        await event.ack(response);
      } finally {
        answered();
      }
    };
    try {
      await super.processEvent({ ...event, ack });
    } catch (error) {
      socketRequest.failure = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      answered();
      this.socketRequests.leave();
      socketRequest.settle();
    }
  }

  /**
   * Slack's notice that it is holding back this app's events for a minute (more than 30,000 an
   * hour per workspace). Bolt has no listener for it and would leave it unanswered for 3 s, then
   * answer 404; Slack expects a 200, and whoever runs the app wants to know.
   */
  private async acknowledgeRateLimit(
    event: ReceiverEvent,
    team: string | undefined,
  ): Promise<void> {
    const minute: unknown = event.body.minute_rate_limited;
    this.reporting.log.warn(
      {
        team,
        minuteRateLimited: typeof minute === 'number' ? minute : undefined,
      },
      'Slack is holding back events for this app (app_rate_limited): some events in that minute were not delivered',
    );
    await event.ack();
  }
}
