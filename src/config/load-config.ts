import type { AccountSpec } from '../accounts/account-spec';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../log/logger';
import { collect, fail, type Result } from '../result';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE, readAccountsFile } from './accounts-file';
import { checkApiUrl } from './api-url';
import { readCredentials } from './credentials';
import { parseDurationIn, RANGES, type DurationRange } from './durations';
import { FLAGS } from './flags';
import { parseListenAddress, type ListenAddress } from './listen-address';
import { readProxyEnv } from './proxy-env';
import { readFlags, sourceOf } from './read-flags';
import type { ConfigSources } from './sources';
import { routeFor, type ProxyDefaults } from './proxy-settings';
import { proxyFromFlags } from './read-proxy-setting';
import { parseWebConfig, type WebConfig } from './web-config';
import { readConfigFile } from './yaml-file';

/** Config is the whole, checked configuration of one run. It is frozen. */
export interface Config {
  listen: ListenAddress;
  telemetryPath: string;
  timeoutOffsetMs: number;
  /** maxConnections is --web.max-connections: client connections open at once. */
  maxConnections: number;
  enableLifecycle: boolean;
  /** web is the parsed --web.config.file, absent without one. */
  web?: WebConfig;
  exporterMetrics: boolean;
  apiUrl: string;
  upstreamTimeoutMs: number;
  /** accountName is the account label under --demo and with a single token. */
  accountName: string;
  /** accounts are the accounts to watch; empty under --demo, which makes its own. */
  accounts: AccountSpec[];
  /** configFile is --config.file, read again on each reload. */
  configFile?: string;
  /** proxy is the flags' proxy setting and the proxy variables, read once; reloads start from it. */
  proxy?: ProxyDefaults;
  caCert?: string;
  concurrency: number;
  cacheTtlMs: number;
  cacheMaxStaleMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  demo: boolean;
  /** check is --config.check (or --config.check.api): check, print and exit instead of running. */
  check: boolean;
  /** checkApi is --config.check.api: the check also asks the API once per account. */
  checkApi: boolean;
}

export type LoadResult =
  | { kind: 'run'; config: Readonly<Config> }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'invalid'; problems: string[] };

const RESERVED_PATHS = new Set(['/', '/-/healthy', '/-/ready', '/-/reload']);

/**
 * loadConfig turns flags, environment and the files they name into one Config, or
 * returns every problem at once, one line each. No message ever contains a token.
 */
export function loadConfig(sources: ConfigSources): LoadResult {
  const problems: string[] = [];
  const onCommandLine = new Set<string>();
  const given = readFlags(sources, problems, onCommandLine);
  if (given === 'help' || given === 'version') return { kind: given };

  const raw = (name: string) => given.get(name) ?? FLAGS.find((f) => f.name === name)?.default ?? '';
  const has = (name: string) => given.has(name);
  const check = <T>(name: string, result: Result<T>, fallback: T): T =>
    collect(result, problems, `--${name} `) ?? fallback;
  const bool = (name: string): boolean => {
    const value = raw(name).toLowerCase();
    if (value === '' || value === 'false' || value === '0') return false;
    if (value === 'true' || value === '1') return true;
    problems.push(`--${name} must be true or false, not "${raw(name)}"`);
    return false;
  };
  const duration = (name: string, range: DurationRange): number =>
    check(name, parseDurationIn(raw(name), range), range.minMs);

  const listen = check('web.listen-address', parseListenAddress(raw('web.listen-address')), { port: 0 });
  const telemetryPath = raw('web.telemetry-path');
  if (!/^\/[\w./-]*$/.test(telemetryPath) || RESERVED_PATHS.has(telemetryPath)) {
    problems.push(
      `--web.telemetry-path must be a path such as /metrics, other than / and /-/*, not "${telemetryPath}"`,
    );
  }
  const maxConnections = wholeNumber(raw('web.max-connections'), 8, 65536, 'web.max-connections', problems);
  const apiUrl = check('tensorpix.api-url', checkApiUrl(raw('tensorpix.api-url')), '');
  const concurrency = wholeNumber(raw('tensorpix.concurrency'), 1, 256, 'tensorpix.concurrency', problems);
  const demo = bool('demo');
  const checkApi = bool('config.check.api');
  const accountName = given.get('tensorpix.account-name') ?? (demo ? 'demo' : 'default');
  if (!ACCOUNT_NAME.test(accountName)) problems.push(`--tensorpix.account-name must be ${ACCOUNT_NAME_RULE}`);
  const cacheTtlMs = duration('cache.ttl', RANGES.ttl);
  const cacheMaxStaleMs = duration('cache.max-stale', RANGES.maxStale);
  if (cacheMaxStaleMs < cacheTtlMs) problems.push('--cache.max-stale must not be shorter than --cache.ttl');
  const logLevel = oneOf(raw('log.level'), LOG_LEVELS, 'log.level', problems);
  const logFormat = oneOf(raw('log.format'), LOG_FORMATS, 'log.format', problems);
  const caCert = has('tensorpix.ca-file')
    ? collect(readCaFile(raw('tensorpix.ca-file'), sources), problems, '--tensorpix.ca-file: ')
    : undefined;
  const web = has('web.config.file')
    ? collect(parseWebConfig(raw('web.config.file'), sources.readFile), problems, '--web.config.file: ')
    : undefined;
  const upstreamTimeoutMs = duration('tensorpix.timeout', RANGES.timeout);
  const configFile = has('config.file') ? raw('config.file') : undefined;
  const tokenFile = has('tensorpix.token-file')
    ? { path: raw('tensorpix.token-file'), from: sourceOf('tensorpix.token-file', sources, onCommandLine) }
    : undefined;
  const credentials = readCredentials(demo, tokenFile, configFile, sources, problems);
  const proxy: ProxyDefaults = {
    setting: proxyFromFlags(given, onCommandLine, sources.env, sources.readFile, problems),
    env: readProxyEnv(sources.env),
  };
  const route =
    credentials && apiUrl ? collect(routeFor(apiUrl, proxy.setting, proxy.env), problems) : undefined;
  let accounts: AccountSpec[] =
    credentials && route
      ? [
          {
            name: accountName,
            apiUrl,
            timeoutMs: upstreamTimeoutMs,
            token: credentials.token,
            tokenFrom: credentials.from,
            route,
          },
        ]
      : [];
  if (configFile !== undefined) {
    if (has('tensorpix.account-name'))
      problems.push(
        '--tensorpix.account-name does not apply with --config.file: name the accounts in the file',
      );
    const read = readAccountsFile(configFile, sources.readFile, {
      apiUrl,
      timeoutMs: upstreamTimeoutMs,
      proxy,
    });
    accounts = collect(read, problems, '--config.file: ') ?? [];
  }

  const config: Config = {
    listen,
    telemetryPath,
    timeoutOffsetMs: duration('web.timeout-offset', RANGES.timeoutOffset),
    maxConnections,
    enableLifecycle: bool('web.enable-lifecycle'),
    ...(web && { web }),
    exporterMetrics: !bool('web.disable-exporter-metrics'),
    apiUrl,
    upstreamTimeoutMs,
    accountName,
    accounts,
    ...(configFile !== undefined && { configFile }),
    proxy,
    ...(caCert !== undefined && { caCert }),
    concurrency,
    cacheTtlMs,
    cacheMaxStaleMs,
    logLevel,
    logFormat,
    demo,
    check: bool('config.check') || checkApi,
    checkApi,
  };
  if (problems.length > 0) return { kind: 'invalid', problems };
  return { kind: 'run', config: Object.freeze(config) };
}

function readCaFile(path: string, sources: ConfigSources): Result<string> {
  const text = readConfigFile(path, sources.readFile);
  if (text.ok && !text.value.includes('-----BEGIN CERTIFICATE-----'))
    return fail(`${path} holds no PEM certificate`);
  return text;
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
