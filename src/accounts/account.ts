import type { Logger } from '../log/logger';
import type { ErrorCode } from '../tensorpix/codes';
import { AccountState } from './account-state';
import type { Limiter } from './limiter';
import { attempt, type AttemptDeps, type Outcome } from './attempt';
import { describeTokenSource, type AccountSpec } from './account-spec';
import { describeFailure } from './describe-failure';
import { MIN_BACKOFF_MS, retryDelayMs } from './timing';
import { sourceKey, tokenKey, type RetryGates } from './retry-gates';
import { TokenReader } from './token-reader';

export interface AccountDeps extends AttemptDeps {
  /** fileReads takes turns among the accounts' token file reads. */
  fileReads: Limiter;
  logger: Logger;
  /**
   * now is the wall clock, in milliseconds, for the timestamps the metrics show; every
   * wait (TTL, backoff, Retry-After, max-stale) runs on monotonicNow, which a clock set
   * back or forth does not move.
   */
  now: () => number;
  ttlMs: number;
  maxStaleMs: number;
  /** maxBackoffMs caps the backoff after repeated failures (5 minutes; the soak shortens it to keep faults coming). */
  maxBackoffMs?: number;
}

/** TOKEN_PROBE_INTERVAL_MS is how often a failing account looks whether its token file changed. */
const TOKEN_PROBE_INTERVAL_MS = 1000;

/**
 * TOKEN_FAILURES are the failures a new token may cure; only they make an account look at
 * its token file between attempts. A 500 or a timeout is not the token's fault, and reading
 * the files of many such accounts on every scrape would slow scrapes in an API outage.
 */
const TOKEN_FAILURES: ReadonlySet<ErrorCode | undefined> = new Set<ErrorCode>(['401', '403', 'token_file']);

/**
 * Account is one watched account: its state, and the attempts that update it. An attempt
 * belongs to the account, not to the scrape that started it: it runs until it settles or
 * the account's timeout passes, and any number of scrapes may wait for it (single-flight),
 * each as long as it likes, without cutting it short. A good balance is kept for the TTL;
 * failures back off (and a 429's Retry-After is honoured); a failing account whose token
 * file now holds another token tries again at once, as an operator who just rotated the
 * key expects.
 */
export class Account {
  readonly state: AccountState;
  /** source is the account's API and token source (sourceKey): reconfigure never changes it. */
  readonly source: string;
  private readonly tokenReader: TokenReader;
  private current: Readonly<AccountSpec>;
  private log: Logger;
  private inflight?: Promise<void>;
  private controller?: AbortController;
  // Every time below is monotonic.
  /** notBeforeMs is when the next attempt is due: after the TTL, or a backoff. */
  private notBeforeMs = -Infinity;
  /** dueMs is when the next attempt came due by the TTL or backoff alone, whatever a reload moved. */
  private dueMs = -Infinity;
  /** servedMs is when a request of the account last went out: the limiter serves the longest-waiting first. */
  private servedMs = -Infinity;
  private lastAttemptEndMs = -Infinity;
  /** retriedEarly is set when a reload moved the next attempt forward, until an attempt comes due on its own. */
  private retriedEarly = false;
  /** changeRetried is set when a reload's new proxy or timeout earned one more early retry, likewise. */
  private changeRetried = false;
  private failures = 0;
  /** lastToken is the token the last attempt used; undefined when it could not read one. */
  private lastToken?: string;
  private lastProbeMs = -Infinity;
  private stopped = false;
  private logged = 'unknown';

  constructor(
    spec: Readonly<AccountSpec>,
    private readonly deps: AccountDeps & { gates: RetryGates },
  ) {
    this.state = new AccountState(deps.maxStaleMs);
    this.source = sourceKey(spec);
    this.tokenReader = new TokenReader(spec.token, deps.fileReads);
    this.current = spec;
    this.log = this.logFor(spec);
  }

  get spec(): Readonly<AccountSpec> {
    return this.current;
  }

  get name(): string {
    return this.current.name;
  }

  /**
   * reconfigure takes a new timeout, proxy route or token description for the same API and
   * token source: the account keeps its balance, counters and backoff (the 429 gates are
   * not its own); its next attempt uses the new settings, one in flight finishes with the old.
   */
  reconfigure(spec: Readonly<AccountSpec>): void {
    // A new proxy or timeout may be the operator's fix: it earns the early retry again, once
    // per backoff, so that a storm of reloads flipping a setting is no storm of requests.
    const changed =
      spec.timeoutMs !== this.current.timeoutMs ||
      JSON.stringify(spec.route) !== JSON.stringify(this.current.route);
    if (changed && this.retriedEarly && !this.changeRetried) {
      this.retriedEarly = false;
      this.changeRetried = true;
    }
    this.current = spec;
    this.log = this.logFor(spec);
  }

  /** gateUntilMs is when a 429's Retry-After for the account's API and token source passes; nothing opens it early. */
  private gateUntilMs(nowMs: number): number {
    return this.deps.gates.closedUntil(this.source, nowMs);
  }

  /**
   * logFor is the account's logger: every line names the API's host and, behind a proxy,
   * the proxy's (host:port only), so that a failure tells an operator whom to call.
   */
  private logFor(spec: Readonly<AccountSpec>): Logger {
    const proxy = spec.route?.kind === 'proxy' ? { proxy: spec.route.host } : {};
    return this.deps.logger.child({ account: spec.name, api: new URL(spec.apiUrl).host, ...proxy });
  }

  /** refresh starts an attempt if one is due and none is in flight; it returns the one in flight, if any. */
  refresh(): Promise<void> | undefined {
    if (this.inflight || this.stopped) return this.inflight;
    const nowMs = this.deps.monotonicNow();
    if (nowMs < this.gateUntilMs(nowMs)) return undefined;
    if (nowMs >= this.notBeforeMs) {
      // Due on its own, or moved forward by a reload whose early retry is now spent.
      if (nowMs >= this.dueMs) this.retriedEarly = this.changeRetried = false;
      this.inflight = this.run(false);
    } else if (
      this.tokenReader.isFile &&
      TOKEN_FAILURES.has(this.state.lastError?.code) &&
      nowMs - this.lastProbeMs >= TOKEN_PROBE_INTERVAL_MS
    ) {
      this.lastProbeMs = nowMs;
      this.inflight = this.run(true);
    }
    return this.inflight;
  }

  /**
   * retryNow lets a failing account try again at the next scrape, e.g. after a reload: once
   * per backoff (then the backoff holds until an attempt comes due on its own), not before a
   * 429's Retry-After, and not sooner than a second after its last attempt, so that a storm
   * of reloads cannot turn into a storm of requests.
   */
  retryNow(): void {
    if (this.state.up || this.retriedEarly) return;
    const soonestMs = Math.max(
      this.gateUntilMs(this.deps.monotonicNow()),
      this.lastAttemptEndMs + MIN_BACKOFF_MS,
    );
    // Already due by then (an account that timed out in the queue is due at once): nothing
    // to move, and the early retry is kept for a reload that can bring something forward.
    if (soonestMs >= this.notBeforeMs) return;
    this.retriedEarly = true;
    this.notBeforeMs = soonestMs;
  }

  /** stop ends the account: its attempt in flight is aborted and nothing is recorded any more. */
  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }

  /** run makes one attempt under the account's own deadline; a probe makes it only if the token changed. */
  private async run(probe: boolean): Promise<void> {
    const controller = (this.controller = new AbortController());
    try {
      const { apiUrl, timeoutMs, route } = this.spec;
      const { gates, monotonicNow } = this.deps;
      const target = {
        apiUrl,
        timeoutMs,
        token: this.tokenReader,
        route,
        priority: this.servedMs,
        deadlineMs: monotonicNow() + timeoutMs,
        gate: {
          heldUntilMs: (token: string) => gates.closedUntil(tokenKey(apiUrl, token), monotonicNow()),
          // The gate is the API's and the token's, not the account's: it is closed whatever
          // becomes of the account, for its token source and for the token that was sent.
          hold: (token: string, retryAfterMs: number) => {
            const nowMs = monotonicNow();
            gates.close([this.source, tokenKey(apiUrl, token)], nowMs + retryAfterMs, nowMs);
          },
        },
      };
      const outcome = await attempt(
        target,
        this.deps,
        controller,
        probe ? { changedFrom: this.lastToken } : undefined,
      );
      if (outcome && !this.stopped) this.record(outcome);
    } finally {
      this.controller = undefined;
      this.inflight = undefined;
    }
  }

  private record(outcome: Outcome): void {
    const nowMs = this.deps.monotonicNow();
    if (!outcome.ok && outcome.held) {
      // Nothing was sent: the account is not up, waits out its token's gate and counts nothing.
      this.state.held(outcome.error);
      this.notBeforeMs = this.dueMs = nowMs + (outcome.error.retryAfterMs ?? 0);
      return;
    }
    this.lastAttemptEndMs = nowMs;
    if (outcome.token !== undefined && this.lastToken !== undefined && outcome.token !== this.lastToken)
      this.log.info('token changed, using the new one');
    this.lastToken = outcome.token;
    // A request went out (it has a latency): the account was served.
    if (outcome.seconds !== undefined) this.servedMs = nowMs;
    if (outcome.ok) {
      this.state.succeeded(outcome.usd, this.deps.now(), nowMs, outcome.seconds);
      this.failures = 0;
      this.notBeforeMs = this.dueMs = nowMs + this.deps.ttlMs;
    } else if (outcome.queued) {
      // Queued behind other accounts until its timeout: the exporter's concurrency, not the
      // API, was short. No backoff, which would bring it due with the same accounts again;
      // it is due at the next scrape, and first in the queue, as the one served longest ago.
      this.state.failed(outcome.error);
      this.notBeforeMs = this.dueMs = nowMs;
    } else {
      this.state.failed(outcome.error, outcome.seconds);
      this.failures++;
      const retryAfterMs = outcome.error.retryAfterMs ?? 0;
      this.notBeforeMs = this.dueMs =
        nowMs + retryDelayMs(this.failures, this.deps.ttlMs, retryAfterMs, this.deps.maxBackoffMs);
    }
    this.logChange(outcome);
  }

  /**
   * logChange logs only when the account's state changes (ok → failing, one code → another,
   * failing → ok). A failure's line says its cause in our words (never the API's text); a
   * rejected token's says where the token comes from, which is where to fix it.
   */
  private logChange(outcome: Outcome): void {
    const next = outcome.ok ? 'ok' : outcome.error.code;
    if (next === this.logged) return;
    const previous = this.logged;
    this.logged = next;
    if (outcome.ok) return this.log.info({ previous }, 'balance read');
    const { error } = outcome;
    if (error.code === 'token_file') return this.log.error({ err: error }, error.message);
    const rejected = error.code === '401' || error.code === '403';
    this.log.warn(
      { err: error, previous, ...(rejected && { token_from: describeTokenSource(this.spec) }) },
      `balance read failed: ${describeFailure(error, this.spec)}`,
    );
  }
}
