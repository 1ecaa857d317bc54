import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { AccountSpec } from '../src/accounts/account-spec';
import { RetryGates } from '../src/accounts/retry-gates';
import { after, balance, error } from './helpers/fake-api';
import { sampleValue } from './helpers/exposition';
import { Harness } from './helpers/harness';

// A 429's Retry-After belongs to the API and the token it throttled, not to an account: each
// case is a way a review found to send a throttled token early, or to turn reloads into requests.

let h: Harness;
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tensorpix-gates-'))));
afterEach(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const spec = (name: string, apiUrl: string, token: string, timeoutMs = 5000): AccountSpec => ({
  name,
  apiUrl,
  timeoutMs,
  token: { kind: 'value', value: token },
});
const tokens = () => h.upstream.requests.map((r) => r.headers.authorization);

/** startWithFile starts an exporter on an accounts file, applied by a first reload. */
async function startWithFile(yaml: string): Promise<{ reload: (yaml: string) => Promise<void> }> {
  const file = join(dir, 'accounts.yml');
  const reload = async (text: string) => {
    writeFileSync(file, text);
    expect((await request(h.handler).post('/-/reload')).status).toBe(200);
  };
  writeFileSync(file, yaml);
  h = await Harness.start({ ttlMs: 60_000, enableLifecycle: true, configFile: file, accounts: () => [] });
  await reload(yaml);
  return { reload };
}

test('two accounts with one token, one request slot: the one queued behind the 429 sends nothing and counts nothing', async () => {
  h = await Harness.start({
    ttlMs: 60_000,
    concurrency: 1,
    accounts: (api) => [spec('a', api.url, 'tok-same'), spec('b', api.url, 'tok-same')],
  });
  h.upstream.reply(after(50, error(429, { 'retry-after': '3600' })));
  await h.scrape();
  await h.settle();
  const text = await h.scrape();
  expect(tokens()).toEqual(['Token tok-same']);
  expect(sampleValue(text, 'tensorpix_upstream_requests_total', { account: 'b' })).toBe(0);
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'b', code: '429' })).toBe(0);
  // b waits out the same gate, then both are asked.
  h.upstream.reply(balance('3.0000'));
  h.clock.advance(3600_000);
  await h.scrape();
  await h.settle();
  const last = await h.scrape();
  expect(tokens()).toEqual(['Token tok-same', 'Token tok-same', 'Token tok-same']);
  expect(sampleValue(last, 'tensorpix_credits_balance_usd', { account: 'b' })).toBe(3);
});

test('an account held by another account’s 429 is not up, and once its balance is max-stale it has none', async () => {
  h = await Harness.start({
    ttlMs: 60_000,
    maxStaleMs: 120_000,
    concurrency: 1,
    accounts: (api) => [spec('a', api.url, 'tok-same'), spec('b', api.url, 'tok-same')],
  });
  h.upstream.reply(balance('5.0000'));
  await h.scrape();
  await h.settle();
  h.clock.advance(61_000);
  h.upstream.reply(after(50, error(429, { 'retry-after': '3600' })));
  await h.scrape();
  await h.settle();
  let text = await h.scrape();
  expect(tokens()).toHaveLength(3);
  expect(sampleValue(text, 'tensorpix_up', { account: 'b' })).toBe(0);
  expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'b' })).toBe(5);
  h.clock.advance(130_000);
  text = await h.scrape();
  expect(tokens()).toHaveLength(3);
  expect(sampleValue(text, 'tensorpix_up', { account: 'b' })).toBe(0);
  expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'b' })).toBeUndefined();
  expect(sampleValue(text, 'tensorpix_upstream_requests_total', { account: 'b' })).toBe(1);
});

test('the same token moved to another file (a new secret) still waits out the Retry-After', async () => {
  writeFileSync(join(dir, 'v1.token'), 'tok-a\n');
  writeFileSync(join(dir, 'v2.token'), 'tok-a\n');
  writeFileSync(join(dir, 'other.token'), 'tok-b\n');
  const { reload } = await startWithFile('accounts:\n  - {name: a, token_file: v1.token}\n');
  h.upstream.reply(error(429, { 'retry-after': '3600' }));
  await h.scrape();
  await reload('accounts:\n  - {name: a, token_file: v2.token}\n');
  h.clock.advance(5000);
  await h.scrape();
  expect(tokens()).toEqual(['Token tok-a']);
  // Another token in another file is another source: not held.
  h.upstream.reply(balance('1.0000'));
  await reload('accounts:\n  - {name: a, token_file: other.token}\n');
  h.clock.advance(5000);
  await h.scrape();
  expect(tokens()).toEqual(['Token tok-a', 'Token tok-b']);
});

test('reloads that flip the timeout back and forth: one more early retry per backoff, not one per reload', async () => {
  writeFileSync(join(dir, 'a.token'), 'tok-a\n');
  const yaml = (timeout: string) => `accounts:\n  - {name: a, token_file: a.token, timeout: ${timeout}}\n`;
  const { reload } = await startWithFile(yaml('5s'));
  h.upstream.reply(error(503));
  await h.scrape();
  for (let i = 0; i < 20; i++) {
    await reload(yaml(i % 2 ? '5s' : '6s'));
    h.clock.advance(1000);
    await h.scrape();
  }
  // 20 s into a 60 s backoff: the first attempt, the reload's early retry, one more for the change.
  expect(h.upstream.requests).toHaveLength(3);
});

test('a reload storm while a 429 holds: no request before the gate opens, whatever the settings', async () => {
  h = await Harness.start({ ttlMs: 1000, accounts: (api) => [spec('a', api.url, 'tok-a')] });
  h.upstream.reply(error(429, { 'retry-after': '600' }));
  await h.scrape();
  for (let i = 0; i < 20; i++) {
    h.app.accounts.replace([spec('a', h.upstream.url, 'tok-a', 5000 + (i % 2) * 1000)]);
    h.app.accounts.retryNow();
    h.clock.advance(10_000);
    await h.scrape();
  }
  expect(tokens()).toHaveLength(1);
  h.clock.advance(400_000);
  await h.scrape();
  expect(tokens()).toHaveLength(2);
});

test('removed and added back later, an account still waits out its token’s Retry-After, then is asked', async () => {
  h = await Harness.start({ ttlMs: 60_000, accounts: (api) => [spec('a', api.url, 'tok-a')] });
  h.upstream.reply(error(429, { 'retry-after': '120' }));
  await h.scrape();
  h.app.accounts.replace([spec('x', h.upstream.url, 'tok-x')]);
  h.upstream.reply(balance('1.0000'));
  h.clock.advance(10_000);
  await h.scrape();
  h.app.accounts.replace([spec('a', h.upstream.url, 'tok-a', 9000)]);
  h.app.accounts.retryNow();
  h.clock.advance(10_000);
  await h.scrape();
  expect(tokens()).toEqual(['Token tok-a', 'Token tok-x']);
  h.clock.advance(100_000);
  await h.scrape();
  expect(tokens()).toEqual(['Token tok-a', 'Token tok-x', 'Token tok-a']);
});

test('a 429 whose body never ends counts as 429 and its Retry-After holds: the status is the answer', async () => {
  h = await Harness.start({ ttlMs: 60_000, accounts: (api) => [spec('a', api.url, 'tok-a', 500)] });
  h.upstream.reply((_req, res) => {
    res.writeHead(429, {
      'retry-after': '3600',
      'content-type': 'application/json',
      'content-length': '100',
    });
    res.write('{"detail":');
  });
  const text = await h.scrape();
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'a', code: '429' })).toBe(1);
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'a', code: 'timeout' })).toBe(0);
  h.clock.advance(61_000);
  await h.scrape();
  expect(tokens()).toEqual(['Token tok-a']);
});

test('RetryGates keeps only the gates still closed: expired ones go as new ones come', () => {
  const gates = new RetryGates();
  for (let i = 0; i < 10_000; i++) gates.close([`k${i}`], i + 1000, i);
  // At the last close (now = 9 999), the gates of k8999 … k9999 are still closed, no other.
  expect(gates.closedUntil('k8998', 9_999)).toBe(-Infinity);
  expect(gates.closedUntil('k9000', 9_999)).toBe(10_000);
  expect(gates.size).toBe(1000);
  // A later Retry-After never shortens a gate.
  gates.close(['k9999'], 5, 9_999);
  expect(gates.closedUntil('k9999', 9_999)).toBe(10_999);
});
