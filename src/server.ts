import express, { type NextFunction, type Request, type Response } from 'express';
import { Registry } from 'prom-client';
import { deadlineIn, scrapeBudgetMs } from './deadline';
import type { Exporter } from './exporter';
import { landingPage } from './landing-page';
import type { Logger } from './logger';
import { basicAuth } from './basic-auth';
import { rateLimit } from './rate-limit';
import type { WebConfig } from './web-config';

export interface ServerDeps {
  exporter: Exporter;
  logger: Logger;
  version: string;
  telemetryPath: string;
  timeoutOffsetMs: number;
  enableLifecycle: boolean;
  /** isReady is true once configured and listening. */
  isReady: () => boolean;
  /** reload is what POST /-/reload does when the lifecycle API is enabled. */
  reload: () => { ok: boolean; problems: string[] };
  now: () => number;
  /** web is --web.config.file: extra headers, rate limit and basic auth for every route. */
  web?: WebConfig;
}

const text = (res: Response, status: number, body: string) =>
  res
    .status(status)
    .type('text/plain')
    .send(body + '\n');

function onlyMethods(methods: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (methods.includes(req.method)) return next();
    res.set('Allow', methods.join(', '));
    text(res, 405, 'method not allowed');
  };
}

/**
 * createServer builds the HTTP app. It never listens: main does, tests hand it to
 * supertest. An upstream failure never fails /metrics; it is in the metrics.
 */
export function createServer(deps: ServerDeps): express.Express {
  const { exporter, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const headers = { 'X-Content-Type-Options': 'nosniff', ...deps.web?.headers };
  app.use((_req, res, next) => {
    res.set(headers);
    next();
  });
  if (deps.web?.rateLimit) app.use(rateLimit({ ...deps.web.rateLimit, now: deps.now }));
  // Every route, health included, needs the credentials unless the file excludes it
  // (basic_auth_excluded_paths), as with exporter-toolkit.
  if (deps.web && deps.web.users.size > 0) app.use(basicAuth(deps.web.users, deps.web.authExcludedPaths));

  app.all(deps.telemetryPath, onlyMethods(['GET', 'HEAD']), async (req, res) => {
    const budgetMs = scrapeBudgetMs(
      req.get('X-Prometheus-Scrape-Timeout-Seconds'),
      exporter.maxTimeoutMs(),
      deps.timeoutOffsetMs,
    );
    await exporter.refresh(deadlineIn(budgetMs));
    const body = await exporter.metrics.render();
    res.set('Cache-Control', 'no-store').type(Registry.PROMETHEUS_CONTENT_TYPE).send(body);
  });

  app.all('/', onlyMethods(['GET', 'HEAD']), (_req, res) => {
    const page = landingPage({
      version: deps.version,
      telemetryPath: deps.telemetryPath,
      accounts: exporter.accounts(),
      nowMs: deps.now(),
    });
    res.type('html').send(page);
  });
  app.all('/-/healthy', onlyMethods(['GET', 'HEAD']), (_req, res) => text(res, 200, 'Healthy.'));
  app.all('/-/ready', onlyMethods(['GET', 'HEAD']), (_req, res) =>
    deps.isReady() ? text(res, 200, 'Ready.') : text(res, 503, 'Not ready.'),
  );
  app.all('/-/reload', onlyMethods(['POST', 'PUT']), (_req, res) => {
    if (!deps.enableLifecycle) return text(res, 403, 'Lifecycle API is not enabled.');
    const { ok, problems } = deps.reload();
    if (ok) return text(res, 200, 'Reloaded.');
    text(res, 500, ['failed to reload config; the running one is kept:', ...problems].join('\n'));
  });

  app.use((_req: Request, res: Response) => text(res, 404, 'not found'));
  // Express would answer with a stack trace in development mode; we never do.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return text(res, status, 'bad request');
    logger.error({ err: error }, 'request failed');
    text(res, 500, 'internal error');
  });
  return app;
}
