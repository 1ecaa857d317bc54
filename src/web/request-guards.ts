import type { Express } from 'express';
import type { WebConfig } from '../config/web-config';
import { rateLimit } from './rate-limit';

/**
 * guardRequests sets what every request goes through before its route: Express' strict
 * settings, the configured headers, the rate limit and basic auth. It returns the basic
 * auth, which the app closes.
 */
export function guardRequests(app: Express, web: WebConfig | undefined, monotonicNow: () => number) {
  app.disable('x-powered-by');
  app.disable('etag');
  // Exactly the configured paths: /METRICS and /metrics/ are not /metrics.
  app.enable('case sensitive routing');
  app.enable('strict routing');
  // No route reads a query: parsing one on every scrape would be wasted.
  app.set('query parser', false);
  const headers = Object.entries({ 'X-Content-Type-Options': 'nosniff', ...web?.headers });
  app.use((_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  });
  if (web?.rateLimit) app.use(rateLimit({ ...web.rateLimit, now: monotonicNow }));
  // Every route, health included, needs the credentials unless the file excludes it
  // (basic_auth_excluded_paths), as with exporter-toolkit.
  // Loaded only when users are configured: bcrypt is not carried by an exporter without them.
  const auth =
    web && web.users.size > 0
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./basic-auth') as typeof import('./basic-auth')).basicAuth(web.users, web.authExcludedPaths)
      : undefined;
  if (auth) app.use(auth.middleware);
  return auth;
}
