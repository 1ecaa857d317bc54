import { scrapeWaitMs } from '../src/web/scrape-budget';
import { formatDuration, parseDuration, parseDurationIn, RANGES } from '../src/config/durations';
import { formatListenAddress, parseListenAddress } from '../src/config/listen-address';
import { toLogfmt } from '../src/log/logfmt';
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
  ['1500us', 2],
  ['1.0005s', 1001],
  ['16.1s', 16_100],
])('parseDuration(%p) = %p ms, whole', (text, ms) => {
  expect(parseDuration(text)).toEqual({ ok: true, value: ms });
});

test.each(['', '5', '-1s', '1 s', '5 minutes', 's', '1.s', '1S', '1h-30m', '+1s', 'Infinity', '1e3s'])(
  'parseDuration(%p) is a problem',
  (text) => {
    expect(parseDuration(text)).toEqual({
      ok: false,
      problems: [`must be a duration such as 500ms, 30s, 5m or 1h, not "${text}"`],
    });
  },
);

test.each([
  ['timeout', '60d', 'must be from 10ms to 5m, not "60d"'],
  ['timeout', '1.5ms', 'must be from 10ms to 5m, not "1.5ms"'],
  ['timeout', '5m1ms', 'must be from 10ms to 5m, not "5m1ms"'],
  ['timeoutOffset', '61s', 'must be from 0s to 1m, not "61s"'],
  ['ttl', '25h', 'must be from 0s to 1d, not "25h"'],
  ['maxStale', '31d', 'must be from 1s to 30d, not "31d"'],
  ['maxStale', '0s', 'must be from 1s to 30d, not "0s"'],
  // The range holds for what was written, before it is rounded to a whole millisecond.
  ['timeout', '9.5ms', 'must be from 10ms to 5m, not "9.5ms"'],
  ['timeout', '9.9ms', 'must be from 10ms to 5m, not "9.9ms"'],
  ['timeout', '5m0.4ms', 'must be from 10ms to 5m, not "5m0.4ms"'],
  ['ttl', '24h0.4ms', 'must be from 0s to 1d, not "24h0.4ms"'],
] as const)('a %s of %p is out of range', (range, text, problem) => {
  expect(parseDurationIn(text, RANGES[range])).toEqual({ ok: false, problems: [problem] });
});

test.each([
  ['timeout', '10ms', 10],
  ['timeout', '5m', 300_000],
  ['timeoutOffset', '0', 0],
  ['maxStale', '30d', 2_592_000_000],
] as const)('a %s of %p is in range: %p ms', (range, text, ms) => {
  expect(parseDurationIn(text, RANGES[range])).toEqual({ ok: true, value: ms });
});

test.each([
  [0, '0s'],
  [10, '10ms'],
  [1500, '1500ms'],
  [60_000, '1m'],
  [86_400_000, '1d'],
])('formatDuration(%p) = %p', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});

test.each([
  [':10863', { port: 10863 }],
  ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
  ['[::1]:9000', { host: '::1', port: 9000 }],
  ['localhost:8080', { host: 'localhost', port: 8080 }],
])('parseListenAddress(%p)', (text, address) => {
  expect(parseListenAddress(text)).toEqual({ ok: true, value: address });
  expect(formatListenAddress(address)).toBe(text);
});

test.each(['10863', ':65536', 'host:', 'a b:80', '::1:80', ':-1'])(
  'parseListenAddress(%p) is a problem',
  (text) => {
    expect(parseListenAddress(text).ok).toBe(false);
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
    // Beyond the cap, however far, is held to the cap.
    ['99999999999', MAX_RETRY_AFTER_MS],
    ['9'.repeat(400), MAX_RETRY_AFTER_MS],
    ['Fri, 01 Jan 2100 00:00:00 GMT', MAX_RETRY_AFTER_MS],
    ['Fri, 31 Dec 9999 23:59:59 GMT', MAX_RETRY_AFTER_MS],
  ])('%p waits %p ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toEqual({ ok: true, value: ms });
  });
  test.each([undefined, '', 'soon', '-5', '1.5', '12abc', '+5', '1e9'])('%p is unusable', (header) => {
    expect(parseRetryAfter(header, now).ok).toBe(false);
  });
});

describe('scrapeWaitMs', () => {
  test.each([
    [undefined, 5050],
    ['10', 5050],
    ['5', 4500],
    ['1.5', 1000],
    ['0.4', 200],
    ['0.5', 250],
    ['0.3', 150],
    ['0.7', 200],
    ['1.0005', 500],
    ['0.0001', 0],
    ['1e9', 5050],
    ['2e0', 1500],
    ['garbage', 5050],
    ['-3', 5050],
    ['0', 5050],
    ['NaN', 5050],
    ['Infinity', 5050],
    ['', 5050],
  ])('header %p, longest timeout 5s and offset 0.5s: waits %p ms', (header, ms) => {
    expect(scrapeWaitMs(header, 5000, 500)).toBe(ms);
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
