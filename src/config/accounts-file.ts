import { dirname, resolve } from 'node:path';
import type { AccountSpec } from '../accounts/account-spec';
import { collect, fail, ok, type Result } from '../result';
import { checkApiUrl } from './api-url';
import { parseDurationIn, RANGES } from './durations';
import type { FileReader } from './sources';
import { NO_PROXY_DEFAULTS, routeFor, type ProxyDefaults, type ProxySetting } from './proxy-settings';
import { proxyFromMapping } from './read-proxy-setting';
import { checkTokenFile } from '../accounts/token-file';
import { readYamlFile } from './yaml-file';
import { isMapping, type Mapping } from './yaml-values';

/** ACCOUNT_NAME is what an `account` label value may be: short, and safe in any URL or file name. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
export const ACCOUNT_NAME_RULE = '1-63 letters, digits, "_", "." or "-", starting with a letter or digit';

const SHARED_KEYS = ['api_url', 'timeout', 'proxy_url', 'proxy_credentials_file'];
const TOP_KEYS = ['accounts', ...SHARED_KEYS];
const ACCOUNT_KEYS = ['name', 'token_file', ...SHARED_KEYS];

export interface AccountDefaults {
  apiUrl: string;
  timeoutMs: number;
  /** proxy is the flags' proxy setting and the environment's variables; none when absent. */
  proxy?: ProxyDefaults;
}

/** Level is what the file's top or an account sets, over what it inherits. */
interface Level {
  apiUrl: string;
  timeoutMs: number;
  proxy: ProxySetting;
}

/**
 * readAccountsFile reads --config.file: a list of accounts, each a name and a token file,
 * with optional `api_url`, `timeout`, `proxy_url` and `proxy_credentials_file` per
 * account and at the top. It checks every token and credentials file now (relative paths
 * are taken from the file's folder), decides each account's proxy route, and returns the
 * accounts, or every problem at once. It is called again on each reload.
 */
export function readAccountsFile(
  path: string,
  readFile: FileReader,
  defaults: AccountDefaults,
): Result<AccountSpec[]> {
  const yaml = readYamlFile(path, readFile);
  if (!yaml.ok) return yaml;
  const document = yaml.value;
  if (!isMapping(document)) return fail(`${path} must hold a YAML mapping with an accounts list`);
  const problems: string[] = [];
  for (const key of Object.keys(document)) if (!TOP_KEYS.includes(key)) problems.push(`unknown key ${key}`);
  const { env } = defaults.proxy ?? NO_PROXY_DEFAULTS;
  const fromFile = (file: string) => resolve(dirname(path), file);
  const read = { fromFile, readFile };
  const inherited = { ...defaults, proxy: (defaults.proxy ?? NO_PROXY_DEFAULTS).setting };
  const base = settings(document, '', inherited, read, problems);
  if (!Array.isArray(document.accounts) || document.accounts.length === 0) {
    problems.push('accounts must be a list of at least one account');
    return fail(...problems);
  }

  const accounts: AccountSpec[] = [];
  const seen = new Set<string>();
  document.accounts.forEach((entry: unknown, index: number) => {
    const where = `accounts[${index}]`;
    if (!isMapping(entry)) return problems.push(`${where} must be a mapping with name and token_file`);
    for (const key of Object.keys(entry))
      if (!ACCOUNT_KEYS.includes(key)) problems.push(`unknown key ${where}.${key}`);
    const { name, token_file: tokenFile } = entry;
    if (typeof name !== 'string' || !ACCOUNT_NAME.test(name))
      problems.push(`${where}.name must be ${ACCOUNT_NAME_RULE}`);
    else if (seen.has(name)) problems.push(`${where}.name ${name} is used twice`);
    else seen.add(name);
    const own = settings(entry, `${where}.`, base, read, problems);
    if (typeof tokenFile !== 'string' || tokenFile === '')
      return problems.push(`${where}.token_file is required`);
    const tokenPath = fromFile(tokenFile);
    collect(checkTokenFile(tokenPath, readFile, `${where}.token_file`, tokenFile), problems, `${where}: `);
    // Without a valid API URL (a problem already reported) there is no route to decide.
    const route = own.apiUrl
      ? collect(routeFor(own.apiUrl, own.proxy, env), problems, `${where}: `)
      : undefined;
    if (typeof name === 'string' && route)
      accounts.push({
        name,
        apiUrl: own.apiUrl,
        timeoutMs: own.timeoutMs,
        token: { kind: 'file', path: tokenPath },
        tokenFrom: `token_file ${tokenPath} in ${path}`,
        route,
      });
  });
  return problems.length > 0 ? fail(...problems) : ok(accounts);
}

/** settings reads the optional api_url, timeout and proxy keys of a mapping over inherited ones. */
function settings(
  mapping: Mapping,
  prefix: string,
  inherited: Level,
  read: { fromFile: (file: string) => string; readFile: FileReader },
  problems: string[],
): Level {
  let { apiUrl, timeoutMs } = inherited;
  if (mapping.api_url !== undefined) {
    const checked = checkApiUrl(typeof mapping.api_url === 'string' ? mapping.api_url : '');
    apiUrl = collect(checked, problems, `${prefix}api_url `) ?? apiUrl;
  }
  if (mapping.timeout !== undefined) {
    const parsed =
      typeof mapping.timeout === 'string'
        ? parseDurationIn(mapping.timeout, RANGES.timeout)
        : fail(`must be a duration such as 5s, not ${JSON.stringify(mapping.timeout)}`);
    timeoutMs = collect(parsed, problems, `${prefix}timeout `) ?? timeoutMs;
  }
  const proxy = proxyFromMapping(mapping, prefix, inherited.proxy, read.fromFile, read.readFile, problems);
  return { apiUrl, timeoutMs, proxy };
}
