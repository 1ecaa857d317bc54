import fc from 'fast-check';
import { parseBalance } from '../src/tensorpix/parse-balance';
import { hasDuplicateKey } from '../src/tensorpix/duplicate-keys';

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** canonical writes a decimal string with exactly 4 decimals, from its parts, without floating point. */
function canonical(negative: boolean, whole: string, fraction: string): string {
  const integer = whole.replace(/^0+(?=\d)/, '') || '0';
  const text = `${integer}.${fraction.padEnd(4, '0')}`;
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

test('never throws: any text gives a finite number or the reason it is not a balance', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((value) => JSON.stringify({ balance_usd: value })),
      ),
      (body) => {
        const result = parseBalance(body);
        if (result.ok) expect(Number.isFinite(result.value)).toBe(true);
        else expect(result.problems).toEqual([expect.stringMatching(/^invalid balance response: /)]);
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
        expect(result.ok && result.value.toFixed(4)).toBe(canonical(negative, whole, fraction ?? ''));
      },
    ),
    { numRuns: 2000 },
  );
});

test('strings outside the pattern are errors, never a number', () => {
  fc.assert(
    fc.property(fc.string(), (text) => {
      fc.pre(!/^-?\d{0,10}(\.\d{0,4})?$/.test(text));
      expect(parseBalance(JSON.stringify({ balance_usd: text })).ok).toBe(false);
    }),
    { numRuns: 2000 },
  );
});

test('a key given twice is never a balance, however it is spelt or nested', () => {
  for (const body of [
    '{"balance_usd":"x","balance_usd":"2"}',
    '{"balance_usd":"1.0000","balance\\u005fusd":"2"}',
    '{"balance_usd":"1.0000","meta":{"a":1,"a":2}}',
    '{"balance_usd":"1.0000","list":[{"k":1},{"k":1,"k":2}]}',
  ]) {
    expect(parseBalance(body)).toEqual({
      ok: false,
      problems: ['invalid balance response: a key is given twice'],
    });
  }
  // The same key in sibling objects, or a key that looks like one inside a string, is fine.
  expect(
    parseBalance('{"balance_usd":"1.0000","list":[{"k":1},{"k":2}],"s":"\\",\\"balance_usd\\":"}').ok,
  ).toBe(true);
});

test('hasDuplicateKey agrees with a re-parse on any JSON object of generated keys', () => {
  // Whether an object text names a key twice, told apart from its keys' decoded list.
  const entries = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'a\u0000', 'é', '"'), fc.jsonValue()), {
    maxLength: 5,
  });
  fc.assert(
    fc.property(entries, (list) => {
      const text = `{${list.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
      const keys = list.map(([key]) => key);
      const nestedDuplicate = list.some(([, value]) => hasDuplicateKey(JSON.stringify(value)));
      expect(hasDuplicateKey(text)).toBe(new Set(keys).size !== keys.length || nestedDuplicate);
    }),
    { numRuns: 1000 },
  );
});
