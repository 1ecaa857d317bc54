import { BlockList } from 'node:net';
import type { ProxyRoute } from '../tensorpix/proxy-route';
import { fail, ok, type Result } from '../result';
import type { ProxyEnv } from './proxy-env';
import {
  basicAuthorization,
  credentialsProblem,
  parseProxyUrl,
  type ProxyCredentials,
  type ProxyUrl,
} from './proxy-url';

/**
 * ProxySetting is what a level of the configuration (flags, the accounts file's top, an
 * account) says about the proxy, before the API's address decides the route.
 */
export interface ProxySetting {
  /** explicit is a proxy set by a flag or the accounts file (no `url`: go direct); absent, the environment decides. */
  explicit?: { url?: ProxyUrl; source: string };
  /** credentials are for the proxy of this setting, whichever it turns out to be. */
  credentials?: { value: ProxyCredentials; source: string };
}

/** ProxyDefaults is the proxy setting of the flags and the environment, which every account starts from. */
export interface ProxyDefaults {
  setting: ProxySetting;
  env: ProxyEnv;
}

export const NO_PROXY_DEFAULTS: ProxyDefaults = { setting: {}, env: {} };

// Go's ProxyFromEnvironment never proxies localhost or a loopback address; neither do we,
// for a proxy from the environment. A proxy set by flag or file is used as it is told.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
export const isLoopback = (host: string) =>
  host === 'localhost' ||
  LOOPBACK.check(host, 'ipv4') ||
  LOOPBACK.check(host, 'ipv6') ||
  /^::ffff:127\./i.test(host);

const direct = (reason: string): Result<ProxyRoute> => ok({ kind: 'direct', reason });

/**
 * routeFor decides how requests to `apiUrl` travel: through the proxy set explicitly, or
 * else the environment's (HTTPS_PROXY for an https:// API, HTTP_PROXY for http://),
 * unless NO_PROXY names the API's host, which always goes direct. Problems name where the
 * proxy was set, never its value.
 */
export function routeFor(apiUrl: string, setting: ProxySetting, env: ProxyEnv): Result<ProxyRoute> {
  const api = new URL(apiUrl);
  const hostname = api.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = api.port || (api.protocol === 'https:' ? '443' : '80');
  const excluded = env.noProxy?.list.matches(hostname, port) ?? false;
  if (setting.explicit) {
    const { url, source } = setting.explicit;
    if (!url) return direct(`${source} is empty`);
    if (excluded) return direct(env.noProxy!.name);
    return withCredentials(url, source, setting.credentials);
  }
  const variable = api.protocol === 'https:' ? env.https : env.http;
  if (!variable) {
    // As in Go, HTTP_PROXY does not serve https:// APIs; say so to whoever set only that one.
    const only = api.protocol === 'https:' && env.http ? `; ${env.http.name} serves http:// APIs only` : '';
    return direct(`no ${api.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'}${only}`);
  }
  if (isLoopback(hostname)) return direct(`loopback API, not proxied from ${variable.name}`);
  if (excluded) return direct(env.noProxy!.name);
  // Parsed only now: a variable that serves no account cannot stop the exporter.
  const parsed = parseProxyUrl(variable.value);
  if (!parsed.ok) return fail(...parsed.problems.map((problem) => `${variable.name} ${problem}`));
  return withCredentials(parsed.value, variable.name, setting.credentials);
}

function withCredentials(
  proxy: ProxyUrl,
  source: string,
  fromFile: ProxySetting['credentials'],
): Result<ProxyRoute> {
  const route = { kind: 'proxy' as const, origin: proxy.origin, host: proxy.host, source };
  const inUrl =
    proxy.username !== undefined ? { username: proxy.username, password: proxy.password! } : undefined;
  if (inUrl && fromFile)
    return fail(`proxy credentials are given twice: in the URL of ${source} and in ${fromFile.source}`);
  if (inUrl) {
    const problem = credentialsProblem(inUrl);
    if (problem) return fail(`the credentials in the URL of ${source} ${problem}`);
    return ok({ ...route, authorization: basicAuthorization(inUrl), credentialsFrom: 'the URL' });
  }
  if (fromFile)
    return ok({
      ...route,
      authorization: basicAuthorization(fromFile.value),
      credentialsFrom: fromFile.source,
    });
  return ok(route);
}
