/** HTTP_CODES are the statuses that get a code of their own; others are grouped. */
export const HTTP_CODES = ['400', '401', '403', '404', '408', '429', '500', '502', '503', '504'] as const;

/**
 * ERROR_CODES is the closed set of outcomes of a failed attempt, used as the `code` label
 * of tensorpix_upstream_errors_total. It is closed so that no upstream text can ever
 * become a label value and the number of series per account stays fixed. `token_file`
 * means the token file could not be read, so no request was sent; `proxy` means the HTTP
 * proxy refused the tunnel, could not be reached, or could not reach the API, so the API
 * never saw the request.
 */
export const ERROR_CODES = [
  ...HTTP_CODES,
  'other_4xx',
  'other_5xx',
  'timeout',
  'network',
  'tls',
  'invalid_response',
  'too_large',
  'redirect',
  'token_file',
  'proxy',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const listedHttpCodes: ReadonlySet<string> = new Set(HTTP_CODES);

/** codeForStatus maps an HTTP status that is not a usable 200 to its label value. */
export function codeForStatus(status: number): ErrorCode {
  const text = String(status);
  if (listedHttpCodes.has(text)) return text as ErrorCode;
  if (status >= 300 && status < 400) return 'redirect';
  if (status >= 400 && status < 500) return 'other_4xx';
  if (status >= 500 && status < 600) return 'other_5xx';
  // 1xx, a 2xx other than 200 and anything beyond 599 are not what the API promises.
  return 'invalid_response';
}
