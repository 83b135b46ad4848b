import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createStorage } from './storage/index.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const clock = () => new Date();
  const storage = await createStorage(config.databaseUrl, clock);
  const { app, work } = createApp(config, { storage, clock });
  await app.start(config.port);
  app.logger.info(
    config.mode === 'socket'
      ? 'ftrag is running in Socket Mode'
      : `ftrag is listening on port ${config.port} (POST /slack/events, GET /healthz)`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info(`${signal}: finishing ${work.size} in-flight deliveries, then stopping`);
    try {
      await app.stop();
    } catch (error) {
      app.logger.warn(`stopping the receiver: ${(error as Error).message}`);
    }
    const finished = await work.drain(SHUTDOWN_GRACE_MS);
    if (!finished)
      app.logger.warn('some deliveries did not finish; they stay pending for App Home');
    await storage.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`ftrag could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
