import type { AccountSpec } from '../accounts/account-spec';
import { collect, fail, type Result } from '../result';
import { readAccountsFile } from './accounts-file';
import type { Config } from './config';
import { readCredentials } from './credentials';
import { RANGES } from './durations';
import { certificateBundleProblems } from './pem-certificates';
import { flagValues, readPlainFlags, type FlagValues } from './plain-flags';
import { readProxyEnv } from './proxy-env';
import { routeFor, type ProxyDefaults } from './proxy-settings';
import { readFlags, sourceOf } from './read-flags';
import { proxyFromFlags } from './read-proxy-setting';
import type { ConfigSources } from './sources';
import { parseWebConfig } from './web-config';
import { readConfigFile } from './yaml-file';

export type LoadResult =
  | { kind: 'run'; config: Readonly<Config> }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'invalid'; problems: string[] };

/**
 * loadConfig turns flags, environment and the files they name into one Config, or
 * returns every problem at once, one line each. No message ever contains a token.
 * The steps read in the order of their problems' lines.
 */
export function loadConfig(sources: ConfigSources): LoadResult {
  const problems: string[] = [];
  const onCommandLine = new Set<string>();
  const given = readFlags(sources, problems, onCommandLine);
  if (given === 'help' || given === 'version') return { kind: given };
  const flags = flagValues(given, problems);
  const plain = readPlainFlags(flags, problems);
  const caCert = flags.has('tensorpix.ca-file')
    ? collect(readCaFile(flags.raw('tensorpix.ca-file'), sources), problems, '--tensorpix.ca-file: ')
    : undefined;
  const web = flags.has('web.config.file')
    ? collect(parseWebConfig(flags.raw('web.config.file'), sources.readFile), problems, '--web.config.file: ')
    : undefined;
  const upstreamTimeoutMs = flags.duration('tensorpix.timeout', RANGES.timeout);
  const { accounts, proxy, configFile } = readAccounts(
    flags,
    { ...plain, upstreamTimeoutMs },
    sources,
    onCommandLine,
    problems,
  );
  // In the order of Config's fields, as it was always built.
  const config: Config = {
    listen: plain.listen,
    telemetryPath: plain.telemetryPath,
    timeoutOffsetMs: flags.duration('web.timeout-offset', RANGES.timeoutOffset),
    maxConnections: plain.maxConnections,
    enableLifecycle: flags.bool('web.enable-lifecycle'),
    ...(web && { web }),
    exporterMetrics: !flags.bool('web.disable-exporter-metrics'),
    apiUrl: plain.apiUrl,
    upstreamTimeoutMs,
    accountName: plain.accountName,
    accounts,
    ...(configFile !== undefined && { configFile }),
    proxy,
    ...(caCert !== undefined && { caCert }),
    concurrency: plain.concurrency,
    cacheTtlMs: plain.cacheTtlMs,
    cacheMaxStaleMs: plain.cacheMaxStaleMs,
    logLevel: plain.logLevel,
    logFormat: plain.logFormat,
    demo: plain.demo,
    check: flags.bool('config.check') || plain.checkApi,
    checkApi: plain.checkApi,
  };
  if (problems.length > 0) return { kind: 'invalid', problems };
  return { kind: 'run', config: Object.freeze(config) };
}

/**
 * readAccounts reads who is watched and how requests travel: the one account of a token
 * (or its file), or the accounts of --config.file, each with its proxy route.
 */
function readAccounts(
  flags: FlagValues,
  plain: Pick<Config, 'demo' | 'apiUrl' | 'accountName' | 'upstreamTimeoutMs'>,
  sources: ConfigSources,
  onCommandLine: ReadonlySet<string>,
  problems: string[],
): { accounts: AccountSpec[]; proxy: ProxyDefaults; configFile?: string } {
  const { raw, has } = flags;
  const { demo, apiUrl, accountName, upstreamTimeoutMs } = plain;
  const configFile = has('config.file') ? raw('config.file') : undefined;
  const tokenFile = has('tensorpix.token-file')
    ? { path: raw('tensorpix.token-file'), from: sourceOf('tensorpix.token-file', sources, onCommandLine) }
    : undefined;
  const credentials = readCredentials(demo, tokenFile, configFile, sources, problems);
  const proxy: ProxyDefaults = {
    setting: proxyFromFlags(flags.given, onCommandLine, sources.env, sources.readFile, problems),
    env: readProxyEnv(sources.env),
  };
  const route =
    credentials && apiUrl ? collect(routeFor(apiUrl, proxy.setting, proxy.env), problems) : undefined;
  if (configFile === undefined) {
    const accounts: AccountSpec[] =
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
    return { accounts, proxy };
  }
  if (has('tensorpix.account-name'))
    problems.push(
      '--tensorpix.account-name does not apply with --config.file: name the accounts in the file',
    );
  const read = readAccountsFile(configFile, sources.readFile, {
    apiUrl,
    timeoutMs: upstreamTimeoutMs,
    proxy,
  });
  return { accounts: collect(read, problems, '--config.file: ') ?? [], proxy, configFile };
}

/** readCaFile reads --tensorpix.ca-file, whose every certificate must be readable (as a web config's client CA). */
function readCaFile(path: string, sources: ConfigSources): Result<string> {
  const text = readConfigFile(path, sources.readFile);
  if (!text.ok) return text;
  const problems = certificateBundleProblems(text.value, path);
  return problems.length > 0 ? fail(...problems) : text;
}
