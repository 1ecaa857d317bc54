import { dirname, resolve } from 'node:path';
import { collect, fail, ok, type Result } from '../result';
import { bcryptHashProblem } from './bcrypt-hash';
import { parseDurationIn, RANGES } from './durations';
import type { FileReader } from './sources';
import { readConfigFile, readYamlFile } from './yaml-file';
import { shown } from './shown';
import { headerProblem } from './web-headers';
import { readTlsSettings, type TlsSettings } from './web-tls-settings';
import { isMapping, stringList, type Mapping } from './yaml-values';

/**
 * WebConfig is prometheus/exporter-toolkit's web configuration (--web.config.file), so
 * operators can reuse the file their other exporters already read.
 */
export interface WebConfig {
  tls?: TlsSettings;
  headers: Record<string, string>;
  /** users maps each basic-auth user to a bcrypt hash; empty means no authentication. */
  users: Map<string, string>;
  /** authExcludedPaths are served without basic auth (exporter-toolkit's basic_auth_excluded_paths). */
  authExcludedPaths: string[];
  rateLimit?: { intervalMs: number; burst: number };
}

const KEYS: Record<string, readonly string[]> = {
  '': [
    'tls_server_config',
    'http_server_config',
    'basic_auth_users',
    'basic_auth_excluded_paths',
    'rate_limit',
  ],
  tls_server_config: [
    'cert',
    'key',
    'client_ca',
    'cert_file',
    'key_file',
    'client_ca_file',
    'client_auth_type',
    'client_allowed_sans',
    'min_version',
    'max_version',
    'cipher_suites',
    'prefer_server_cipher_suites',
    'curve_preferences',
  ],
  http_server_config: ['http2', 'headers'],
  rate_limit: ['interval', 'burst'],
};

function unknownKeys(section: Mapping, path: string, problems: string[]): void {
  const allowed = KEYS[path] ?? [];
  for (const key of Object.keys(section)) {
    if (!allowed.includes(key)) problems.push(`unknown key ${path ? `${path}.` : ''}${key}`);
  }
}

/** readTlsSection reads tls_server_config, if given. */
function readTlsSection(
  document: Mapping,
  path: string,
  readFile: FileReader,
  problems: string[],
): TlsSettings | undefined {
  if (document.tls_server_config === undefined) return undefined;
  const section = document.tls_server_config;
  if (!isMapping(section)) {
    problems.push('tls_server_config must be a mapping');
    return undefined;
  }
  unknownKeys(section, 'tls_server_config', problems);
  // A problem may not repeat a file's name as the key wrote it, when that looks like a
  // secret pasted in its place: what each located path was given as is kept for read.
  const written = new Map<string, string>();
  const locate = (file: string) => {
    const located = resolve(dirname(path), file);
    written.set(located, file);
    return located;
  };
  const read = (file: string) => readConfigFile(file, readFile, written.get(file));
  return readTlsSettings(section, path, locate, read, problems);
}

/** readHeaders reads http_server_config: its http2 switch is checked, its headers kept. */
function readHeaders(document: Mapping, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const http = document.http_server_config;
  if (http === undefined) return headers;
  if (!isMapping(http)) {
    problems.push('http_server_config must be a mapping');
    return headers;
  }
  unknownKeys(http, 'http_server_config', problems);
  if (http.http2 !== undefined && typeof http.http2 !== 'boolean')
    problems.push('http_server_config.http2 must be true or false');
  if (http.headers !== undefined && !isMapping(http.headers))
    problems.push('http_server_config.headers must be a mapping');
  for (const [name, value] of Object.entries(isMapping(http.headers) ? http.headers : {})) {
    const problem = headerProblem(name, value);
    if (problem) problems.push(problem);
    else if (value !== '') headers[name] = value as string;
  }
  return headers;
}

/** readUsers reads basic_auth_users: each user's bcrypt hash. */
function readUsers(document: Mapping, problems: string[]): Map<string, string> {
  const users = new Map<string, string>();
  if (document.basic_auth_users === undefined || document.basic_auth_users === null) return users;
  if (!isMapping(document.basic_auth_users)) {
    problems.push('basic_auth_users must be a mapping of user to bcrypt hash');
    return users;
  }
  for (const [user, hash] of Object.entries(document.basic_auth_users)) {
    // The hash itself is never repeated in the message: it still stands for a password.
    const problem = bcryptHashProblem(hash);
    if (problem) problems.push(`basic_auth_users: the password of ${shown(user)} ${problem}`);
    else users.set(user, hash as string);
  }
  return users;
}

/** readRateLimit reads rate_limit, if given: a bucket of `burst` requests refilled every interval. */
function readRateLimit(document: Mapping, problems: string[]): WebConfig['rateLimit'] {
  if (document.rate_limit === undefined) return undefined;
  const section = document.rate_limit;
  if (!isMapping(section)) {
    problems.push('rate_limit must be a mapping');
    return undefined;
  }
  unknownKeys(section, 'rate_limit', problems);
  const intervalMs = collect(
    parseDurationIn(typeof section.interval === 'string' ? section.interval : '', RANGES.rateLimitInterval),
    problems,
    'rate_limit.interval ',
  );
  const burst = section.burst;
  // With no room for one request the bucket never lets one through, /-/healthy included.
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 1)
    problems.push('rate_limit.burst must be a whole number of at least 1');
  return intervalMs !== undefined && typeof burst === 'number' ? { intervalMs, burst } : undefined;
}

/**
 * parseWebConfig checks a web configuration file's text and reads the files it names
 * (relative paths are taken from the file's folder). It returns the config or every
 * problem, each naming the key it is about.
 */
export function parseWebConfig(path: string, readFile: FileReader): Result<WebConfig> {
  const problems: string[] = [];
  const yaml = readYamlFile(path, readFile);
  if (!yaml.ok) return yaml;
  const document = yaml.value ?? {};
  if (!isMapping(document)) return fail(`${path} must hold a YAML mapping`);
  unknownKeys(document, '', problems);
  const tls = readTlsSection(document, path, readFile, problems);
  const headers = readHeaders(document, problems);
  const users = readUsers(document, problems);
  const authExcludedPaths = stringList(
    document.basic_auth_excluded_paths,
    'basic_auth_excluded_paths',
    problems,
  );
  const rateLimit = readRateLimit(document, problems);
  if (problems.length > 0) return fail(...problems);
  return ok({ ...(tls && { tls }), headers, users, authExcludedPaths, ...(rateLimit && { rateLimit }) });
}
