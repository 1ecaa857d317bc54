import { fail, ok, type Result } from '../result';
import type { FileReader } from './sources';
import { describeReadError } from '../regular-file';
import { trimToken } from '../accounts/token-file';

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
export function readProxyCredentialsFile(path: string, readFile: FileReader): Result<ProxyCredentials> {
  let text: string;
  try {
    text = readFile(path, MAX_CREDENTIALS_FILE_BYTES);
  } catch (error) {
    return fail(`proxy credentials file ${path} cannot be read (${describeReadError(error)})`);
  }
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
