import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { BcryptVerifier, type Verifier } from './bcrypt-verifier';
import { credentialsOf } from './basic-credentials';
import { clientOf } from './client-address';
import { FairQueue } from './fair-queue';
import { RecentSet } from './recent-set';
import { text } from './respond';

/** MAX_GRANTED bounds the cache of credentials found right; only a right password enters it. */
const MAX_GRANTED = 64;
/** MAX_DENIED bounds the cache of credentials found wrong, which guesses churn at will. */
const MAX_DENIED = 1024;
/**
 * CHECKS_PER_CLIENT is how many bcrypt comparisons one client address may have waiting or
 * running: enough for a Prometheus HA pair behind one address and a person with curl.
 */
const CHECKS_PER_CLIENT = 4;
/**
 * MAX_PENDING_CHECKS is how many comparisons may wait or run in all; more get 429 at once.
 * At cost 10 (~60 ms each) the last of them is done within a second.
 */
const MAX_PENDING_CHECKS = 16;

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
 * credentials or makes its scrapes wait for bcrypt. Comparisons not yet cached (every one
 * after a start) take turns by client address (FairQueue): guesses from one address wait
 * behind each other, at the lowest CPU priority, while a check from an address with none
 * pending (Prometheus) runs next, at normal priority. What the queue cannot take gets 429
 * at once.
 */
export function basicAuth(
  users: ReadonlyMap<string, string>,
  excludedPaths: readonly string[],
  // Two: the queue runs one comparison in each lane at a time. Both threads start now, so
  // Prometheus' first check after a start does not wait for its thread and decoy hash, and
  // the process holds the same threads and descriptors before and during an attack.
  verifier: Verifier = new BcryptVerifier(costOf(users.values().next().value as string), 2)
    .warmUp('first')
    .warmUp('rest'),
): BasicAuth {
  const granted = new RecentSet(MAX_GRANTED);
  const denied = new RecentSet(MAX_DENIED);
  const queue = new FairQueue({ perClient: CHECKS_PER_CLIENT, total: MAX_PENDING_CHECKS });
  // Identical credentials checked at once (an HA pair's first scrapes) share one comparison.
  const inFlight = new Map<string, Promise<boolean | 'busy'>>();

  const check = (client: string, user: string, password: string): Promise<boolean | 'busy'> | boolean => {
    const hash = users.get(user);
    const key = createHash('sha256')
      .update(`${user}\0${hash ?? ''}\0${password}`)
      .digest('hex');
    if (granted.has(key)) return true;
    if (denied.has(key)) return false;
    const running = inFlight.get(key);
    if (running) return running;
    const settled = queue
      .run(client, (lane) => verifier.verify(password, hash, lane))
      .then((verdict) => {
        inFlight.delete(key);
        // 'busy' is no verdict: the same credentials may be tried again.
        if (verdict !== 'busy') (verdict ? granted : denied).add(key);
        return verdict;
      });
    inFlight.set(key, settled);
    return settled;
  };

  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    if (excludedPaths.includes(req.path)) return next();
    const credentials = credentialsOf(req.get('authorization'));
    const verdict = credentials
      ? await check(clientOf(req.socket.remoteAddress), credentials.user, credentials.password)
      : false;
    if (verdict === true) return next();
    if (verdict === 'busy') {
      res.set('Retry-After', '1');
      return void text(res, 429, 'Too Many Requests');
    }
    res.set('WWW-Authenticate', 'Basic realm="tensorpix-exporter", charset="UTF-8"');
    text(res, 401, 'Unauthorized');
  };
  return { middleware, close: () => verifier.close() };
}
