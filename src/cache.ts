import { untilAborted } from './abort';
import type { Deadline } from './deadline';

/** Fetcher makes one upstream attempt; it must settle soon after `signal` aborts. */
export type Fetcher = (signal: AbortSignal) => Promise<number>;

export interface CacheOptions {
  ttlMs: number;
  maxStaleMs: number;
  now: () => number;
  /** maxBackoffMs caps the wait after repeated failures (it is never below ttlMs). */
  maxBackoffMs?: number;
  /** onChange is told after every change of what snapshot() returns (not of the clock). */
  onChange?: () => void;
}

/** Snapshot is what a scrape shows of one account. */
export interface Snapshot {
  /** balance is the last good value, absent before the first success and once older than max-stale. */
  balance?: number;
  /** lastSuccessMs is when the last good value was read, kept even after it went stale. */
  lastSuccessMs?: number;
  /** up is whether the last attempt succeeded; false before any attempt finished. */
  up: boolean;
  /** lastError is the last attempt's error while the account is failing. */
  lastError?: unknown;
}

export const DEFAULT_MAX_BACKOFF_MS = 5 * 60 * 1000;
export const MIN_BACKOFF_MS = 1000;

/**
 * BalanceCache holds one account's balance. It serves the last value while it is younger
 * than the TTL, makes at most one upstream call at a time however many callers ask
 * (single-flight), waits after failures (exponential backoff starting at the TTL, and a
 * 429's Retry-After when the error carries `retryAfterMs`), and keeps the last good
 * value until max-stale. It knows nothing of HTTP or metrics and takes its clock.
 */
export class BalanceCache {
  private good?: { value: number; atMs: number };
  private up = false;
  private lastError?: unknown;
  private failures = 0;
  private notBeforeMs = -Infinity;
  private inflight?: Promise<void>;

  constructor(
    private readonly fetch: Fetcher,
    private readonly options: CacheOptions,
  ) {}

  /**
   * refresh makes an upstream attempt if one is due, or joins the one in flight. The
   * attempt runs until `deadline.abort`; refresh returns when it settles or at
   * `deadline.answer`, whichever is first, and never rejects: a failure is state, read
   * through snapshot().
   */
  async refresh(deadline: Deadline): Promise<void> {
    if (!this.inflight) {
      if (deadline.abort.aborted || this.options.now() < this.notBeforeMs) return;
      this.inflight = this.attempt(deadline.abort).finally(() => {
        this.inflight = undefined;
      });
    }
    await untilAborted(this.inflight, deadline.answer);
  }

  /** resetBackoff allows an attempt at the next refresh, e.g. after the token changed. */
  resetBackoff(): void {
    if (!this.up) this.notBeforeMs = -Infinity;
  }

  /** balanceExpiresAtMs is when the last good value goes past max-stale, if there is one. */
  balanceExpiresAtMs(): number | undefined {
    return this.good && this.good.atMs + this.options.maxStaleMs;
  }

  snapshot(): Snapshot {
    const now = this.options.now();
    const fresh = this.good && now - this.good.atMs <= this.options.maxStaleMs;
    return {
      ...(fresh && { balance: this.good!.value }),
      ...(this.good && { lastSuccessMs: this.good.atMs }),
      up: this.up,
      ...(!this.up && this.lastError !== undefined && { lastError: this.lastError }),
    };
  }

  private async attempt(signal: AbortSignal): Promise<void> {
    try {
      const value = await this.fetch(signal);
      const now = this.options.now();
      this.good = { value, atMs: now };
      this.up = true;
      this.lastError = undefined;
      this.failures = 0;
      this.notBeforeMs = now + this.options.ttlMs;
      this.options.onChange?.();
    } catch (error) {
      const now = this.options.now();
      this.up = false;
      this.lastError = error;
      this.failures++;
      this.notBeforeMs = now + Math.max(this.backoffMs(), retryAfterOf(error));
      this.options.onChange?.();
    }
  }

  private backoffMs(): number {
    const { ttlMs, maxBackoffMs = DEFAULT_MAX_BACKOFF_MS } = this.options;
    const exponent = Math.min(this.failures - 1, 30);
    // A TTL of 0 (fetch on every scrape) must still back off after failures.
    const baseMs = Math.max(ttlMs, MIN_BACKOFF_MS);
    return Math.min(baseMs * 2 ** exponent, Math.max(baseMs, maxBackoffMs));
  }
}

function retryAfterOf(error: unknown): number {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
