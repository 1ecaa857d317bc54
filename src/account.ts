import { performance } from 'node:perf_hooks';
import { BalanceCache, type CacheOptions, type Snapshot } from './cache';
import type { Deadline } from './deadline';
import type { Limiter } from './limiter';
import type { Logger } from './logger';
import type { AccountRecorder } from './metrics';
import { classifyError } from './tensorpix/classify-error';
import type { BalanceClient } from './tensorpix/client';
import { SUCCESS_CODE } from './tensorpix/codes';
import { readToken, TokenError, type TokenSource } from './token';

export interface AccountOptions {
  name: string;
  apiUrl: string;
  /** timeoutMs bounds one upstream request of this account (--tensorpix.timeout or the config file). */
  timeoutMs: number;
  token: TokenSource;
  client: BalanceClient;
  limiter: Limiter;
  recorder: AccountRecorder;
  logger: Logger;
  cache: CacheOptions;
  /** monotonicNow times upstream requests, in milliseconds (performance.now by default). */
  monotonicNow?: () => number;
}

export interface Account {
  readonly name: string;
  refresh(deadline: Deadline): Promise<void>;
  snapshot(): Snapshot;
  balanceExpiresAtMs(): number | undefined;
  /** retryNow lifts a failing account's backoff, e.g. after its token file was replaced. */
  retryNow(): void;
}

/** stateOf names an attempt's outcome: `ok`, an upstream code, or `token_unreadable`. */
export function stateOf(error: unknown): string {
  if (error === undefined) return 'ok';
  if (error instanceof TokenError) return 'token_unreadable';
  return classifyError(error, false).code;
}

/**
 * createAccount wires one account: a cache in front of the upstream, each attempt timed,
 * counted and limited in concurrency, and a log line only when the account's state
 * changes (ok → failing, one failure code → another, failing → ok), not on every scrape.
 */
export function createAccount(options: AccountOptions): Account {
  const {
    name,
    client,
    limiter,
    recorder,
    logger,
    monotonicNow = performance.now.bind(performance),
  } = options;
  const log = logger.child({ account: name });
  let previousBalance: number | undefined;
  let lastToken: string | undefined;
  let state = 'unknown';

  const noteState = (error?: unknown) => {
    const next = stateOf(error);
    if (next === state) return;
    if (error === undefined) log.info({ previous: state }, 'balance read');
    else if (error instanceof TokenError) log.error({ err: error }, error.message);
    else log.warn({ err: error, previous: state }, 'balance read failed');
    state = next;
  };

  const fetchBalance = async (signal: AbortSignal): Promise<number> => {
    let token: string;
    try {
      token = await readToken(options.token);
    } catch (error) {
      noteState(error);
      throw error;
    }
    if (lastToken !== undefined && token !== lastToken) log.info('token changed, using the new one');
    lastToken = token;
    let reachedUpstream = false;
    try {
      const balance = await limiter.run(async () => {
        reachedUpstream = true;
        // The account's own timeout starts when its request does, not while it waits its turn.
        const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]);
        const started = monotonicNow();
        try {
          const value = await client.fetchBalance({ apiUrl: options.apiUrl, token, signal: requestSignal });
          recorder.attempt(SUCCESS_CODE, (monotonicNow() - started) / 1000);
          return value;
        } catch (error) {
          recorder.attempt(
            classifyError(error, requestSignal.aborted).code,
            (monotonicNow() - started) / 1000,
          );
          throw classifyError(error, requestSignal.aborted);
        }
      }, signal);
      if (previousBalance !== undefined) recorder.balanceChange(previousBalance, balance);
      previousBalance = balance;
      noteState();
      return balance;
    } catch (error) {
      const upstreamError = classifyError(error, signal.aborted);
      // Still queued behind other accounts at the deadline: the account timed out, and
      // that is counted (without a latency, as nothing was sent).
      if (!reachedUpstream) recorder.attempt(upstreamError.code);
      noteState(upstreamError);
      throw upstreamError;
    }
  };

  const cache = new BalanceCache(fetchBalance, options.cache);

  /**
   * A failing account whose token file now holds another token tries again at once rather
   * than after its backoff: that is what an operator who just rotated the key expects.
   */
  const retryIfTokenChanged = async () => {
    if (options.token.kind !== 'file' || cache.snapshot().up || lastToken === undefined) return;
    const token = await readToken(options.token).catch(() => undefined);
    if (token !== undefined && token !== lastToken) cache.resetBackoff();
  };

  return {
    name,
    refresh: async (deadline) => {
      await retryIfTokenChanged();
      await cache.refresh(deadline);
    },
    snapshot: () => cache.snapshot(),
    balanceExpiresAtMs: () => cache.balanceExpiresAtMs(),
    retryNow: () => cache.resetBackoff(),
  };
}
