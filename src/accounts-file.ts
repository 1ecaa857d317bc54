import { dirname, resolve } from 'node:path';
import { readYamlFile } from './yaml-file';
import { parseDuration } from './duration';
import { checkApiUrl } from './api-url';
import type { AccountSpec } from './exporter';
import { tokenFileProblem } from './token';

/** ACCOUNT_NAME is what an `account` label value may be: short, and safe in any URL or file name. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
export const ACCOUNT_NAME_RULE = '1-63 letters, digits, "_", "." or "-", starting with a letter or digit';

const TOP_KEYS = ['accounts', 'api_url', 'timeout'];
const ACCOUNT_KEYS = ['name', 'token_file', 'api_url', 'timeout'];

export interface AccountDefaults {
  apiUrl: string;
  timeoutMs: number;
}

type Mapping = Record<string, unknown>;
const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * parseAccountsFile reads --config.file: a list of accounts, each a name and a token file,
 * with optional `api_url` and `timeout` per account and at the top. It checks every
 * token file now (relative paths are taken from the file's folder) and returns the
 * accounts, or every problem at once. It is called again on each reload.
 */
export function parseAccountsFile(
  path: string,
  readFile: (path: string) => string,
  defaults: AccountDefaults,
): AccountSpec[] | string[] {
  const yaml = readYamlFile(path, readFile);
  if ('problem' in yaml) return [yaml.problem];
  const document = yaml.document;
  if (!isMapping(document)) return [`${path} must hold a YAML mapping with an accounts list`];
  const problems: string[] = [];
  for (const key of Object.keys(document)) if (!TOP_KEYS.includes(key)) problems.push(`unknown key ${key}`);
  const base = settings(document, '', defaults, problems);
  if (!Array.isArray(document.accounts) || document.accounts.length === 0) {
    problems.push('accounts must be a list of at least one account');
    return problems;
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
    const own = settings(entry, `${where}.`, base, problems);
    if (typeof tokenFile !== 'string' || tokenFile === '')
      return problems.push(`${where}.token_file is required`);
    const tokenPath = resolve(dirname(path), tokenFile);
    const problem = tokenFileProblem(tokenPath, readFile);
    if (problem) problems.push(`${where}: ${problem}`);
    if (typeof name === 'string')
      accounts.push({
        name,
        apiUrl: own.apiUrl,
        timeoutMs: own.timeoutMs,
        token: { kind: 'file', path: tokenPath },
      });
  });
  return problems.length > 0 ? problems : accounts;
}

/** settings reads the optional api_url and timeout of a mapping over inherited ones. */
function settings(
  mapping: Mapping,
  prefix: string,
  inherited: AccountDefaults,
  problems: string[],
): AccountDefaults {
  let { apiUrl, timeoutMs } = inherited;
  if (mapping.api_url !== undefined) {
    const checked = typeof mapping.api_url === 'string' ? checkApiUrl(mapping.api_url) : undefined;
    if (checked === undefined)
      problems.push(
        `${prefix}api_url must be an http:// or https:// URL without credentials, query or fragment`,
      );
    else apiUrl = checked;
  }
  if (mapping.timeout !== undefined) {
    const ms = typeof mapping.timeout === 'string' ? parseDuration(mapping.timeout) : undefined;
    if (!ms) problems.push(`${prefix}timeout must be a duration above 0 such as 5s`);
    else timeoutMs = ms;
  }
  return { apiUrl, timeoutMs };
}
