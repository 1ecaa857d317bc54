import type { UpstreamError } from '../tensorpix/upstream-error';
import type { AccountSpec } from './account';

/** describeTokenSource is where an account's token comes from, as the operator set it. */
export const describeTokenSource = (spec: Pick<AccountSpec, 'token' | 'tokenFrom'>): string =>
  spec.tokenFrom ?? (spec.token.kind === 'file' ? `token file ${spec.token.path}` : 'a value given at start');

/**
 * failureWords says why an attempt failed, for the log and --config.check.api: the cause
 * in our words (never the API's text) and, for a rejected token, where the token comes
 * from, which is where to fix it.
 */
export function failureWords(error: UpstreamError, spec: Pick<AccountSpec, 'token' | 'tokenFrom'>): string {
  if (error.code !== '401' && error.code !== '403') return error.message;
  return `${error.message}; the token comes from ${describeTokenSource(spec)}`;
}
