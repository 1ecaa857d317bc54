import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { BcryptVerifier, type Verifier } from './bcrypt-verifier';
import { credentialsOf } from './basic-credentials';
import { RecentSet } from './recent-set';

/** MAX_GRANTED bounds the cache of credentials found right; only a right password enters it. */
const MAX_GRANTED = 64;
/** MAX_DENIED bounds the cache of credentials found wrong, which guesses churn at will. */
const MAX_DENIED = 1024;
/** MAX_PENDING_CHECKS is how many bcrypt comparisons may wait or run; more get 429 at once. */
const MAX_PENDING_CHECKS = 8;

/** costOf reads the cost of a bcrypt hash, `$2y$10$…` → 10 (web-config checked the form). */
const costOf = (hash: string) => Number(/^\$2[abxy]?\$(\d{2})\$/.exec(hash)?.[1] ?? 10);

/** BasicAuth is the middleware and what stops its bcrypt thread. */
export interface BasicAuth {
  middleware: (req: Request, res: Response, next: NextFunction) => Promise<void>;
  close(): Promise<void>;
}

/**
 * basicAuth checks HTTP basic auth against bcrypt hashes, as exporter-toolkit does, with
 * the comparisons on a worker thread (BcryptVerifier). An unknown user is compared with a
 * decoy hash of the same cost, so a response's timing does not tell which users exist.
 * Verdicts are cached by digest (never the password itself): right credentials in a cache
 * of their own that wrong ones never touch, so no number of guesses evicts Prometheus'
 * credentials or makes its scrapes wait for bcrypt. When more guesses come than the worker
 * takes, the excess gets 429 at once.
 */
export function basicAuth(
  users: ReadonlyMap<string, string>,
  excludedPaths: readonly string[],
  verifier: Verifier = new BcryptVerifier(costOf(users.values().next().value as string), MAX_PENDING_CHECKS),
): BasicAuth {
  const granted = new RecentSet(MAX_GRANTED);
  const denied = new RecentSet(MAX_DENIED);
  // Identical credentials checked at once (an HA pair's first scrapes) share one comparison.
  const inFlight = new Map<string, Promise<boolean>>();

  const check = (user: string, password: string): Promise<boolean> | boolean | 'busy' => {
    const hash = users.get(user);
    const key = createHash('sha256')
      .update(`${user}\0${hash ?? ''}\0${password}`)
      .digest('hex');
    if (granted.has(key)) return true;
    if (denied.has(key)) return false;
    const running = inFlight.get(key);
    if (running) return running;
    const verdict = verifier.verify(password, hash);
    if (verdict === 'busy') return 'busy';
    const settled = verdict.then((matches) => {
      inFlight.delete(key);
      (matches ? granted : denied).add(key);
      return matches;
    });
    inFlight.set(key, settled);
    return settled;
  };

  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    if (excludedPaths.includes(req.path)) return next();
    const credentials = credentialsOf(req.get('authorization'));
    const verdict = credentials ? await check(credentials.user, credentials.password) : false;
    if (verdict === true) return next();
    if (verdict === 'busy') {
      res.set('Retry-After', '1').status(429).type('text/plain').send('Too Many Requests\n');
      return;
    }
    res.set('WWW-Authenticate', 'Basic realm="tensorpix-exporter", charset="UTF-8"');
    res.status(401).type('text/plain').send('Unauthorized\n');
  };
  return { middleware, close: () => verifier.close() };
}
