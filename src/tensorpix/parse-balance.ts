import { UpstreamError } from './upstream-error';

// The API's OpenAPI pattern is ^-?\d{0,10}(?:\.\d{0,4})?$, which also admits "", "-"
// and "."; the lookahead demands at least one digit so those are rejected.
const BALANCE_PATTERN = /^(?=-?\.?\d)-?\d{0,10}(?:\.\d{0,4})?$/;

function invalid(why: string): UpstreamError {
  return new UpstreamError('invalid_response', `invalid balance response: ${why}`, 200);
}

/**
 * parseBalance reads `{"balance_usd": "12.3400"}` strictly. It never throws: it returns
 * the balance as a finite number, or an UpstreamError with code `invalid_response`.
 * Anything odd is an error and never 0, because a false 0 pages someone at night.
 */
export function parseBalance(body: string): number | UpstreamError {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return invalid('body is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return invalid('body is not a JSON object');
  }
  if (!Object.hasOwn(document, 'balance_usd')) return invalid('balance_usd is missing');
  const raw = (document as Record<string, unknown>).balance_usd;
  if (typeof raw !== 'string') return invalid('balance_usd is not a string');
  if (!BALANCE_PATTERN.test(raw)) return invalid('balance_usd is not a decimal string');
  const value = Number(raw);
  if (!Number.isFinite(value)) return invalid('balance_usd is not finite');
  // "-0.0000" is zero; exposing "-0" would read oddly on a dashboard.
  return value === 0 ? 0 : value;
}
