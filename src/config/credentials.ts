import { collect } from '../result';
import type { ConfigSources } from './load-config';
import { checkTokenFile, tokenProblem, trimToken, type TokenSource } from './token-file';

const TOKEN_ENV = 'TENSORPIX_API_TOKEN';

/** readCredentials enforces exactly one source of credentials and checks the token. */
export function readCredentials(
  demo: boolean,
  tokenFile: string | undefined,
  configFile: string | undefined,
  sources: ConfigSources,
  problems: string[],
): TokenSource | undefined {
  const envToken = sources.env[TOKEN_ENV];
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
    const problem = tokenProblem(trimToken(envToken));
    if (problem) problems.push(`${TOKEN_ENV} ${problem}`);
    return { kind: 'value', value: trimToken(envToken) };
  }
  if (tokenFile !== undefined) {
    collect(checkTokenFile(tokenFile, sources.readFile), problems);
    return { kind: 'file', path: tokenFile };
  }
  return undefined;
}
