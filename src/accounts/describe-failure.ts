import type { UpstreamError } from '../tensorpix/upstream-error';
import { describeTokenSource, type AccountSpec } from './account-spec';

/**
 * describeFailure says why an attempt failed, for the log and --config.check.api: the cause
 * in our words (never the API's text) and, for a rejected token, where the token comes
 * from, which is where to fix it.
 */
export function describeFailure(
  error: UpstreamError,
  spec: Pick<AccountSpec, 'token' | 'tokenFrom'>,
): string {
  if (error.code !== '401' && error.code !== '403') return error.message;
  return `${error.message}; the token comes from ${describeTokenSource(spec)}`;
}
