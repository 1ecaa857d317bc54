import { fail, ok, type Result } from '../result';

/** ProxyUrl is a checked HTTP proxy address, its credentials apart. */
export interface ProxyUrl {
  /** origin is scheme://host:port, with the port always written and no credentials. */
  origin: string;
  /** host is host:port ([v6]:port for IPv6), what logs name. */
  host: string;
  /** username and password come from the URL's userinfo, percent-decoded. */
  username?: string;
  password?: string;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };
const PROBLEM =
  'must be an HTTP proxy URL such as http://proxy.corp:3128: http:// or https://, a host, an optional port from 1 to 65535, no path, query or fragment';

/**
 * parseProxyUrl reads a proxy address as Go's ProxyFromEnvironment does, so that the
 * values an operator already gives Go exporters work here: a full URL, or host[:port]
 * taken as http://. Only HTTP proxies (http:// and https://) are used; a socks5:// proxy
 * is refused rather than silently taken for something else. Problems never repeat the
 * value, which may hold a password.
 */
export function parseProxyUrl(text: string): Result<ProxyUrl> {
  const trimmed = text.trim();
  if (/^socks[45]?h?:\/\//i.test(trimmed))
    return fail('names a SOCKS proxy, which is not supported: give an HTTP proxy (http:// or https://)');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return fail(PROBLEM);
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined || url.hostname === '' || url.port === '0') return fail(PROBLEM);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '')
    return fail(PROBLEM);
  const port = url.port || defaultPort;
  const host = `${url.hostname}:${port}`;
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    return fail('holds credentials that are not valid percent-encoding');
  }
  return ok({
    origin: `${url.protocol}//${host}`,
    host,
    ...((username !== '' || password !== '') && { username, password }),
  });
}
