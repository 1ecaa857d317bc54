import { causeOf } from './causes';
import type { ErrorCode } from './codes';
import { ProxyFailure, ProxyTunnelError } from './proxy-tunnel';
import { UpstreamError } from './upstream-error';
import { isWasmOutOfMemory, WASM_OUT_OF_MEMORY } from './wasm-memory';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

// Certificate verification codes are OpenSSL's (X509_V_ERR_* without the prefix).
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH$|ERR_OSSL_)/;

/** causesOf is the error and its `cause`s, a few levels deep: undici wraps socket errors. */
function causesOf(error: unknown): object[] {
  const chain: object[] = [];
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== 'object') break;
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function codesOf(chain: object[]): string[] {
  return chain
    .map((error) => (error as { code?: unknown }).code)
    .filter((code): code is string => typeof code === 'string');
}

/**
 * classifyError turns whatever a request threw into an UpstreamError with a code of
 * the closed set. `aborted` says the request's deadline had passed, which wins over
 * whatever error the abort surfaced as. A tunnel the proxy did not open is `proxy`
 * whatever its cause (a refused connection, the proxy's certificate, a 407), since the
 * API was never reached.
 */
export function classifyError(error: unknown, aborted: boolean): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const chain = causesOf(error);
  const codes = codesOf(chain);
  const tunnel = chain.find((cause): cause is ProxyTunnelError => cause instanceof ProxyTunnelError);
  if (tunnel && !aborted) return ProxyFailure.from(tunnel, codes);
  // Checked at start (parser-check.ts); should it happen anyway, it is named, not a bare RangeError.
  if (isWasmOutOfMemory(error)) return new UpstreamError('network', WASM_OUT_OF_MEMORY);
  let code: ErrorCode = 'network';
  if (aborted || codes.some((c) => TIMEOUT_CODES.has(c))) code = 'timeout';
  else if (codes.some((c) => TLS_CODE.test(c))) code = 'tls';
  else if (codes.includes('UND_ERR_RES_EXCEEDED_MAX_SIZE')) code = 'too_large';
  // Only our own words and the error's stable code go into the message, which is logged.
  return new UpstreamError(code, causeOf(codes, error instanceof Error ? error.name : 'unknown error'));
}
