import type { ConfigSources } from './sources';
import { NoProxy } from './no-proxy';

/** ProxyVariable is a proxy variable that is set: its name as found, and its value. */
export interface ProxyVariable {
  name: string;
  value: string;
}

/** ProxyEnv is what the proxy variables said when the configuration was loaded. */
export interface ProxyEnv {
  https?: ProxyVariable;
  http?: ProxyVariable;
  noProxy?: { name: string; list: NoProxy };
}

/** firstSet is the first of the variables that is set and not empty, as Go's getEnvAny. */
function firstSet(env: ConfigSources['env'], ...names: string[]): ProxyVariable | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value };
  }
  return undefined;
}

/**
 * readProxyEnv reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY with Go's precedence (the
 * upper-case name first, then the lower-case one; an empty variable counts as unset).
 * HTTPS_PROXY serves https:// APIs and HTTP_PROXY http:// ones; neither stands in for the
 * other, and ALL_PROXY is not read, as in Go.
 */
export function readProxyEnv(env: ConfigSources['env']): ProxyEnv {
  const https = firstSet(env, 'HTTPS_PROXY', 'https_proxy');
  const http = firstSet(env, 'HTTP_PROXY', 'http_proxy');
  const noProxy = firstSet(env, 'NO_PROXY', 'no_proxy');
  return {
    ...(https && { https }),
    ...(http && { http }),
    ...(noProxy && { noProxy: { name: noProxy.name, list: new NoProxy(noProxy.value) } }),
  };
}
