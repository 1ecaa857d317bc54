import { Harness, TOKEN } from './helpers/harness';
import { balance, error, json } from './helpers/fake-api';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(() => h.close());

test('sends exactly one GET to the balance path with the token, Accept and User-Agent', async () => {
  h.upstream.reply(balance('12.3400'));
  await h.scrape();
  expect(h.upstream.requests).toHaveLength(1);
  const [req] = h.upstream.requests;
  expect(req!.method).toBe('GET');
  expect(req!.url).toBe('/api/accounts/profile/balance/');
  expect(req!.headers.authorization).toBe(`Token ${TOKEN}`);
  expect(req!.headers.accept).toBe('application/json');
  expect(req!.headers['user-agent']).toBe('tensorpix-exporter/1.2.3');
});

test('an API URL with a path prefix keeps it', async () => {
  await h.close();
  h = await Harness.start({
    accounts: (upstream) => [
      { name: 'default', apiUrl: `${upstream.url}/proxy/`, token: { kind: 'value', value: TOKEN } },
    ],
  });
  await h.scrape();
  expect(h.upstream.requests.map((r) => r.url)).toEqual(['/proxy/api/accounts/profile/balance/']);
});

test.each([
  ['12.3400', 12.34],
  ['-3.5000', -3.5],
  ['0.0000', 0],
  ['-0.0000', 0],
  ['7', 7],
  ['.5', 0.5],
  ['9999999999.9999', 9999999999.9999],
])('a good balance %p is exported as %p with tensorpix_up 1', async (text, expected) => {
  h.upstream.reply(balance(text));
  const body = await h.scrape();
  expect(Harness.value(body, 'tensorpix_credits_balance_usd')).toBe(expected);
  expect(Harness.value(body, 'tensorpix_up')).toBe(1);
  expect(Harness.value(body, 'tensorpix_upstream_requests_total')).toBe(1);
  expect(Harness.value(body, 'tensorpix_last_success_timestamp_seconds')).toBe(h.clock.ms / 1000);
});

test.each([
  ['empty string', { balance_usd: '' }],
  ['a lone minus', { balance_usd: '-' }],
  ['a lone dot', { balance_usd: '.' }],
  ['a number instead of a string', { balance_usd: 12.34 }],
  ['NaN', { balance_usd: 'NaN' }],
  ['1e309', { balance_usd: '1e309' }],
  ['Infinity', { balance_usd: 'Infinity' }],
  ['a missing field', { balance: '12.3400' }],
  ['null', { balance_usd: null }],
  ['a JSON null body', 'null'],
  ['not JSON', '{"balance_usd": "12.34"'],
  ['an array', [{ balance_usd: '12.3400' }]],
  ['a 13-digit value', { balance_usd: '1234567890123' }],
  ['five decimals', { balance_usd: '1.00001' }],
  ['spaces around', { balance_usd: ' 12.34' }],
  ['a hex number', { balance_usd: '0x10' }],
  ['an HTML page', '<html><body>Maintenance</body></html>'],
  ['an empty body', ''],
])('%s is invalid_response, tensorpix_up 0 and no balance series, never 0', async (_name, body) => {
  h.upstream.reply(json(200, body));
  const text = await h.scrape();
  expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBeUndefined();
  expect(text).not.toContain('tensorpix_credits_balance_usd{');
  expect(Harness.value(text, 'tensorpix_up')).toBe(0);
  expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'invalid_response' })).toBe(1);
  expect(Harness.value(text, 'tensorpix_upstream_requests_total')).toBe(1);
});

test('a 200 with an HTML content type is invalid_response even if it parses', async () => {
  h.upstream.reply((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('{"balance_usd": "5.0000"}');
  });
  const text = await h.scrape();
  expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'invalid_response' })).toBe(1);
  expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBeUndefined();
});

test('extra fields in the JSON are fine', async () => {
  h.upstream.reply(json(200, { balance_usd: '3.2100', currency: 'USD', detail: 'x' }));
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(3.21);
});

test.each([
  [401, '401'],
  [403, '403'],
  [404, '404'],
  [408, '408'],
  [429, '429'],
  [400, '400'],
  [500, '500'],
  [502, '502'],
  [503, '503'],
  [504, '504'],
  [418, 'other_4xx'],
  [507, 'other_5xx'],
  [204, 'invalid_response'],
])('HTTP %p is counted as code=%p and /metrics still answers 200', async (status, code) => {
  h.upstream.reply(error(status));
  const text = await h.scrape();
  expect(Harness.value(text, 'tensorpix_up')).toBe(0);
  expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code })).toBe(1);
  expect(Harness.value(text, 'tensorpix_upstream_requests_total')).toBe(1);
  expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBeUndefined();
});

test('every error code is pre-created at 0 before any failure', async () => {
  h.upstream.reply(balance('1.0000'));
  const text = await h.scrape();
  for (const code of [
    '401',
    '403',
    '429',
    'timeout',
    'network',
    'tls',
    'too_large',
    'redirect',
    'other_5xx',
  ]) {
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code })).toBe(0);
  }
  expect(Harness.value(text, 'tensorpix_credits_spent_usd_total')).toBe(0);
  expect(Harness.value(text, 'tensorpix_credits_added_usd_total')).toBe(0);
});

test('a body over the 64 KiB cap is too_large', async () => {
  h.upstream.reply(json(200, { balance_usd: '1.0000', padding: 'x'.repeat(70 * 1024) }));
  const text = await h.scrape();
  expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'too_large' })).toBe(1);
});

test('a chunked body over the cap, with no Content-Length, is too_large', async () => {
  h.upstream.reply((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let i = 0; i < 20; i++) res.write('x'.repeat(8192));
    res.end();
  });
  const text = await h.scrape();
  expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'too_large' })).toBe(1);
});
