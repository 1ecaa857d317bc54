import { collect } from '../result';
import type { ConfigSources } from './sources';
import { checkTokenFile, tokenProblem, trimToken, type TokenSource } from '../accounts/token-file';

const TOKEN_ENV = 'TENSORPIX_API_TOKEN';

/** TokenFileSetting is the token file's path and what set it (`--tensorpix.token-file` or a variable). */
export interface TokenFileSetting {
  path: string;
  from: string;
}

/**
 * readCredentials enforces exactly one source of credentials and checks the token. With
 * the token it returns where it comes from, as the operator set it, for log lines.
 */
export function readCredentials(
  demo: boolean,
  tokenFile: TokenFileSetting | undefined,
  configFile: string | undefined,
  sources: ConfigSources,
  problems: string[],
): { token: TokenSource; from: string } | undefined {
  // An empty variable is unset beside another source (an empty Secret beside --config.file
  // is no second source); alone, it is a token that is empty, and said so.
  const others = tokenFile !== undefined || demo || configFile !== undefined;
  const envToken = sources.env[TOKEN_ENV] === '' && others ? undefined : sources.env[TOKEN_ENV];
  const named = [
    ...(envToken !== undefined ? [TOKEN_ENV] : []),
    ...(tokenFile !== undefined ? ['--tensorpix.token-file (or TENSORPIX_API_TOKEN_FILE)'] : []),
    ...(demo ? ['--demo'] : []),
    ...(configFile !== undefined ? ['--config.file'] : []),
  ];
  if (named.length === 0) {
    problems.push(
      `no credentials: set ${TOKEN_ENV}, TENSORPIX_API_TOKEN_FILE or --tensorpix.token-file, list accounts in --config.file, or run with --demo`,
    );
    return undefined;
  }
  if (named.length > 1) {
    problems.push(`give exactly one source of credentials, not ${named.join(' and ')}`);
    return undefined;
  }
  if (envToken !== undefined) {
    const token = trimToken(envToken);
    const problem = tokenProblem(token);
    if (problem) problems.push(`${TOKEN_ENV} ${problem}`);
    return { token: { kind: 'value', value: token }, from: TOKEN_ENV };
  }
  if (tokenFile !== undefined) {
    collect(checkTokenFile(tokenFile.path, sources.readFile, tokenFile.from), problems);
    return { token: { kind: 'file', path: tokenFile.path }, from: `${tokenFile.from}=${tokenFile.path}` };
  }
  return undefined;
}
