import { timerMs } from '../accounts/timing';

/**
 * SETTLE_GRACE_MS is how much longer than the longest account timeout a scrape without
 * Prometheus' header waits, so that an attempt that times out is already counted in the
 * answer of the scrape that waited for it.
 */
const SETTLE_GRACE_MS = 50;

// What Prometheus sends (strconv.FormatFloat) and what Go's ParseFloat reads, without signs.
const SECONDS = /^\s*(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i;

/**
 * scrapeWaitMs is how long one scrape waits for its accounts' attempts before it answers
 * with their state as it stands. With Prometheus' X-Prometheus-Scrape-Timeout-Seconds it
 * is that timeout minus --web.timeout-offset (half the timeout when the offset would
 * leave nothing), so the answer is never later than Prometheus waits. Without a usable
 * header (curl sends none) it is the longest account timeout and a grace. It is never
 * longer than that either: every attempt has ended by then.
 */
export function scrapeWaitMs(header: string | undefined, longestTimeoutMs: number, offsetMs: number): number {
  const withoutHeaderMs = longestTimeoutMs + SETTLE_GRACE_MS;
  const seconds = header !== undefined && SECONDS.test(header) ? Number(header) : NaN;
  if (!(seconds > 0) || !Number.isFinite(seconds)) return timerMs(withoutHeaderMs);
  const scrapeTimeoutMs = seconds * 1000;
  const budgetMs = scrapeTimeoutMs > offsetMs ? scrapeTimeoutMs - offsetMs : scrapeTimeoutMs / 2;
  return timerMs(Math.min(budgetMs, withoutHeaderMs));
}
