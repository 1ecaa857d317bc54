import { ERROR_CODES, type ErrorCode } from '../tensorpix/codes';
import type { UpstreamError } from '../tensorpix/upstream-error';

/** LATENCY_BUCKETS_SECONDS are the upper bounds of the request latency histogram. */
export const LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

// The API gives balances with 4 decimals: counting in ten-thousandths of a dollar keeps
// spent and added exact (no float noise such as 0.30000000000000004) up to 10^14.
const toUnits = (usd: number) => Math.round(usd * 1e4);

/**
 * AccountState is everything the exporter shows of one account: the last good balance,
 * whether the last attempt succeeded, and the account's counters and latency histogram.
 * It is the one source of every tensorpix_* series of the account; the collector renders
 * it at scrape time. An account removed by a reload takes its state with it, and a new
 * one starts from 0, whatever an attempt still in flight writes to the old one.
 */
export class AccountState {
  /** up is whether the last attempt succeeded; false before any attempt has ended. */
  up = false;
  /** lastError is the last attempt's error while the account is failing. */
  lastError?: UpstreamError;
  /**
   * good is the last good balance and when it was read: `atMs` on the wall clock, for the
   * exported timestamp, and `atMonotonicMs` on the monotonic clock, for its age (a wall
   * clock stepped back or forth must not keep a balance alive or drop it).
   */
  good?: { usd: number; units: number; atMs: number; atMonotonicMs: number };
  /** attempts counts every attempt, whatever its outcome. */
  attempts = 0;
  /** errors counts failed attempts by code; every code is there from the start, at 0. */
  readonly errors = new Map<ErrorCode, number>(ERROR_CODES.map((code) => [code, 0]));
  spentUnits = 0;
  addedUnits = 0;
  /** latency counts requests per bucket of LATENCY_BUCKETS_SECONDS (not cumulative), +Inf last. */
  readonly latency = {
    counts: new Array<number>(LATENCY_BUCKETS_SECONDS.length + 1).fill(0),
    sum: 0,
    count: 0,
  };

  constructor(
    /** maxStaleMs is how long a good balance is exported after it was read. */
    private readonly maxStaleMs: number,
  ) {}

  /** succeeded records a good balance read at `atMs` (`atMonotonicMs`); a move from the last one counts as spent or added. */
  succeeded(usd: number, atMs: number, atMonotonicMs: number, seconds: number): void {
    const units = toUnits(usd);
    if (this.good) {
      const change = units - this.good.units;
      if (change < 0) this.spentUnits -= change;
      else this.addedUnits += change;
    }
    this.good = { usd, units, atMs, atMonotonicMs };
    this.up = true;
    this.lastError = undefined;
    this.count(seconds);
  }

  /** failed records a failed attempt; `seconds` is absent when no request was sent. */
  failed(error: UpstreamError, seconds?: number): void {
    this.up = false;
    this.lastError = error;
    this.errors.set(error.code, (this.errors.get(error.code) ?? 0) + 1);
    this.count(seconds);
  }

  /**
   * held records an attempt that sent nothing: its token waits out a 429 another attempt
   * was answered. The account is not up (its balance is not being read) and nothing is counted.
   */
  held(error: UpstreamError): void {
    this.up = false;
    this.lastError = error;
  }

  /** balanceExpiresAtMs is the first moment (monotonic) the good balance is no longer exported. */
  balanceExpiresAtMs(): number | undefined {
    return this.good && this.good.atMonotonicMs + this.maxStaleMs;
  }

  /** balanceAt is the balance exported at `nowMs` (monotonic): the last good one, until it is max-stale old. */
  balanceAt(nowMs: number): number | undefined {
    const expiresAtMs = this.balanceExpiresAtMs();
    return expiresAtMs !== undefined && nowMs < expiresAtMs ? this.good!.usd : undefined;
  }

  private count(seconds: number | undefined): void {
    this.attempts++;
    if (seconds !== undefined) {
      const bucket = LATENCY_BUCKETS_SECONDS.findIndex((bound) => seconds <= bound);
      this.latency.counts[bucket < 0 ? LATENCY_BUCKETS_SECONDS.length : bucket]!++;
      this.latency.sum += seconds;
      this.latency.count++;
    }
  }
}

/** unitsToUsd turns a count of ten-thousandths back into dollars for the exposition. */
export const unitsToUsd = (units: number) => units / 1e4;
