import { readFile } from 'node:fs/promises';

/** TokenSource is where an account's API token comes from. */
export type TokenSource = { kind: 'value'; value: string } | { kind: 'file'; path: string };

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

/** TokenError says a token could not be read; its message names the file, never a token. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

/**
 * readToken returns the current token. A file is read again on every upstream attempt
 * (a few bytes once per TTL), so a rotated Kubernetes or Docker secret is picked up
 * without a restart.
 */
export async function readToken(source: TokenSource): Promise<string> {
  if (source.kind === 'value') return source.value;
  let text: string;
  try {
    text = await readFile(source.path, 'utf8');
  } catch (error) {
    throw new TokenError(unreadable(source.path, error));
  }
  const token = trimToken(text);
  const problem = tokenProblem(token);
  if (problem) throw new TokenError(`token file ${source.path} ${problem}`);
  return token;
}

const unreadable = (path: string, error: unknown) =>
  `token file ${path} cannot be read (${(error as { code?: string }).code ?? 'error'})`;

/**
 * tokenFileProblem checks a token file at load time (flags, --config.file, a reload) and
 * says what is wrong with it, in the same words as readToken, never repeating the token.
 */
export function tokenFileProblem(path: string, readFileSync: (path: string) => string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path);
  } catch (error) {
    return unreadable(path, error);
  }
  const problem = tokenProblem(trimToken(text));
  return problem && `token file ${path} ${problem}`;
}
