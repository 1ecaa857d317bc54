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

/**
 * parseDuration reads the durations Prometheus tools accept on their command lines:
 * Go's form (`0.5s`, `1h30m`, `250ms`) plus Prometheus' `d`, `w` and `y` (a year is 365
 * days, as in Prometheus), and a bare `0`. It returns milliseconds, or undefined for
 * anything else (signs, spaces, unknown units). The libraries on npm either miss Go's
 * fractions or accept prose such as "5 minutes", so this grammar is written out here.
 */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Number.isFinite(total) ? total : undefined;
}
