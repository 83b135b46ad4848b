import { type IncomingMessage, Server, type ServerResponse } from 'node:http';
import {
  type App,
  AuthorizationError,
  type CustomRoute,
  HTTPModuleFunctions,
  HTTPReceiver,
  LogLevel,
  type ReceiverProcessEventErrorHandlerArgs,
  SocketModeReceiver,
} from '@slack/bolt';
import { ErrorCode } from '@slack/web-api';
import type { Config } from './config.js';
import { BOT_SCOPES } from './constants.js';
import { DeliveryClients } from './delivery/deliveryClients.js';
import { DeliveryQueue } from './delivery/deliveryQueue.js';
import { responseUrlTrust } from './delivery/responseUrl.js';
import { REFUSED_TOKEN_ERRORS, slackErrorName } from './delivery/slackErrors.js';
import { createErrorHandler, UnauthorizedSubmissionError } from './errorHandler.js';
import { INSTALL_LINK_MINUTES, installFailureCallback } from './installFailure.js';
import { type SweepClients, startDeliverySweep } from './listeners/deliverySweep.js';
import type { ListenerDeps } from './listeners/deps.js';
import { registerListeners } from './listeners/index.js';
import { GatedApp, UnusablePayloadError } from './observability/gatedApp.js';
import { type AppLogger, BoltLogger, createLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { answer, pathOf, SlackEndpoint } from './observability/slackEndpoint.js';
import {
  instrumentedFetch,
  keepAliveFetch,
  SLACK_RETRY_CONFIG,
} from './observability/slackFetch.js';
import {
  reportSocketConnection,
  type SocketConnectionState,
} from './observability/socketConnection.js';
import { countingDeliveries } from './observability/storageMetrics.js';
import { InstallationNotFoundError } from './storage/errors.js';
import type { Storage } from './storage/index.js';
import type { KyselyInstallationStore } from './storage/installationStore.js';
import type { Review } from './storage/repository.js';
import { BackgroundWork, settlesWithin } from './work.js';

export interface AppDeps {
  storage: Storage;
  clock: () => Date;
  /** Defaults to JSON lines on stdout at the configured level. */
  logger?: AppLogger;
  /** Defaults to a new registry when metrics are enabled; null turns them off. */
  metrics?: Metrics | null;
}

export interface StopResult {
  /** Whether every request in flight and every delivery finished within the timeout. */
  finished: boolean;
  requests: number;
  deliveries: number;
}

export interface FtragApp {
  app: App;
  work: BackgroundWork;
  logger: AppLogger;
  metrics: Metrics | null;
  /**
   * Checks the bot token with Slack, then listens on `port` (HTTP mode) or connects (Socket Mode,
   * serving /healthz and /metrics on `port` meanwhile). Rejects if `stop()` is called first.
   */
  start(port: number): Promise<void>;
  /**
   * The start of a shutdown that keeps serving for a while: /healthz answers 503 and each answer
   * closes its connection, so a load balancer takes the instance out before it stops listening.
   */
  startDraining(): void;
  /**
   * Graceful stop: stops accepting connections (HTTP), or closes the WebSocket once every envelope
   * received has its ack (Socket Mode), lets requests in flight and the deliveries already running
   * finish (waiting at most `timeoutMs` in all; queued deliveries no longer start, and stay pending),
   * then closes what is left. Called during `start()`, it ends the start where it is: the Socket
   * Mode client stops connecting and the HTTP server closes. The database is the caller's to close.
   */
  stop(timeoutMs: number): Promise<StopResult>;
}

const EVENTS_PATH = '/slack/events';
/** Bolt's default, set explicitly: the error handler names it to people whose workspace lost ftrag. */
const INSTALL_PATH = '/slack/install';
// Bolt sets its logger to this level (INFO when not given), so it must match the config.
const LOG_LEVELS: Record<Config['logLevel'], LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};
const SLACK_API_URL = 'https://slack.com/api/';
/** Longer than load balancers keep idle connections to their backends by default (AWS: 60 s). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/**
 * Verdict postings at once, per instance. Below node-postgres' pool of 10 connections, so saves,
 * App Home and votes still find one while a burst of verdicts is being posted.
 */
const DELIVERY_CONCURRENCY = 8;

/**
 * Listener errors reach app.error; what arrives here is Bolt failing on a signed payload's shape
 * (say, a view_submission without a view) before any listener ran: the sender's mistake, so a 400
 * rather than Bolt's default 500. Authorization failures keep Bolt's 401, except a view_submission
 * the error handler has an answer for: an error shown in the modal, which stays open.
 */
async function answerUnprocessablePayload(
  args: ReceiverProcessEventErrorHandlerArgs,
): Promise<boolean> {
  const { error, response, logger } = args;
  if (!response.headersSent && error instanceof UnauthorizedSubmissionError) {
    if (error.answer === null) {
      // No input block to show it under: any answer but a 200 keeps the modal open.
      response.writeHead(401);
      response.end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(error.answer));
    }
    return true;
  }
  if (response.headersSent || error instanceof AuthorizationError) {
    return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  }
  if (error instanceof UnusablePayloadError) {
    // Its request's log line says why (`refused`).
    response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(error.message);
    return true;
  }
  logger.warn(`payload not understood: ${error.message}`);
  response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
  response.end('payload not understood');
  return true;
}

/**
 * With a bot token, Bolt checks it with auth.test and keeps the answer, a failure included: built
 * the usual way, an instance that started during a Slack outage (or with a revoked token) would
 * refuse every request while its health check said ok. So the app is built with
 * `deferInitialization` and the check runs here, before listening: a failure (after the client's
 * bounded retries) stops the start with a line that says what went wrong. With OAuth there is no
 * token to check; each workspace's comes from its installation.
 */
async function initialize(app: App, apiUrl: string): Promise<void> {
  try {
    await app.init();
  } catch (error) {
    const name = slackErrorName(error);
    if (TOKEN_REFUSALS.has(name)) {
      throw new Error(
        `Slack refused SLACK_BOT_TOKEN (${name}): use the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page`,
      );
    }
    throw new Error(
      `could not check SLACK_BOT_TOKEN with Slack at ${withoutCredentials(apiUrl)} (auth.test: ${whyUnanswered(error)}); is Slack's Web API reachable from here?`,
      { cause: error },
    );
  }
}

/** What kept a Web API call from an answer: the network's error, the HTTP status or Slack's error. */
function whyUnanswered(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code: unknown = Reflect.get(error, 'code');
  if (code === ErrorCode.PlatformError) return slackErrorName(error);
  if (code === ErrorCode.HTTPError) return `HTTP ${String(Reflect.get(error, 'statusCode'))}`;
  const original: unknown = code === ErrorCode.RequestError ? Reflect.get(error, 'original') : null;
  const cause = original instanceof Error ? original : error;
  // Node's network errors name their code in the message (connect ECONNREFUSED …); TLS ones don't.
  const causeCode: unknown = Reflect.get(cause, 'code');
  return typeof causeCode === 'string' && !cause.message.includes(causeCode)
    ? `${cause.message} (${causeCode})`
    : cause.message;
}

/** A URL fit for a log line: SLACK_API_URL may carry a user and password (sent as Basic auth). */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/**
 * In Socket Mode, starting asks Slack for a connection with the app token (apps.connections.open);
 * the client gives up at once on a refused token, network error or HTTP error, and its error
 * names neither the call nor the setting.
 */
function explainConnectionFailure(error: unknown, apiUrl: string): unknown {
  const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : null;
  if (!WEB_API_FAILURES.has(code) || !(error instanceof Error)) return error;
  const name = code === ErrorCode.PlatformError ? slackErrorName(error) : null;
  if (name !== null && TOKEN_REFUSALS.has(name)) {
    return new Error(
      `Slack refused SLACK_APP_TOKEN (${name}): use an app-level token (xapp-…) with the connections:write scope from your app's Basic Information → App-Level Tokens`,
      { cause: error },
    );
  }
  return new Error(
    `could not open a Socket Mode connection with SLACK_APP_TOKEN at ${withoutCredentials(apiUrl)} (apps.connections.open: ${whyUnanswered(error)}); is Slack's Web API reachable from here?`,
    { cause: error },
  );
}

/** A Web API call's own failures (Slack's answer, HTTP, network), not the WebSocket's after it. */
const WEB_API_FAILURES: ReadonlySet<unknown> = new Set([
  ErrorCode.PlatformError,
  ErrorCode.RequestError,
  ErrorCode.HTTPError,
  ErrorCode.RateLimitedError,
]);

/**
 * Bolt's Socket Mode receiver listens on PORT for its custom routes without an error listener, so
 * a port in use would end the process with a bare stack trace. This turns that error into a failed
 * start that says which setting to change; an error once it listens is logged.
 */
function watchListening(server: unknown, port: number, logger: AppLogger): Promise<void> | null {
  if (!(server instanceof Server)) return null;
  let listening = false;
  const started = new Promise<void>((resolve, reject) => {
    server.once('listening', () => {
      listening = true;
      resolve();
    });
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (listening) {
        logger.error({ err: error }, 'the HTTP server for /healthz and /metrics failed');
        return;
      }
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `PORT ${port} is in use; Socket Mode serves /healthz and /metrics there: set PORT to a free port`
            : `could not listen on PORT ${port}: ${error.message}`,
        ),
      );
    });
  });
  // Awaited at start; until then a rejection is not unhandled.
  started.catch(() => undefined);
  return started;
}

/**
 * Bolt's Socket Mode receiver serves /healthz and /metrics from an async request listener that
 * throws on a path it can't parse (`//`): the request would hang, its rejection unhandled. A path
 * like that is answered 404 here; any other failure of that listener 500, and logged.
 */
export function guardSocketModeServer(server: unknown, logger: AppLogger): void {
  if (!(server instanceof Server)) return;
  const served = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (pathOf(req.url) === null) {
      answer(res, 404, 'not found');
      return;
    }
    for (const listener of served) {
      // A listener that throws at once is caught as one that rejects.
      Promise.resolve()
        .then(() => listener.call(server, req, res))
        .catch((error: unknown) => {
          logger.warn(
            { err: error },
            'the HTTP server for /healthz and /metrics failed on a request',
          );
          answer(res, 500, 'internal error');
        });
    }
  });
}

/** auth.test's answers for a token that will never work, however often it is retried. */
const TOKEN_REFUSALS: ReadonlySet<string> = new Set([
  ...REFUSED_TOKEN_ERRORS,
  'no_permission',
  'missing_scope',
]);

/**
 * Where /slack/install sends the browser: Slack's consent page on the host whose Web API is
 * configured (GovSlack's is https://slack-gov.com/api/); undefined keeps Bolt's slack.com default.
 */
function authorizationUrlFor(apiUrl: string | null): string | undefined {
  const origin = new URL(apiUrl ?? SLACK_API_URL).origin;
  return origin === new URL(SLACK_API_URL).origin ? undefined : `${origin}/oauth/v2/authorize`;
}

/**
 * Multi-workspace OAuth: the delivery client and the App Home client for the bot token of the
 * review's workspace, found as Bolt's authorize finds it (the workspace's own installation, else
 * its organization's); null when there is none to post with (the sweep marks the review failed and
 * logs it).
 */
function installationClients(
  installations: KyselyInstallationStore,
  deliveryClients: DeliveryClients,
  homeClients: DeliveryClients,
): (review: Review) => Promise<SweepClients | null> {
  return async (review) => {
    const { teamId } = review;
    const enterpriseId = review.enterpriseId ?? undefined;
    const queries = [
      { teamId, enterpriseId, isEnterpriseInstall: false },
      ...(enterpriseId ? [{ teamId, enterpriseId, isEnterpriseInstall: true }] : []),
    ];
    for (const query of queries) {
      const token = await installations.fetchInstallation(query).then(
        (installation) => installation.bot?.token ?? null,
        (error: unknown) => {
          // Not installed; any other error (the database's) is the sweep's to retry.
          if (error instanceof InstallationNotFoundError) return null;
          throw error;
        },
      );
      if (token) {
        return {
          delivery: deliveryClients.for(token, teamId),
          home: homeClients.for(token, teamId),
        };
      }
    }
    return null;
  };
}

/** Builds the Bolt app and registers every listener. Starting it is index.ts's job. */
export function createApp(config: Config, deps: AppDeps): FtragApp {
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const boltLogger = new BoltLogger(logger);
  const metrics =
    deps.metrics !== undefined ? deps.metrics : config.metricsEnabled ? new Metrics() : null;
  // A call with no answer for this long fails, then is retried like a 5xx unless repeating it could
  // post a message twice (see SLACK_RETRY_CONFIG).
  const transport = keepAliveFetch(config.slackCallTimeoutMs);
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: SLACK_RETRY_CONFIG,
    fetch: metrics
      ? instrumentedFetch(metrics, config.slack.apiUrl ?? SLACK_API_URL, transport)
      : transport,
  };

  let draining = false;
  /** Socket Mode only: an instance without its WebSocket to Slack gets nothing to serve. */
  let socketConnection: SocketConnectionState | null = null;
  const customRoutes: CustomRoute[] = [
    {
      path: '/healthz',
      // Load balancers' health checks often use HEAD; Node leaves the body out of its answer.
      method: ['GET', 'HEAD'],
      handler: (_req, res) => {
        // While shutting down, a load balancer's health check sees the instance going away.
        const unavailable = draining
          ? 'shutting down'
          : socketConnection?.connected === false
            ? 'not connected to Slack (Socket Mode)'
            : null;
        res.writeHead(unavailable ? 503 : 200, { 'content-type': 'text/plain' });
        res.end(unavailable ?? 'ok');
      },
    },
    ...(metrics ? [{ path: '/metrics', method: ['GET'], handler: metrics.route() }] : []),
  ];

  let endpoint: SlackEndpoint | null = null;
  /** Socket Mode's own HTTP server (/healthz, /metrics): whether it got its port. */
  let socketModeHealth: Promise<void> | null = null;
  let app: GatedApp;
  const reporting = { log: logger, metrics };
  // Checklist state travels in private_metadata, so Bolt's in-memory conversation store (one
  // process's memory, a lookup on every request) has nothing to keep.
  const convoStore = false;
  if (config.mode === 'socket') {
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken ?? '',
      logger: boltLogger,
      logLevel: LOG_LEVELS[config.logLevel],
      installerOptions: {
        // The receiver's HTTP server (/healthz, /metrics) takes its port from here only.
        port: config.port,
        // apps.connections.open goes to the same Web API as every other call.
        clientOptions,
      },
      customRoutes,
    });
    socketConnection = reportSocketConnection(receiver.client, logger, metrics);
    // The client logs each failed or lost WebSocket as two errors that say nothing (undici's error
    // event has an empty message); reportSocketConnection says it once, with the cause, at warn
    // (the client tries again), and not at all for a connection a stop cuts short.
    boltLogger.demoteErrors(/^WebSocket error/);
    const healthServer: unknown = Reflect.get(receiver, 'httpServer');
    guardSocketModeServer(healthServer, logger);
    socketModeHealth = watchListening(healthServer, config.port, logger);
    app = new GatedApp(
      {
        token: config.slack.botToken ?? undefined,
        deferInitialization: true,
        socketMode: true,
        receiver,
        logger: boltLogger,
        logLevel: LOG_LEVELS[config.logLevel],
        clientOptions,
        extendedErrorHandler: true,
        convoStore,
      },
      reporting,
    );
  } else {
    const signingSecret = config.slack.signingSecret ?? '';
    // The receiver's own: the OAuth installer logs through it, and its bare error for a failed
    // install is said by the failure page instead (see installFailureCallback).
    const receiverLogger = new BoltLogger(logger);
    if (config.slack.oauth) receiverLogger.demoteBareErrors();
    endpoint = new SlackEndpoint({ signingSecret, path: EVENTS_PATH, log: logger, metrics });
    const receiver = new HTTPReceiver({
      signingSecret,
      endpoints: EVENTS_PATH,
      // The endpoint's guard verifies every request with Bolt's verifier (see SlackEndpoint).
      signatureVerification: false,
      customRoutes,
      logger: receiverLogger,
      processEventErrorHandler: answerUnprocessablePayload,
      customPropertiesExtractor: endpoint.customProperties,
      ...(config.slack.oauth
        ? {
            clientId: config.slack.oauth.clientId,
            clientSecret: config.slack.oauth.clientSecret,
            stateSecret: config.slack.oauth.stateSecret,
            scopes: [...BOT_SCOPES],
            installationStore: deps.storage.installations,
            installerOptions: {
              installPath: INSTALL_PATH,
              directInstall: true,
              authorizationUrl: authorizationUrlFor(config.slack.apiUrl),
              // Bolt's default, which the failure page states.
              stateCookieExpirationSeconds: INSTALL_LINK_MINUTES * 60,
              callbackOptions: { failure: installFailureCallback(receiverLogger, INSTALL_PATH) },
              // oauth.v2.access goes to the same Web API as every other call, with the same
              // bounded retries: the installer's own default retries for half an hour, while
              // the person who clicked "Allow" waits for the page.
              clientOptions: {
                ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
                retryConfig: clientOptions.retryConfig,
                fetch: clientOptions.fetch,
              },
            },
          }
        : {}),
    });
    app = new GatedApp(
      {
        ...(config.slack.oauth ? {} : { token: config.slack.botToken ?? undefined }),
        deferInitialization: true,
        logger: boltLogger,
        logLevel: LOG_LEVELS[config.logLevel],
        clientOptions,
        extendedErrorHandler: true,
        receiver,
        convoStore,
      },
      reporting,
    );
    endpoint.install(receiver);
  }

  const work = new BackgroundWork();
  const deliveries = new DeliveryQueue(DELIVERY_CONCURRENCY);
  const requests = endpoint ? endpoint.inFlight : app.socketRequests;
  metrics?.trackInFlight(() => ({
    requests: requests.size,
    deliveries: work.size,
    queuedDeliveries: deliveries.queued,
  }));
  const isTrustedResponseUrl = responseUrlTrust(config.slack.apiUrl);
  const listenerDeps: ListenerDeps = {
    reviews: metrics ? countingDeliveries(deps.storage.reviews, metrics) : deps.storage.reviews,
    votes: deps.storage.votes,
    installations: config.slack.oauth ? deps.storage.installations : null,
    clock: deps.clock,
    isTrustedResponseUrl,
    work,
    deliveries,
    deliveryClients: new DeliveryClients({ ...clientOptions, logger: boltLogger }),
  };
  registerListeners(app, listenerDeps);
  /** Stops the delivery sweep, once started. */
  let stopSweep: (() => void) | null = null;
  const startSweep = (): void => {
    const { intervalMs, graceMs } = config.deliverySweep;
    if (intervalMs === 0 || stopSweep !== null) return;
    const { deliveryClients } = listenerDeps;
    // Without OAuth, config requires SLACK_BOT_TOKEN.
    const botToken = config.slack.botToken ?? '';
    // Home's views.publish goes on a client apart from the delivery ones, as in listeners (Bolt's
    // own): a 429 on it would hold back every posting in the workspace. With OAuth, Bolt's
    // per-workspace clients are its own; the sweep keeps clients of its own for Home.
    const clientFor = config.slack.oauth
      ? installationClients(
          deps.storage.installations,
          deliveryClients,
          new DeliveryClients({ ...clientOptions, logger: boltLogger }),
        )
      : async (review: Review): Promise<SweepClients> => ({
          delivery: deliveryClients.for(botToken, review.teamId),
          home: app.client,
        });
    stopSweep = startDeliverySweep(listenerDeps, {
      intervalMs,
      graceMs,
      clientFor,
      logger: boltLogger,
      log: logger,
    });
  };
  // Bolt's own line for a request it could not authorize has no ids; the error handler logs one
  // that has them.
  boltLogger.demoteWarnings(/^Authorization of incoming event did not succeed/);
  app.error(
    createErrorHandler(app.client, isTrustedResponseUrl, {
      // There is no setting for the app's public address: the path is what ftrag knows.
      installPage: `the app's install page (${INSTALL_PATH} on the app's host)`,
    }),
  );

  let server: Server | null = null;
  /** app.start() was called: from then on the receiver has a server or a client to close. */
  let receiverStarted = false;
  let stopRequested = false;
  const startDraining = (): void => {
    draining = true;
    endpoint?.startDraining();
  };
  return {
    app,
    work,
    logger,
    metrics,
    async start(port) {
      const apiUrl = config.slack.apiUrl ?? SLACK_API_URL;
      await initialize(app, apiUrl);
      if (stopRequested) throw new Error('stopped before it had started');
      receiverStarted = true;
      // A taken port is reported at once, not after the Socket Mode connection is made.
      const connecting =
        config.mode === 'socket'
          ? app.start(port).catch((error: unknown) => {
              throw explainConnectionFailure(error, apiUrl);
            })
          : app.start(port);
      const [listening] = await Promise.all([connecting, socketModeHealth]);
      if (listening instanceof Server) {
        server = listening;
        // Node closes an idle kept-alive connection after 5 s; a load balancer that reuses it
        // for longer (AWS's keep idle ones 60 s) would now and then send a request into the close
        // and answer it 502. Outlast the balancer instead.
        server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
        server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
      }
      // Listening (or connected): pending reviews nobody else will post are picked up from now on.
      if (!stopRequested) startSweep();
    },
    startDraining,
    async stop(timeoutMs) {
      stopRequested = true;
      startDraining();
      // Postings already running may finish; the queued ones stay pending, for App Home or the
      // delivery sweep of another instance.
      stopSweep?.();
      deliveries.stopStarting();
      const deadline = performance.now() + timeoutMs;
      const left = () => Math.max(0, deadline - performance.now());
      if (config.mode === 'socket' && receiverStarted) {
        // An envelope's ack goes back over the WebSocket: closed first, a listener still reading
        // the database before its ack (Share, Challenge, the edit's last step) could not send it,
        // and Slack would show the person an error. So the socket stays open until every envelope
        // received has its ack, and closes at once then. It can't stay open and receive nothing:
        // once it starts closing, the client delivers no message, and Socket Mode has no way to
        // ask Slack to stop sending on an open connection. Envelopes arriving meanwhile are
        // answered like any other: Slack does not retry an interaction left unanswered (the
        // person would see an error), and this wait is short, as ftrag acks before slow work.
        while (left() > 0 && app.unacknowledged.size > 0) {
          await app.unacknowledged.drain(left());
        }
      }
      // Stops listening (or connecting) now; resolves once the last connection has closed.
      const closed: Promise<void> = receiverStarted
        ? app.stop().then(
            () => undefined,
            (error: unknown) => {
              logger.warn({ err: error }, 'stopping the receiver failed');
            },
          )
        : Promise.resolve();
      // A request in flight may start a delivery after its ack, and a request may still arrive on
      // a kept-alive connection: drain until both are empty or time is up.
      while (left() > 0 && (requests.size > 0 || work.size > 0)) {
        await requests.drain(left());
        await work.drain(left());
      }
      const result: StopResult = {
        finished: requests.size === 0 && work.size === 0,
        requests: requests.size,
        deliveries: work.size,
      };
      if (!(await settlesWithin(closed, left()))) server?.closeAllConnections();
      return result;
    },
  };
}
