import type { ErrorCode } from './codes';
import { UpstreamError } from './upstream-error';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

// Certificate verification codes are OpenSSL's (X509_V_ERR_* without the prefix).
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH$|ERR_OSSL_)/;

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  // undici wraps socket errors; walk a few levels of `cause` to find the root one.
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== 'object') break;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * classifyError turns whatever a request threw into an UpstreamError with a code of
 * the closed set. `aborted` says the request's deadline had passed, which wins over
 * whatever error the abort surfaced as.
 */
export function classifyError(error: unknown, aborted: boolean): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const codes = codesOf(error);
  let code: ErrorCode = 'network';
  if (aborted || codes.some((c) => TIMEOUT_CODES.has(c))) code = 'timeout';
  else if (codes.some((c) => TLS_CODE.test(c))) code = 'tls';
  else if (codes.includes('UND_ERR_RES_EXCEEDED_MAX_SIZE')) code = 'too_large';
  // Only our own words and the error's stable code go into the message.
  const detail = codes[codes.length - 1] ?? (error instanceof Error ? error.name : 'unknown error');
  return new UpstreamError(code, `upstream request failed: ${detail}`);
}
