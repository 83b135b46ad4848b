import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics, served at GET /metrics. Each app gets its own registry (no global state), so
 * tests can build several apps in one process.
 *
 * Label values are always from small fixed sets (request kinds, Web API method names, Slack error
 * names, delivery statuses, verdicts, query kinds): never ids or text.
 */

// Seconds: Slack gives 3 s for an ack, so the interesting range is 1 ms … 3 s, plus a tail.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1,
];

/** What the ftrag_in_flight gauge reads when scraped. */
export interface InFlight {
  requests: number;
  /** Work after an ack still running, postings waiting for their turn included. */
  deliveries: number;
  queuedDeliveries: number;
}

export interface SocketModeMetrics {
  connected: Gauge;
  reconnects: Counter;
}

export class Metrics {
  readonly registry = new Registry();

  /** Slack requests at POST /slack/events, by payload kind and HTTP status. */
  readonly requests = new Counter({
    name: 'ftrag_requests_total',
    help: 'Requests from Slack, by payload kind and HTTP status answered',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });

  /** Time until the HTTP answer (the ack) was sent: what Slack's 3-second limit measures. */
  readonly ackDuration = new Histogram({
    name: 'ftrag_request_ack_seconds',
    help: 'Time from a request arriving to its HTTP answer (the ack) being sent',
    labelNames: ['kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /** Time until every listener finished, including work after the ack (views.open, posting). */
  readonly handlingDuration = new Histogram({
    name: 'ftrag_request_handling_seconds',
    help: 'Time from a request arriving to its listeners finishing (includes work after the ack)',
    labelNames: ['kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly reviewsDelivered = new Counter({
    name: 'ftrag_reviews_delivered_total',
    help: 'Reviews whose delivery finished, by verdict and delivery status (failed = not delivered)',
    labelNames: ['verdict', 'status'] as const,
    registers: [this.registry],
  });

  readonly slackApiCalls = new Counter({
    name: 'ftrag_slack_api_calls_total',
    help: 'HTTP calls to Slack (Web API methods, and response_url posts made by Bolt), by result',
    labelNames: ['method', 'result'] as const,
    registers: [this.registry],
  });

  readonly slackApiErrors = new Counter({
    name: 'ftrag_slack_api_errors_total',
    help: 'Web API calls answered ok:false, by method and Slack error name',
    labelNames: ['method', 'error'] as const,
    registers: [this.registry],
  });

  readonly slackApiDuration = new Histogram({
    name: 'ftrag_slack_api_call_seconds',
    help: 'Duration of one HTTP call to Slack (each retry counts on its own)',
    labelNames: ['method'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly dbQueryDuration = new Histogram({
    name: 'ftrag_db_query_seconds',
    help: 'Database query duration, by kind of statement',
    labelNames: ['operation'] as const,
    buckets: QUERY_BUCKETS,
    registers: [this.registry],
  });

  readonly dbQueryErrors = new Counter({
    name: 'ftrag_db_query_errors_total',
    help: 'Database queries that failed, by kind of statement',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly unhandledRejections = new Counter({
    name: 'ftrag_unhandled_rejections_total',
    help: 'Promise rejections nothing handled (logged; the process keeps running)',
    registers: [this.registry],
  });

  private inFlightSource: (() => InFlight) | null = null;

  readonly inFlight = new Gauge({
    name: 'ftrag_in_flight',
    help: 'Slack requests being handled; work still running after its ack (deliveries); verdict postings waiting for their turn (queued_deliveries)',
    labelNames: ['what'] as const,
    registers: [this.registry],
    collect: () => {
      const now = this.inFlightSource?.();
      if (!now) return;
      this.inFlight.set({ what: 'requests' }, now.requests);
      this.inFlight.set({ what: 'deliveries' }, now.deliveries);
      this.inFlight.set({ what: 'queued_deliveries' }, now.queuedDeliveries);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private socketMode: SocketModeMetrics | null = null;

  /**
   * The Socket Mode connection's metrics, registered on first use: an HTTP-mode instance has no
   * connection, and a gauge reading 0 there would look like one that is down.
   */
  socketModeMetrics(): SocketModeMetrics {
    this.socketMode ??= {
      connected: new Gauge({
        name: 'ftrag_socket_mode_connected',
        help: 'Socket Mode: 1 while the WebSocket connection to Slack is open, 0 while it is not',
        registers: [this.registry],
      }),
      reconnects: new Counter({
        name: 'ftrag_socket_mode_reconnects_total',
        help: 'Socket Mode: reconnections after a connection was refreshed by Slack or lost',
        registers: [this.registry],
      }),
    };
    return this.socketMode;
  }

  /** Where the in-flight gauge reads its numbers (the app, once built). */
  trackInFlight(source: () => InFlight): void {
    this.inFlightSource = source;
  }

  /** A custom route handler for GET /metrics. */
  route(): (req: IncomingMessage, res: ServerResponse) => void {
    return (_req, res) => {
      this.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    };
  }
}

/** Bounds a label value to a safe, small vocabulary: Slack's error names are snake_case words. */
export function errorLabel(name: string): string {
  return /^[a-z][a-z0-9_]{0,63}$/.test(name) ? name : 'other';
}
