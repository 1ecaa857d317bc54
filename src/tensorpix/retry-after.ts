import { fail, ok, type Result } from '../result';

/** MAX_RETRY_AFTER_MS bounds how long a 429 may silence the upstream: a bad header must not mute it for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

// Any number of digits: a wait beyond the cap is held to the cap, not unreadable (a count
// too long for a number reads as Infinity, which the cap bounds too).
const SECONDS = /^\d+$/;

/**
 * parseRetryAfter reads a Retry-After header (delay-seconds or an HTTP date, RFC 9110
 * §10.2.3) and returns the wait in whole milliseconds, from 0 to MAX_RETRY_AFTER_MS (a
 * longer one, in seconds or as a far date, is held to it), or a problem when the header is
 * absent or unreadable (the caller then backs off as for any failure).
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): Result<number> {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return fail('no Retry-After');
  let waitMs: number;
  if (SECONDS.test(value)) {
    waitMs = Number(value) * 1000;
  } else {
    const at = Date.parse(value);
    // Date.parse accepts odd forms such as "1"; an HTTP date always names a weekday or month.
    if (Number.isNaN(at) || !/[a-z]{3}/i.test(value))
      return fail('Retry-After is neither seconds nor an HTTP date');
    waitMs = at - nowMs;
  }
  return ok(Math.round(Math.min(Math.max(waitMs, 0), MAX_RETRY_AFTER_MS)));
}
