import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createLogger, reportUnhandledRejection } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { queryObserver } from './observability/storageMetrics.js';
import { createStorage, TokenSealer } from './storage/index.js';
import { checkInstallationKeys } from './storage/installationKeys.js';
import { settlesWithin } from './work.js';

/** Closing the database gets its own small budget after the drain. */
const DATABASE_CLOSE_TIMEOUT_MS = 3_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const metrics = config.metricsEnabled ? new Metrics() : null;

  // Registered first, so a signal during startup still ends the process cleanly.
  let shutdown: ((signal: NodeJS.Signals) => void) | null = null;
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shutdown) shutdown(signal);
    else if (signalled) process.exit(1);
    else signalled = signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on(
    'unhandledRejection',
    reportUnhandledRejection(logger, () => metrics?.unhandledRejections.inc()),
  );

  const clock = () => new Date();
  const tokenSealer = config.tokenKeys
    ? new TokenSealer(config.tokenKeys.current, config.tokenKeys.previous)
    : null;
  const storage = await createStorage(config.databaseUrl, clock, {
    ...(metrics ? { onQuery: queryObserver(metrics) } : {}),
    tokenSealer,
  });
  if (config.slack.oauth) {
    const report = await storage.installations.resealInstallations();
    const { resealed, unreadable } = report;
    if (!tokenSealer) {
      if (unreadable.length > 0) {
        // Every request from those workspaces would fail; most likely the key was left out.
        await storage.close();
        throw new Error(
          `${unreadable.length} workspace installation(s) are stored encrypted, but TOKEN_ENCRYPTION_KEY is not set: set it to the key they were sealed with`,
        );
      }
      logger.warn(
        'workspace tokens are stored unencrypted: set TOKEN_ENCRYPTION_KEY (see README, Running in production)',
      );
    } else {
      if (resealed > 0) logger.info({ resealed }, 'installations sealed with TOKEN_ENCRYPTION_KEY');
      const check = checkInstallationKeys(report, tokenSealer);
      if (check && 'refuse' in check) {
        await storage.close();
        throw new Error(check.refuse);
      }
      if (check) logger.warn({ installations: unreadable.map((row) => row.id) }, check.warn);
    }
  }
  const ftrag = createApp(config, { storage, clock, logger, metrics });
  let running = false;
  let stopping = false;
  shutdown = (signal) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    // Ctrl-C is someone at a terminal: only SIGTERM (an orchestrator's) waits for the balancer,
    // and only if the instance was serving.
    const delayMs = running && signal === 'SIGTERM' ? config.shutdownDelayMs : 0;
    void (async () => {
      if (delayMs > 0) {
        ftrag.startDraining();
        logger.info(
          { signal, delayMs },
          'shutting down soon: /healthz answers 503 while the load balancer stops sending requests',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      if (running) {
        logger.info(
          { signal, timeoutMs: config.shutdownTimeoutMs, deliveries: ftrag.work.size },
          config.mode === 'socket'
            ? 'shutting down: closing the Socket Mode connection once every envelope has its ack; finishing requests and deliveries in flight'
            : 'shutting down: no new requests; finishing requests and deliveries in flight',
        );
      } else {
        logger.info({ signal }, 'stopping before the start finished');
      }
      const result = await ftrag.stop(config.shutdownTimeoutMs);
      if (!result.finished) {
        logger.warn(
          { requests: result.requests, deliveries: result.deliveries },
          'shutdown timeout reached: unfinished reviews stay pending and can be posted again from App Home',
        );
      }
      const closed = await settlesWithin(storage.close(), DATABASE_CLOSE_TIMEOUT_MS);
      if (!closed) logger.warn('the database did not close in time');
      logger.info('stopped');
      process.exit(0);
    })();
  };
  if (signalled) {
    shutdown(signalled);
    return;
  }
  // Slack may not answer, or the Socket Mode connection never open (Bolt retries every 5 s): a
  // signal meanwhile stops the start at once, and the shutdown under way exits.
  try {
    await ftrag.start(config.port);
  } catch (error) {
    if (!stopping) throw error;
  }
  if (stopping) return;
  running = true;
  logger.info(
    { mode: config.mode, port: config.port, database: storage.kind, metrics: metrics !== null },
    config.mode === 'socket'
      ? 'ftrag is running in Socket Mode'
      : `ftrag is listening on port ${config.port} (POST /slack/events, GET /healthz${metrics ? ', GET /metrics' : ''})`,
  );
}

main().catch((error: unknown) => {
  console.error(`ftrag could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
