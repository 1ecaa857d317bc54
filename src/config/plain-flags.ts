import { LOG_FORMATS, LOG_LEVELS } from '../log/logger';
import { collect, type Result } from '../result';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE } from './accounts-file';
import { checkApiUrl } from './api-url';
import type { Config } from './config';
import { parseDurationIn, RANGES, type DurationRange } from './durations';
import { FLAGS } from './flags';
import { parseListenAddress } from './listen-address';

// The flags read on their own, before any file: each a value checked against its rule.

/**
 * reservedPath: `/` is the landing page and `/-/` the exporter's own endpoints (health,
 * readiness, reload), now and any added later, as in Prometheus' own servers.
 */
const reservedPath = (path: string) => path === '/' || path === '/-' || path.startsWith('/-/');

/** FlagValues reads the given flags, each problem pushed onto the load's list. */
export interface FlagValues {
  given: ReadonlyMap<string, string>;
  /** raw is the flag as given, else its default, else ''. */
  raw(name: string): string;
  has(name: string): boolean;
  check<T>(name: string, result: Result<T>, fallback: T): T;
  bool(name: string): boolean;
  duration(name: string, range: DurationRange): number;
}

export function flagValues(given: ReadonlyMap<string, string>, problems: string[]): FlagValues {
  const raw = (name: string) => given.get(name) ?? FLAGS.find((f) => f.name === name)?.default ?? '';
  const check = <T>(name: string, result: Result<T>, fallback: T): T =>
    collect(result, problems, `--${name} `) ?? fallback;
  return {
    given,
    raw,
    has: (name) => given.has(name),
    check,
    bool(name) {
      const value = raw(name).toLowerCase();
      if (value === '' || value === 'false' || value === '0') return false;
      if (value === 'true' || value === '1') return true;
      problems.push(`--${name} must be true or false, not "${raw(name)}"`);
      return false;
    },
    duration: (name, range) => check(name, parseDurationIn(raw(name), range), range.minMs),
  };
}

/** PlainFlags are the settings that are a flag's value alone, checked. */
export type PlainFlags = Pick<
  Config,
  | 'listen'
  | 'telemetryPath'
  | 'maxConnections'
  | 'apiUrl'
  | 'concurrency'
  | 'demo'
  | 'checkApi'
  | 'accountName'
  | 'cacheTtlMs'
  | 'cacheMaxStaleMs'
  | 'logLevel'
  | 'logFormat'
>;

/** readPlainFlags reads the settings that need no file and no other setting but the demo's name. */
export function readPlainFlags(flags: FlagValues, problems: string[]): PlainFlags {
  const { raw, check, bool, duration } = flags;
  const listen = check('web.listen-address', parseListenAddress(raw('web.listen-address')), { port: 0 });
  const telemetryPath = raw('web.telemetry-path');
  if (!/^\/[\w./-]*$/.test(telemetryPath) || reservedPath(telemetryPath)) {
    problems.push(
      `--web.telemetry-path must be a path such as /metrics, other than / and /-/*, not "${telemetryPath}"`,
    );
  }
  const maxConnections = wholeNumber(raw('web.max-connections'), 8, 65536, 'web.max-connections', problems);
  const apiUrl = check('tensorpix.api-url', checkApiUrl(raw('tensorpix.api-url')), '');
  const concurrency = wholeNumber(raw('tensorpix.concurrency'), 1, 256, 'tensorpix.concurrency', problems);
  const demo = bool('demo');
  const checkApi = bool('config.check.api');
  const accountName = flags.given.get('tensorpix.account-name') ?? (demo ? 'demo' : 'default');
  if (!ACCOUNT_NAME.test(accountName)) problems.push(`--tensorpix.account-name must be ${ACCOUNT_NAME_RULE}`);
  const cacheTtlMs = duration('cache.ttl', RANGES.ttl);
  const cacheMaxStaleMs = duration('cache.max-stale', RANGES.maxStale);
  if (cacheMaxStaleMs < cacheTtlMs) problems.push('--cache.max-stale must not be shorter than --cache.ttl');
  const logLevel = oneOf(raw('log.level'), LOG_LEVELS, 'log.level', problems);
  const logFormat = oneOf(raw('log.format'), LOG_FORMATS, 'log.format', problems);
  return {
    listen,
    telemetryPath,
    maxConnections,
    apiUrl,
    concurrency,
    demo,
    checkApi,
    accountName,
    cacheTtlMs,
    cacheMaxStaleMs,
    logLevel,
    logFormat,
  };
}

function wholeNumber(value: string, min: number, max: number, name: string, problems: string[]): number {
  const number = Number(value);
  if (/^\d+$/.test(value) && number >= min && number <= max) return number;
  problems.push(`--${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return min;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string, problems: string[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  return allowed[0]!;
}
