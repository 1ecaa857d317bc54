// A proxy's address and its credentials: from a URL's userinfo or a credentials file.

import { looksLikeToken, trimToken } from '../accounts/token-file';
import { describeReadError } from '../regular-file';
import { fail, ok, type Result } from '../result';
import type { FileReader } from './sources';

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
  // A bare "?" or "#" leaves URL's search and hash empty; unescaped, neither can belong to the
  // credentials either (they end the authority), so the text itself is asked.
  if ((url.pathname !== '/' && url.pathname !== '') || /[?#]/.test(trimmed)) return fail(PROBLEM);
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

/** ProxyCredentials are the user and password sent to a proxy with Basic authentication. */
export interface ProxyCredentials {
  username: string;
  password: string;
}

/** MAX_CREDENTIALS_FILE_BYTES caps what is read of a proxy credentials file. */
export const MAX_CREDENTIALS_FILE_BYTES = 8 * 1024;

// RFC 7617: the user-id cannot hold a colon, and neither part a control character.
const hasControl = (text: string) =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** credentialsProblem says what is wrong with credentials without ever repeating them. */
export function credentialsProblem({ username, password }: ProxyCredentials): string | undefined {
  if (username === '') return 'has an empty user name';
  if (username.includes(':')) return 'has a colon in the user name';
  if (hasControl(username) || hasControl(password)) return 'holds control characters';
  return undefined;
}

/**
 * readProxyCredentialsFile reads `user:password` on one line (a trailing newline is
 * trimmed; the password may hold colons), as curl's --proxy-user takes it. It is read when
 * the configuration is loaded and on a reload. Problems name the file, never its content.
 */
export function readProxyCredentialsFile(
  path: string,
  readFile: FileReader,
  named: { setting: string; given: string } = { setting: 'the proxy credentials setting', given: path },
): Result<ProxyCredentials> {
  let text: string;
  try {
    text = readFile(path, MAX_CREDENTIALS_FILE_BYTES);
  } catch (error) {
    const why = describeReadError(error);
    // A password pasted where the file's path belongs is not printed back.
    return fail(
      looksLikeToken(named.given)
        ? `the proxy credentials file named by ${named.setting} cannot be read (${why}); its name looks like a secret (a token or user:password), so it is not repeated: give the path of the file that holds user:password`
        : `proxy credentials file ${path} cannot be read (${why})`,
    );
  }
  // Editors on Windows may save one; it would be sent as the first character of the user
  // name, and the proxy answer 407 with no clue why.
  if (text.startsWith('\uFEFF'))
    return fail(
      `proxy credentials file ${path} starts with a byte-order mark (U+FEFF), which would be sent as part of the user name: save it without one`,
    );
  const line = trimToken(text);
  const colon = line.indexOf(':');
  if (colon < 0) return fail(`proxy credentials file ${path} must hold user:password on one line`);
  const credentials = { username: line.slice(0, colon), password: line.slice(colon + 1) };
  const problem = credentialsProblem(credentials);
  return problem ? fail(`proxy credentials file ${path} ${problem}`) : ok(credentials);
}

/** basicAuthorization is the Proxy-Authorization value for credentials. */
export const basicAuthorization = ({ username, password }: ProxyCredentials) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
