import type { TokenSource } from './token-file';
import type { ProxyRoute } from '../tensorpix/proxy-route';

/** AccountSpec is one account to watch: its label value, API, attempt timeout, token and proxy route. */
export interface AccountSpec {
  name: string;
  apiUrl: string;
  /** timeoutMs bounds each attempt of the account, from its start to its end, whatever it waits for. */
  timeoutMs: number;
  token: TokenSource;
  /**
   * tokenFrom says where an operator changes the token (`TENSORPIX_API_TOKEN_FILE=/run/token`,
   * `token_file /run/a.token in accounts.yml`), for the log line of a rejected token.
   */
  tokenFrom?: string;
  /** route is how requests reach the API, decided when the configuration is loaded; direct when absent. */
  route?: ProxyRoute;
}

/** describeTokenSource is where an account's token comes from, as the operator set it. */
export const describeTokenSource = (spec: Pick<AccountSpec, 'token' | 'tokenFrom'>): string =>
  spec.tokenFrom ?? (spec.token.kind === 'file' ? `token file ${spec.token.path}` : 'a value given at start');
