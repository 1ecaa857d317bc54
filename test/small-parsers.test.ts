import { scrapeBudgetMs } from '../src/deadline';
import { parseDuration } from '../src/duration';
import { formatListenAddress, parseListenAddress } from '../src/listen-address';
import { toLogfmt } from '../src/logfmt';
import { codeForStatus } from '../src/tensorpix/codes';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../src/tensorpix/retry-after';

test.each([
  ['0', 0],
  ['500ms', 500],
  ['0.5s', 500],
  ['30s', 30_000],
  ['5m', 300_000],
  ['1h', 3_600_000],
  ['1h30m', 5_400_000],
  ['1d', 86_400_000],
  ['2w', 1_209_600_000],
  ['1y', 31_536_000_000],
  ['1500us', 1.5],
])('parseDuration(%p) = %p ms', (text, ms) => {
  expect(parseDuration(text)).toBe(ms);
});

test.each(['', '5', '-1s', '1 s', '5 minutes', 's', '1.s', '1S', '1h-30m', '+1s', 'Infinity', '1e3s'])(
  'parseDuration(%p) is undefined',
  (text) => {
    expect(parseDuration(text)).toBeUndefined();
  },
);

test.each([
  [':10863', { port: 10863 }],
  ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
  ['[::1]:9000', { host: '::1', port: 9000 }],
  ['localhost:8080', { host: 'localhost', port: 8080 }],
])('parseListenAddress(%p)', (text, address) => {
  expect(parseListenAddress(text)).toEqual(address);
  expect(formatListenAddress(address)).toBe(text);
});

test.each(['10863', ':65536', 'host:', 'a b:80', '::1:80', ':-1'])(
  'parseListenAddress(%p) is undefined',
  (text) => {
    expect(parseListenAddress(text)).toBeUndefined();
  },
);

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  test.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5000],
    ['Thu, 01 Jan 2026 12:05:00 GMT', 300_000],
    ['Thu, 01 Jan 2026 11:00:00 GMT', 0],
    ['999999999', MAX_RETRY_AFTER_MS],
    ['Fri, 01 Jan 2100 00:00:00 GMT', MAX_RETRY_AFTER_MS],
  ])('%p waits %p ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
  test.each([undefined, '', 'soon', '-5', '1.5', '12abc', '99999999999'])('%p is unusable', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

describe('scrapeBudgetMs', () => {
  test.each([
    [undefined, 5000],
    ['10', 9500],
    ['1.5', 1000],
    ['0.4', 200],
    ['garbage', 5000],
    ['-3', 5000],
    ['0', 5000],
    ['NaN', 5000],
  ])('header %p with a 5s fallback and offset 0.5s gives %p ms', (header, ms) => {
    expect(scrapeBudgetMs(header, 5000, 500)).toBe(ms);
  });
});

test.each([
  [200, 'invalid_response'],
  [301, 'redirect'],
  [401, '401'],
  [451, 'other_4xx'],
  [599, 'other_5xx'],
  [600, 'invalid_response'],
])('codeForStatus(%p) = %p', (status, code) => {
  expect(codeForStatus(status)).toBe(code);
});

test('toLogfmt flattens objects and quotes what needs it', () => {
  const line = JSON.stringify({
    level: 'warn',
    msg: 'balance read failed',
    account: 'prod',
    err: { code: '401', status: 401 },
  });
  expect(toLogfmt(line)).toBe(
    'level=warn msg="balance read failed" account=prod err.code=401 err.status=401\n',
  );
});
