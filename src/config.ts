import { parseDuration } from './duration';
import { readCredentials } from './credentials';
import { FLAGS, readFlags } from './flags';
import { parseListenAddress, type ListenAddress } from './listen-address';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE, parseAccountsFile } from './accounts-file';
import { checkApiUrl } from './api-url';
import type { AccountSpec } from './exporter';
import { parseWebConfig, type WebConfig } from './web-config';

/** Config is the whole, checked configuration of one run. It is frozen. */
export interface Config {
  listen: ListenAddress;
  telemetryPath: string;
  timeoutOffsetMs: number;
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
  caCert?: string;
  concurrency: number;
  cacheTtlMs: number;
  cacheMaxStaleMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  demo: boolean;
  check: boolean;
}

export type LoadResult =
  | { kind: 'run'; config: Readonly<Config> }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'invalid'; problems: string[] };

export interface ConfigSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** readFile reads a file as UTF-8 and throws an error with a `code` when it cannot. */
  readFile: (path: string) => string;
}

const RESERVED_PATHS = new Set(['/', '/-/healthy', '/-/ready', '/-/reload']);

/**
 * loadConfig turns flags, environment and the files they name into one Config, or
 * returns every problem at once, one line each. No message ever contains a token.
 */
export function loadConfig(sources: ConfigSources): LoadResult {
  const problems: string[] = [];
  const given = readFlags(sources, problems);
  if (given === 'help' || given === 'version') return { kind: given };

  const raw = (name: string) => given.get(name) ?? FLAGS.find((f) => f.name === name)?.default ?? '';
  const has = (name: string) => given.has(name);
  const bool = (name: string): boolean => {
    const value = raw(name).toLowerCase();
    if (value === '' || value === 'false' || value === '0') return false;
    if (value === 'true' || value === '1') return true;
    problems.push(`--${name} must be true or false, not "${raw(name)}"`);
    return false;
  };
  const duration = (name: string, min: number): number => {
    const ms = parseDuration(raw(name));
    if (ms === undefined)
      problems.push(`--${name} must be a duration such as 500ms, 30s, 5m or 1h, not "${raw(name)}"`);
    else if (ms < min) problems.push(`--${name} must be ${min === 0 ? 'at least 0' : 'more than 0'}`);
    return ms ?? 0;
  };
  const file = (name: string): string | undefined => {
    const path = raw(name);
    try {
      return sources.readFile(path);
    } catch (error) {
      problems.push(`--${name}: cannot read ${path} (${(error as { code?: string }).code ?? 'error'})`);
      return undefined;
    }
  };

  const listen = parseListenAddress(raw('web.listen-address'));
  if (!listen)
    problems.push(
      `--web.listen-address must be HOST:PORT or :PORT with a port up to 65535, not "${raw('web.listen-address')}"`,
    );
  const telemetryPath = raw('web.telemetry-path');
  if (!/^\/[\w./-]*$/.test(telemetryPath) || RESERVED_PATHS.has(telemetryPath)) {
    problems.push(
      `--web.telemetry-path must be a path such as /metrics, other than / and /-/*, not "${telemetryPath}"`,
    );
  }
  const checkedApiUrl = checkApiUrl(raw('tensorpix.api-url'));
  if (checkedApiUrl === undefined) {
    problems.push(
      '--tensorpix.api-url must be an http:// or https:// URL without credentials, query or fragment',
    );
  }
  const apiUrl = checkedApiUrl ?? '';
  const concurrency = Number(raw('tensorpix.concurrency'));
  if (!/^\d+$/.test(raw('tensorpix.concurrency')) || concurrency < 1 || concurrency > 256) {
    problems.push(
      `--tensorpix.concurrency must be a whole number from 1 to 256, not "${raw('tensorpix.concurrency')}"`,
    );
  }
  const demo = bool('demo');
  const accountName = given.get('tensorpix.account-name') ?? (demo ? 'demo' : 'default');
  if (!ACCOUNT_NAME.test(accountName)) problems.push(`--tensorpix.account-name must be ${ACCOUNT_NAME_RULE}`);
  const cacheTtlMs = duration('cache.ttl', 0);
  const cacheMaxStaleMs = duration('cache.max-stale', 0);
  if (cacheMaxStaleMs < cacheTtlMs) problems.push('--cache.max-stale must not be shorter than --cache.ttl');
  const logLevel = oneOf(raw('log.level'), LOG_LEVELS, 'log.level', problems);
  const logFormat = oneOf(raw('log.format'), LOG_FORMATS, 'log.format', problems);
  const caCert = has('tensorpix.ca-file') ? file('tensorpix.ca-file') : undefined;
  if (caCert !== undefined && !caCert.includes('-----BEGIN CERTIFICATE-----')) {
    problems.push(`--tensorpix.ca-file: ${raw('tensorpix.ca-file')} holds no PEM certificate`);
  }
  let web: WebConfig | undefined;
  if (has('web.config.file')) {
    const parsed = parseWebConfig(raw('web.config.file'), sources.readFile);
    if (Array.isArray(parsed)) problems.push(...parsed.map((problem) => `--web.config.file: ${problem}`));
    else web = parsed;
  }
  const upstreamTimeoutMs = duration('tensorpix.timeout', 1);
  const configFile = has('config.file') ? raw('config.file') : undefined;
  const token = readCredentials(
    demo,
    has('tensorpix.token-file') ? raw('tensorpix.token-file') : undefined,
    configFile,
    sources,
    problems,
  );
  let accounts: AccountSpec[] = token
    ? [{ name: accountName, apiUrl, timeoutMs: upstreamTimeoutMs, token }]
    : [];
  if (configFile !== undefined) {
    if (has('tensorpix.account-name'))
      problems.push(
        '--tensorpix.account-name does not apply with --config.file: name the accounts in the file',
      );
    const parsed = parseAccountsFile(configFile, sources.readFile, { apiUrl, timeoutMs: upstreamTimeoutMs });
    if (typeof parsed[0] === 'string')
      problems.push(...(parsed as string[]).map((problem) => `--config.file: ${problem}`));
    else accounts = parsed as AccountSpec[];
  }

  const config: Config = {
    listen: listen ?? { port: 0 },
    telemetryPath,
    timeoutOffsetMs: duration('web.timeout-offset', 0),
    enableLifecycle: bool('web.enable-lifecycle'),
    ...(web && { web }),
    exporterMetrics: !bool('web.disable-exporter-metrics'),
    apiUrl,
    upstreamTimeoutMs,
    accountName,
    accounts,
    ...(configFile !== undefined && { configFile }),
    ...(caCert !== undefined && { caCert }),
    concurrency,
    cacheTtlMs,
    cacheMaxStaleMs,
    logLevel,
    logFormat,
    demo,
    check: bool('config.check'),
  };
  if (problems.length > 0) return { kind: 'invalid', problems };
  return { kind: 'run', config: Object.freeze(config) };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string, problems: string[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  return allowed[0]!;
}
