import type { NextFunction, Request, Response } from 'express';
import type { AccountSet } from '../accounts/account-set';
import type { Exposition } from '../metrics/exposition';
import { acceptsGzip, negotiateFormat } from './negotiate';
import { onlyMethods } from './respond';
import { scrapeWaitMs } from './scrape-budget';

export interface MetricsRouteOptions {
  path: string;
  accounts: AccountSet;
  exposition: Exposition;
  timeoutOffsetMs: number;
}

const METHODS = ['GET', 'HEAD'];

/**
 * metricsRoute serves the telemetry path. It is the first route of the app and matches
 * the path itself (exactly, query aside): every scrape passes here, and Express' router
 * would cost a scrape more than the metrics do. It waits for the accounts' attempts at
 * most the scrape's budget, then answers the exposition in the negotiated format, with
 * prom-client's content type for it, gzipped when the client accepts it (Prometheus
 * always does).
 */
export function metricsRoute(options: MetricsRouteOptions) {
  const { accounts, exposition } = options;
  const answer = async (req: Request, res: Response) => {
    const format = negotiateFormat(req.headers.accept);
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const rendered = await exposition.render(format);
    const body = gzip ? rendered.gzipped() : rendered.text;
    res.writeHead(200, [
      'Content-Type',
      rendered.contentType,
      'Content-Length',
      String(body.length),
      'Cache-Control',
      'no-store',
      'Vary',
      'Accept, Accept-Encoding',
      ...(gzip ? ['Content-Encoding', 'gzip'] : []),
    ]);
    if (req.method === 'HEAD') return void res.end();
    res.end(body);
  };
  const rejectMethod = onlyMethods(METHODS);
  return (req: Request, res: Response, next: NextFunction) => {
    // Express' req.path is the target's path in origin form and in absolute form alike
    // (`GET http://host/metrics`, which RFC 9112 section 3.2.2 says a server must accept).
    if (req.path !== options.path) return next();
    // Any other method gets the 405 of every route; the ones served go on without a call.
    if (!METHODS.includes(req.method)) return rejectMethod(req, res, next);
    // Node joins a repeated header with ", ", which reads as no usable header.
    const header = req.headers['x-prometheus-scrape-timeout-seconds'] as string | undefined;
    const waiting = accounts.refresh(
      scrapeWaitMs(header, accounts.longestTimeoutMs(), options.timeoutOffsetMs),
    );
    (waiting ? waiting.then(() => answer(req, res)) : answer(req, res)).catch(next);
  };
}
