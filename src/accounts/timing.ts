/**
 * Every delay the exporter computes at run time, from inputs that may be anything (a
 * client's header, a 429's Retry-After), goes through timerMs here and leaves as a delay that
 * Node's timers and AbortSignal.timeout accept: a whole number of milliseconds from 0 to
 * 2³¹−1. Past that, Node fires a timer at once; a fraction throws a RangeError.
 */

/** MAX_TIMER_MS is the longest delay a Node timer takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** timerMs turns any number into a delay a timer accepts: NaN and negatives are 0, fractions round down, the rest is capped. */
export function timerMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(Math.floor(ms), MAX_TIMER_MS);
}

/** waitAtMost resolves when `work` settles or after `ms`, whichever is first; it never rejects. */
export function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timerMs(ms));
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}

/** MIN_BACKOFF_MS is the first wait after a failure when the TTL is shorter (even 0). */
export const MIN_BACKOFF_MS = 1000;
/** MAX_BACKOFF_MS caps the wait after repeated failures (unless the TTL is longer). */
const MAX_BACKOFF_MS = 5 * 60 * 1000;

/**
 * retryDelayMs is how long an account waits after its `failures`-th failure in a row:
 * doubling from the TTL (at least MIN_BACKOFF_MS) up to MAX_BACKOFF_MS, and never less
 * than a 429's Retry-After (already capped by its parser).
 */
export function retryDelayMs(
  failures: number,
  ttlMs: number,
  retryAfterMs = 0,
  maxBackoffMs = MAX_BACKOFF_MS,
): number {
  const baseMs = Math.max(ttlMs, MIN_BACKOFF_MS);
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const backoffMs = Math.min(baseMs * 2 ** exponent, Math.max(baseMs, maxBackoffMs));
  return Math.max(backoffMs, retryAfterMs > 0 ? retryAfterMs : 0);
}
