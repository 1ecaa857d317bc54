// The proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) as Go reads them, and how a
// NO_PROXY list matches a host.

import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { ConfigSources } from './sources';

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

type Entry =
  | { kind: 'all' }
  | { kind: 'ip'; list: BlockList; port?: string }
  | { kind: 'domain'; suffix: string; exact: boolean; port?: string };

/**
 * NoProxy is a parsed NO_PROXY list, read as Go's ProxyFromEnvironment reads it so that
 * one variable means the same to every exporter on a host: comma-separated entries, each
 * `*` (no proxy at all), an IP address, a CIDR range (10.0.0.0/8, fd00::/8), a domain
 * (`example.com` matches it and its subdomains; `.example.com` and `*.example.com` only
 * the subdomains), and an IP or domain may add `:port`. Entries it cannot read are
 * skipped, as Go does: the variable is shared with other programs and their forms.
 */
export class NoProxy {
  private readonly entries: Entry[];

  constructor(text: string) {
    this.entries = text
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== '')
      .map(parseEntry)
      .filter((entry): entry is Entry => entry !== undefined);
  }

  /** matches tells whether a request to hostname:port goes direct; hostname as URL.hostname gives it. */
  matches(hostname: string, port: string): boolean {
    const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const family = ipFamily(host);
    return this.entries.some((entry) => {
      if (entry.kind === 'all') return true;
      if (entry.port !== undefined && entry.port !== port) return false;
      if (entry.kind === 'ip') return family !== undefined && entry.list.check(host, family);
      return host.endsWith(entry.suffix) || (entry.exact && host === entry.suffix.slice(1));
    });
  }
}

function ipFamily(host: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(host);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

function parseEntry(entry: string): Entry | undefined {
  if (entry === '*') return { kind: 'all' };
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const family = ipFamily(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (!family || prefix > (family === 'ipv4' ? 32 : 128)) return undefined;
    const list = new BlockList();
    list.addSubnet(cidr[1]!, prefix, family);
    return { kind: 'ip', list };
  }
  // host:port, [v6]:port, or a bare host (a bare IPv6 address has colons but no port).
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
  let host = withPort ? withPort[1]! : entry;
  const port = withPort ? String(Number(withPort[2])) : undefined;
  host = host.replace(/^\[(.*)\]$/, '$1');
  const family = ipFamily(host);
  if (family) {
    const list = new BlockList();
    list.addAddress(host, family);
    return { kind: 'ip', list, ...(port !== undefined && { port }) };
  }
  if (host.startsWith('*.')) host = host.slice(1);
  const exact = !host.startsWith('.');
  const ascii = domainToASCII(exact ? host : host.slice(1));
  if (ascii === '' || host.includes('*') || host.includes('/')) return undefined;
  return { kind: 'domain', suffix: `.${ascii}`, exact, ...(port !== undefined && { port }) };
}
