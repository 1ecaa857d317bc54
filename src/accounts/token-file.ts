import { fail, ok, type Result } from '../result';
import { describeReadError, readRegularFile } from '../regular-file';

/** TokenSource is where an account's API token comes from. */
export type TokenSource = { kind: 'value'; value: string } | { kind: 'file'; path: string };

/** MAX_TOKEN_FILE_BYTES caps what is read of a token file: a token is short. */
export const MAX_TOKEN_FILE_BYTES = 8 * 1024;

// A token goes into an HTTP header: printable ASCII without spaces, and a sane length.
const TOKEN_PATTERN = /^[\x21-\x7e]{1,4096}$/;

/** tokenProblem says what is wrong with a token without ever repeating it. */
export function tokenProblem(token: string): string | undefined {
  if (token === '') return 'is empty';
  if (!TOKEN_PATTERN.test(token))
    return 'holds characters a token cannot have (whitespace, control or non-ASCII) or is over 4096 bytes';
  return undefined;
}

/** trimToken drops the trailing newline that editors and `echo` add to secret files. */
export const trimToken = (text: string) => text.replace(/[\r\n]+$/, '');

/** tokenFromText checks a token file's text; problems name the file, never the token. */
function tokenFromText(path: string, text: string): Result<string> {
  const token = trimToken(text);
  const problem = tokenProblem(token);
  return problem ? fail(`token file ${path} ${problem}`) : ok(token);
}

/**
 * looksLikeToken tells a token pasted where its file's path belongs, so that a message does
 * not repeat it. The rule: a run of 16 or more letters, digits, "+" and "=" that mixes
 * letters and digits, or a run of 32 or more (hex, base64 and prefixed keys all have one;
 * paths are words cut by "/", ".", "-" and "_"); or a relative name of 16 or more
 * characters without any "." (a base64 token may hold "/"; a file in the working folder
 * named so is rare, and the message still names the setting that gave it). A name without
 * "/" is also taken for a secret when it holds a colon (user:password, as curl's
 * --proxy-user takes it) or when its last "."-part is 8 or more letters and digits that mix
 * both (a dotted token such as tp.9f8e7d6c5b4a.3c2b1a0f9e8d, a JWT): a file extension is
 * short, or a word. A path with "/" or an extension (prod.token, tls.pem) is shown.
 */
export function looksLikeToken(path: string): boolean {
  if (!path.includes('/') && (path.includes(':') || dottedToken(path))) return true;
  if (path.length >= 16 && !/^[/.]/.test(path) && !path.includes('.')) return true;
  return (path.match(/[A-Za-z0-9+=]{16,}/g) ?? []).some(
    (run) => run.length >= 32 || (/[A-Za-z]/.test(run) && /\d/.test(run)),
  );
}

/** dottedToken tells a name whose last "."-part is no file extension but a token's secret part. */
function dottedToken(name: string): boolean {
  const dot = name.lastIndexOf('.');
  const last = name.slice(dot + 1);
  return dot >= 0 && /^[A-Za-z0-9_-]{8,}$/.test(last) && /[A-Za-z]/.test(last) && /\d/.test(last);
}

/**
 * unreadable says a token file cannot be read: with its path, unless the path as it was
 * given looks like a token; then with the setting that named it.
 */
const unreadable = (path: string, error: unknown, setting = "the account's token file", given = path) =>
  fail(
    looksLikeToken(given)
      ? `the file named by ${setting} cannot be read (${describeReadError(error)}); its name looks like a token, so it is not repeated: give the path of the file that holds the token`
      : `token file ${path} cannot be read (${describeReadError(error)})`,
  );

/**
 * checkTokenFile checks a token file at load time (flags, --config.file, a reload) with
 * the configuration's reader, in the same words as readTokenFile. `setting` is what named
 * the file (--tensorpix.token-file, accounts[0].token_file) and `given` the path as written
 * there, before it was made absolute.
 */
export function checkTokenFile(
  path: string,
  readFile: (path: string, maxBytes: number) => string,
  setting?: string,
  given = path,
): Result<string> {
  let text: string;
  try {
    text = readFile(path, MAX_TOKEN_FILE_BYTES);
  } catch (error) {
    return unreadable(path, error, setting, given);
  }
  return tokenFromText(path, text);
}

/**
 * readTokenFile reads the token at run time, on every attempt (a few bytes once per TTL),
 * so a rotated Kubernetes or Docker secret is picked up without a restart. It gives up
 * when `signal` aborts, and reads only a regular file of at most MAX_TOKEN_FILE_BYTES.
 */
export async function readTokenFile(path: string, signal: AbortSignal): Promise<Result<string>> {
  let text: string;
  try {
    text = await readRegularFile(path, MAX_TOKEN_FILE_BYTES, signal);
  } catch (error) {
    return signal.aborted
      ? fail(`token file ${path} was not read within the account's timeout`)
      : unreadable(path, error);
  }
  return tokenFromText(path, text);
}
