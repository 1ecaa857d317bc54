import fc from 'fast-check';
import { parseBalance } from '../src/tensorpix/parse-balance';
import { UpstreamError } from '../src/tensorpix/upstream-error';

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** canonical writes a decimal string with exactly 4 decimals, from its parts, without floating point. */
function canonical(negative: boolean, whole: string, fraction: string): string {
  const integer = whole.replace(/^0+(?=\d)/, '') || '0';
  const text = `${integer}.${fraction.padEnd(4, '0')}`;
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

test('never throws: any text gives a finite number or an invalid_response error', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((value) => JSON.stringify({ balance_usd: value })),
      ),
      (body) => {
        const result = parseBalance(body);
        if (result instanceof UpstreamError) expect(result.code).toBe('invalid_response');
        else expect(Number.isFinite(result)).toBe(true);
      },
    ),
    { numRuns: 2000 },
  );
});

test('every string of the API pattern with a digit parses to exactly its decimal value', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      digits(0, 10),
      fc.option(digits(0, 4), { nil: undefined }),
      (negative, whole, fraction) => {
        fc.pre(/\d/.test(whole + (fraction ?? '')));
        const text = `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`;
        const result = parseBalance(JSON.stringify({ balance_usd: text }));
        expect(result).not.toBeInstanceOf(UpstreamError);
        expect((result as number).toFixed(4)).toBe(canonical(negative, whole, fraction ?? ''));
      },
    ),
    { numRuns: 2000 },
  );
});

test('strings outside the pattern are errors, never a number', () => {
  fc.assert(
    fc.property(fc.string(), (text) => {
      fc.pre(!/^-?\d{0,10}(\.\d{0,4})?$/.test(text));
      expect(parseBalance(JSON.stringify({ balance_usd: text }))).toBeInstanceOf(UpstreamError);
    }),
    { numRuns: 2000 },
  );
});
