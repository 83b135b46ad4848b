import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Config } from './config.js';
import { BOT_SCOPES } from './constants.js';
import { responseUrlTrust } from './delivery/responseUrl.js';
import { createErrorHandler } from './errorHandler.js';
import { registerListeners } from './listeners/index.js';
import type { Storage } from './storage/index.js';
import { BackgroundWork } from './work.js';

export interface AppDeps {
  storage: Storage;
  clock: () => Date;
}

export interface FtragApp {
  app: App;
  work: BackgroundWork;
}

const LOG_LEVELS: Record<Config['logLevel'], LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

/** Builds the Bolt app and registers every listener. Starting it is index.ts's job. */
export function createApp(config: Config, deps: AppDeps): FtragApp {
  const logLevel = LOG_LEVELS[config.logLevel];
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // Bounded back-off for Slack 5xx; 429s wait for Retry-After inside the same budget.
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 3000, randomize: true },
    timeout: 10_000,
  };
  const healthRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: (
      _req: unknown,
      res: {
        writeHead(status: number, headers: Record<string, string>): void;
        end(body: string): void;
      },
    ) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    },
  };

  const app =
    config.mode === 'socket'
      ? new App({
          token: config.slack.botToken ?? undefined,
          appToken: config.slack.appToken ?? undefined,
          socketMode: true,
          logLevel,
          clientOptions,
          extendedErrorHandler: true,
          customRoutes: [healthRoute],
        })
      : new App({
          ...(config.slack.oauth ? {} : { token: config.slack.botToken ?? undefined }),
          logLevel,
          clientOptions,
          extendedErrorHandler: true,
          receiver: new HTTPReceiver({
            signingSecret: config.slack.signingSecret ?? '',
            endpoints: '/slack/events',
            customRoutes: [healthRoute],
            logLevel,
            ...(config.slack.oauth
              ? {
                  clientId: config.slack.oauth.clientId,
                  clientSecret: config.slack.oauth.clientSecret,
                  stateSecret: config.slack.oauth.stateSecret,
                  scopes: [...BOT_SCOPES],
                  installationStore: deps.storage.installations,
                  installerOptions: {
                    directInstall: true,
                    // oauth.v2.access goes to the same Web API as every other call.
                    ...(config.slack.apiUrl ? { clientOptions: { slackApiUrl: config.slack.apiUrl } } : {}),
                  },
                }
              : {}),
          }),
        });

  const work = new BackgroundWork();
  const isTrustedResponseUrl = responseUrlTrust(config.slack.apiUrl);
  registerListeners(app, {
    reviews: deps.storage.reviews,
    votes: deps.storage.votes,
    installations: config.slack.oauth ? deps.storage.installations : null,
    clock: deps.clock,
    isTrustedResponseUrl,
    work,
  });
  app.error(createErrorHandler(app.client, isTrustedResponseUrl));
  return { app, work };
}
