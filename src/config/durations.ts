import { fail, ok, type Result } from '../result';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const WHOLE = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/g;

/** DurationRange is the inclusive range, in whole milliseconds, a setting may take. */
export interface DurationRange {
  minMs: number;
  maxMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * RANGES are the documented bounds of every duration setting. A timeout of 60 days or
 * 1.5 ms is a mistake, not a setting; and keeping every value far below 2³¹−1 ms means no
 * timer built from them can overflow.
 */
export const RANGES = {
  /** --tensorpix.timeout and `timeout` in the accounts file: one attempt of an account. */
  timeout: { minMs: 10, maxMs: 5 * MINUTE },
  /** --web.timeout-offset: taken off Prometheus' scrape timeout. */
  timeoutOffset: { minMs: 0, maxMs: MINUTE },
  /** --cache.ttl: how long a good balance is served without asking the API. */
  ttl: { minMs: 0, maxMs: DAY },
  /** --cache.max-stale: from the TTL (checked apart) up to 30 days, and never 0: a balance must be exported at least a second. */
  maxStale: { minMs: SECOND, maxMs: 30 * DAY },
  /** rate_limit.interval of the web config file. */
  rateLimitInterval: { minMs: 1, maxMs: HOUR },
} as const satisfies Record<string, DurationRange>;

/**
 * parseDuration reads the durations Prometheus tools accept on their command lines:
 * Go's form (`0.5s`, `1h30m`, `250ms`) plus Prometheus' `d`, `w` and `y` (a year is 365
 * days, as in Prometheus), and a bare `0`. It returns whole milliseconds (rounded), or a
 * problem for anything else (signs, spaces, exponents, unknown units). The libraries on
 * npm either miss Go's fractions or accept prose such as "5 minutes", so this grammar is
 * written out here.
 */
export function parseDuration(text: string): Result<number> {
  const exact = exactMs(text);
  return exact.ok ? ok(Math.round(exact.value)) : exact;
}

/** exactMs is parseDuration before rounding, so that a range holds for what was written. */
function exactMs(text: string): Result<number> {
  const problem = `must be a duration such as 500ms, 30s, 5m or 1h, not "${text}"`;
  if (text === '0') return ok(0);
  if (!WHOLE.test(text)) return fail(problem);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Number.isFinite(total) ? ok(total) : fail(problem);
}

/** formatDuration writes whole milliseconds back in the shortest exact form parseDuration reads. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** parseDurationIn parses `text` and checks it lies in `range`; problems name the range. */
export function parseDurationIn(text: string, range: DurationRange): Result<number> {
  const exact = exactMs(text);
  if (!exact.ok) return exact;
  const { minMs, maxMs } = range;
  // The range holds for the value written: 9.5ms is not rounded into a 10ms minimum.
  if (exact.value < minMs || exact.value > maxMs)
    return fail(`must be from ${formatDuration(minMs)} to ${formatDuration(maxMs)}, not "${text}"`);
  return ok(Math.round(exact.value));
}
