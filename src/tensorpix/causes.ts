/**
 * CAUSES words the stable codes of a failed request (Node's, undici's, OpenSSL's) as what
 * an operator can act on, with advice where there is some to give.
 */
const CAUSES: Record<string, readonly [words: string, advice?: string]> = {
  ENOTFOUND: ['DNS name not found'],
  EAI_AGAIN: ['DNS lookup failed for now', 'is a resolver reachable?'],
  ECONNREFUSED: ['connection refused'],
  ECONNRESET: ['connection reset'],
  EPIPE: ['connection reset'],
  UND_ERR_SOCKET: ['connection closed before the answer was complete'],
  EHOSTUNREACH: ['host unreachable'],
  ENETUNREACH: ['network unreachable'],
  ETIMEDOUT: ['connection timed out'],
  UND_ERR_CONNECT_TIMEOUT: ['timeout while connecting'],
  UND_ERR_HEADERS_TIMEOUT: ['timeout waiting for the answer'],
  UND_ERR_BODY_TIMEOUT: ['timeout reading the body of the answer'],
  UND_ERR_RES_EXCEEDED_MAX_SIZE: ['answer over the size cap'],
  ERR_TLS_CERT_ALTNAME_INVALID: ['TLS: certificate name mismatch', 'the certificate is not for this host'],
  CERT_HAS_EXPIRED: ['TLS: certificate expired'],
  CERT_NOT_YET_VALID: ['TLS: certificate not yet valid', "is this machine's clock right?"],
  ERR_SSL_WRONG_VERSION_NUMBER: ['TLS: the server does not speak TLS there', 'an http:// API?'],
  ERR_SSL_PACKET_LENGTH_TOO_LONG: ['TLS: the server does not speak TLS there', 'an http:// API?'],
};

/** UNTRUSTED are OpenSSL's ways of saying that no trusted CA vouches for the certificate. */
const UNTRUSTED = [
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
];
for (const code of UNTRUSTED)
  CAUSES[code] = ['TLS: certificate not trusted', 'trust its CA with --tensorpix.ca-file'];

/**
 * causeOf says why a request failed, from the codes of an error and its causes (outermost
 * first): the innermost code that has words, which is the root cause (undici wraps a reset
 * socket in an error of its own), followed by the code itself, for searching. Without
 * one, the innermost code, or `fallback` (the error's class name) when there is no code.
 */
export function causeOf(codes: readonly string[], fallback: string): string {
  for (const code of [...codes].reverse()) {
    const cause = CAUSES[code];
    if (cause) return `${cause[0]} (${[code, cause[1]].filter(Boolean).join('; ')})`;
  }
  return `request failed (${codes[codes.length - 1] ?? fallback})`;
}

/** statusCause says what an answer other than 200 means, in the terms of the API's contract. */
export function statusCause(status: number): string {
  if (status === 401)
    return 'the API rejected the token (HTTP 401: missing, invalid, or replaced by a newer key)';
  if (status === 403)
    return "the API refused the token (HTTP 403: the account's plan may not include API access)";
  if (status === 429) return 'the API throttles the requests (HTTP 429)';
  if (status >= 300 && status < 400) return `the API answered with a redirect (HTTP ${status}), not followed`;
  return `the API answered HTTP ${status}`;
}
