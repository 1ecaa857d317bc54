import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AccountSet } from './accounts/account-set';
import { Limiter } from './accounts/limiter';
import type { Config } from './config/config';
import { createReloader, type ReloadResult, type ReloadStatus } from './config/reload';
import type { Logger } from './log/logger';
import type { BuildInfo } from './metrics/exporter-families';
import { createExposition, type Exposition } from './metrics/exposition';
import { createRegistry } from './metrics/registry';
import { createBalanceClient } from './tensorpix/client';
import { REVISION, VERSION } from './version';
import { landingPage } from './web/landing-page';
import { metricsRoute } from './web/metrics-route';
import { guardRequests } from './web/request-guards';
import { onlyMethods, text } from './web/respond';

export interface AppDeps {
  logger: Logger;
  /** isReady is true once the server listens. */
  isReady: () => boolean;
  /** now is the wall clock; tests move it by hand. */
  now?: () => number;
  /** monotonicNow times requests and every wait; tests pass their hand-moved clock. */
  monotonicNow?: () => number;
  /** lookup replaces DNS resolution of the API's host (tests only). */
  lookup?: LookupFunction;
  buildInfo?: BuildInfo;
  /** reloadSpacingMs is the least time between two reloads (createReloader); tests on a hand-moved clock set 0. */
  reloadSpacingMs?: number;
  /** maxBackoffMs caps the backoff after failures (the soak shortens it to keep faults coming). */
  maxBackoffMs?: number;
}

/** App is the exporter: the Express handler and what main and the tests drive besides HTTP. */
export interface App {
  handler: express.Express;
  accounts: AccountSet;
  /** reload is what SIGHUP and POST /-/reload do. */
  reload(): Promise<ReloadResult>;
  /** close aborts every attempt in flight and closes the API client's sockets. */
  close(): Promise<void>;
}

/** TOKEN_FILE_READS is how many token files are read at once: a few, fast, never a burst. */
const TOKEN_FILE_READS = 8;

/** Clocks are the wall clock (timestamps shown) and the monotonic one (every wait). */
interface Clocks {
  now: () => number;
  monotonicNow: () => number;
}

/**
 * createApp builds the exporter from a checked configuration. It never listens: main
 * does, and the tests hand the handler to supertest or their own server. An upstream
 * failure never fails /metrics; it is in the metrics.
 */
export function createApp(config: Readonly<Config>, deps: AppDeps): App {
  const { logger } = deps;
  const clocks: Clocks = {
    now: deps.now ?? Date.now,
    monotonicNow: deps.monotonicNow ?? (() => performance.now()),
  };
  const buildInfo = deps.buildInfo ?? {
    version: VERSION,
    revision: REVISION,
    nodejs_version: process.version,
  };
  const { client, accounts } = watchAccounts(config, deps, buildInfo, clocks);
  const status: ReloadStatus = { successful: true, lastSuccessMs: clocks.now() };
  const reload = createReloader({
    config,
    accounts,
    status,
    logger,
    now: clocks.now,
    ...(deps.reloadSpacingMs !== undefined && { spacingMs: deps.reloadSpacingMs }),
  });
  const exposition = exposeMetrics(config, accounts, status, buildInfo, clocks, logger);
  const app = express();
  const auth = guardRequests(app, config.web, clocks.monotonicNow);
  addRoutes(app, config, deps, { accounts, exposition, reload, buildInfo, clocks });
  return {
    handler: app,
    accounts,
    reload,
    async close() {
      accounts.stop();
      // Stops nothing of prom-client's default metrics: they have no public stop, and their
      // timer and observer keep no process alive.
      await Promise.all([client.close(), auth?.close()]);
    },
  };
}

/** watchAccounts makes the API client and the configured accounts that share it. */
function watchAccounts(config: Readonly<Config>, deps: AppDeps, buildInfo: BuildInfo, clocks: Clocks) {
  const { now, monotonicNow } = clocks;
  const client = createBalanceClient({
    userAgent: `tensorpix-exporter/${buildInfo.version}`,
    ...(config.caCert !== undefined && { caCert: config.caCert }),
    now,
    ...(deps.lookup && { lookup: deps.lookup }),
  });
  const accounts = new AccountSet(config.accounts, {
    client,
    limiter: new Limiter(config.concurrency, monotonicNow),
    fileReads: new Limiter(TOKEN_FILE_READS, monotonicNow),
    logger: deps.logger,
    now,
    monotonicNow,
    ttlMs: config.cacheTtlMs,
    maxStaleMs: config.cacheMaxStaleMs,
    ...(deps.maxBackoffMs !== undefined && { maxBackoffMs: deps.maxBackoffMs }),
  });
  return { client, accounts };
}

/** exposeMetrics makes the registries that render the accounts' state, and their exposition. */
function exposeMetrics(
  config: Readonly<Config>,
  accounts: AccountSet,
  status: ReloadStatus,
  buildInfo: BuildInfo,
  clocks: Clocks,
  logger: Logger,
): Exposition {
  const registrySources = {
    accounts,
    reload: status,
    buildInfo,
    // Balances expire on the monotonic clock (see AccountState).
    now: clocks.monotonicNow,
    logger,
    defaultMetrics: config.exporterMetrics,
  };
  // One registry a format: see createRegistry for why one registry cannot render both.
  const registries = {
    prometheus: createRegistry('prometheus', registrySources),
    openmetrics: createRegistry('openmetrics', registrySources),
  };
  return createExposition(registries);
}

/** RouteParts are what the routes serve. */
interface RouteParts {
  accounts: AccountSet;
  exposition: Exposition;
  reload: () => Promise<ReloadResult>;
  buildInfo: BuildInfo;
  clocks: Clocks;
}

/** addRoutes adds the telemetry path, the landing page, health, readiness and reload, then 404 and errors. */
function addRoutes(app: express.Express, config: Readonly<Config>, deps: AppDeps, parts: RouteParts): void {
  const { accounts, exposition, reload, buildInfo, clocks } = parts;
  app.use(
    metricsRoute({
      path: config.telemetryPath,
      accounts,
      exposition,
      timeoutOffsetMs: config.timeoutOffsetMs,
    }),
  );
  app.all('/', onlyMethods(['GET', 'HEAD']), (_req, res) => {
    const page = landingPage({
      version: buildInfo.version,
      telemetryPath: config.telemetryPath,
      accounts: accounts.accounts(),
      nowMs: clocks.now(),
      monotonicMs: clocks.monotonicNow(),
    });
    res.type('html').send(page);
  });
  app.all('/-/healthy', onlyMethods(['GET', 'HEAD']), (_req, res) => text(res, 200, 'Healthy.'));
  app.all('/-/ready', onlyMethods(['GET', 'HEAD']), (_req, res) =>
    deps.isReady() ? text(res, 200, 'Ready.') : text(res, 503, 'Not ready.'),
  );
  // No rate limit of its own: concurrent requests merge into one reload, and reloads are a
  // second apart (createReloader), so a flood of them costs what one reload a second does.
  app.all('/-/reload', onlyMethods(['POST', 'PUT']), async (_req, res) => {
    if (!config.enableLifecycle) return text(res, 403, 'Lifecycle API is not enabled.');
    const { ok, problems } = await reload();
    if (ok) return text(res, 200, 'Reloaded.');
    text(res, 500, ['failed to reload config; the running one is kept:', ...problems].join('\n'));
  });

  app.use((_req: Request, res: Response) => text(res, 404, 'not found'));
  // Express would answer with a stack trace in development mode; we never do.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return text(res, status, 'bad request');
    deps.logger.error({ err: error }, 'request failed');
    text(res, 500, 'internal error');
  });
}
