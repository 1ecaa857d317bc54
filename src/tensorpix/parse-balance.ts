import { fail, ok, type Result } from '../result';
import { hasDuplicateKey } from './duplicate-keys';

// The API's OpenAPI pattern is ^-?\d{0,10}(?:\.\d{0,4})?$, which also admits "", "-"
// and "."; the lookahead demands at least one digit so those are rejected.
const BALANCE_PATTERN = /^(?=-?\.?\d)-?\d{0,10}(?:\.\d{0,4})?$/;

const invalid = (why: string) => fail(`invalid balance response: ${why}`);

/**
 * parseBalance reads `{"balance_usd": "12.3400"}` strictly and returns the balance as a
 * finite number, or the reason it is not one (the client counts that as
 * `invalid_response`). Anything odd is an error and never 0, because a false 0 pages
 * someone at night.
 */
export function parseBalance(body: string): Result<number> {
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
  if (hasDuplicateKey(body)) return invalid('a key is given twice');
  const value = Number(raw);
  if (!Number.isFinite(value)) return invalid('balance_usd is not finite');
  // "-0.0000" is zero; exposing "-0" would read oddly on a dashboard.
  return ok(value === 0 ? 0 : value);
}
