import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { AccountSpec } from '../src/accounts/account-spec';
import { Harness } from './helpers/harness';
import { after, balance, byToken, error, hang } from './helpers/fake-api';
import { sampleValue } from './helpers/exposition';

const account = (name: string, url: string): Omit<AccountSpec, 'timeoutMs'> => ({
  name,
  apiUrl: url,
  token: { kind: 'value', value: `tok-${name}` },
});

let h: Harness;
afterEach(() => h.close());

test('ok, 401 and hanging accounts: each its own series, and the scrape ends before the deadline', async () => {
  h = await Harness.start({
    upstreamTimeoutMs: 800,
    accounts: (up) => ['ok', 'denied', 'hanging'].map((name) => account(name, up.url)),
  });
  h.upstream.reply(byToken({ 'tok-ok': balance('42.0000'), 'tok-denied': error(401), 'tok-hanging': hang }));
  const started = Date.now();
  const text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
  expect(Date.now() - started).toBeLessThan(1500);

  expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'ok' })).toBe(42);
  expect(sampleValue(text, 'tensorpix_up', { account: 'ok' })).toBe(1);
  expect(sampleValue(text, 'tensorpix_last_success_timestamp_seconds', { account: 'ok' })).toBe(
    h.clock.ms / 1000,
  );
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'ok', code: 'timeout' })).toBe(0);

  expect(sampleValue(text, 'tensorpix_up', { account: 'denied' })).toBe(0);
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'denied', code: '401' })).toBe(1);
  expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'denied' })).toBeUndefined();

  expect(sampleValue(text, 'tensorpix_up', { account: 'hanging' })).toBe(0);
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'hanging', code: 'timeout' })).toBe(
    1,
  );
  expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'hanging' })).toBeUndefined();
});

test('50 accounts with 100 ms latency and concurrency 4: never more than 4 requests in flight', async () => {
  const names = Array.from({ length: 50 }, (_, i) => `team-${i}`);
  h = await Harness.start({ concurrency: 4, accounts: (up) => names.map((name) => account(name, up.url)) });
  h.upstream.reply(after(100, balance('10.0000')));
  const text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '5' });
  expect(h.upstream.requests).toHaveLength(50);
  expect(h.upstream.maxInFlight).toBe(4);
  for (const name of names) expect(sampleValue(text, 'tensorpix_up', { account: name })).toBe(1);
});

test('accounts still queued when their timeout passes are reported as timeout, the others fresh', async () => {
  const names = Array.from({ length: 12 }, (_, i) => `queued-${i}`);
  h = await Harness.start({
    concurrency: 2,
    upstreamTimeoutMs: 900,
    accounts: (up) => names.map((name) => account(name, up.url)),
  });
  h.upstream.reply(after(300, balance('1.0000')));
  const started = Date.now();
  // 0.9 s per attempt, queueing included: about 3 rounds of 2 requests get through; the
  // rest time out in the queue, and the scrape (1 s budget) sees every outcome.
  const text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
  expect(Date.now() - started).toBeLessThan(1500);
  const up = names.map((name) => sampleValue(text, 'tensorpix_up', { account: name }));
  const timedOut = names.map((name) =>
    sampleValue(text, 'tensorpix_upstream_errors_total', { account: name, code: 'timeout' }),
  );
  expect(up.filter((v) => v === 1).length).toBeGreaterThanOrEqual(4);
  expect(timedOut.filter((v) => v === 1).length).toBeGreaterThanOrEqual(4);
  expect(up.every((v, i) => v === 1 || timedOut[i] === 1)).toBe(true);
  expect(h.upstream.requests.length).toBeLessThan(names.length);
});

describe('replacing the accounts (what a reload applies)', () => {
  test('a removed account loses its series, an added one appears at 0, an unchanged one keeps its cache', async () => {
    h = await Harness.start({
      ttlMs: 60_000,
      accounts: (up) => [account('keep', up.url), account('drop', up.url)],
    });
    h.upstream.reply(balance('5.0000'));
    await h.scrape();
    expect(h.upstream.requests).toHaveLength(2);

    h.app.accounts.replace([
      { ...account('keep', h.upstream.url), timeoutMs: 5000 },
      { ...account('new', h.upstream.url), timeoutMs: 5000 },
    ]);
    h.upstream.reply(error(503));
    const text = await h.scrape();
    // Only the new account asked the upstream; "keep" still serves its cached value.
    expect(h.upstream.requests.map((r) => r.headers.authorization)).toEqual([
      'Token tok-keep',
      'Token tok-drop',
      'Token tok-new',
    ]);
    expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'keep' })).toBe(5);
    expect(sampleValue(text, 'tensorpix_up', { account: 'keep' })).toBe(1);
    expect(text).not.toContain('account="drop"');
    expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'new', code: '503' })).toBe(1);
    expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'new', code: '401' })).toBe(0);
  });

  test('POST /-/reload answers 403 when the lifecycle API is off, 500 with the problems when the new config is bad', async () => {
    h = await Harness.start();
    expect((await request(h.handler).post('/-/reload')).status).toBe(403);
    expect((await request(h.handler).get('/-/reload')).status).toBe(405);
    await h.close();

    const dir = mkdtempSync(join(tmpdir(), 'tensorpix-reload-'));
    try {
      const file = join(dir, 'accounts.yml');
      writeFileSync(join(dir, 'a.token'), 'tok-a\n');
      h = await Harness.start({ enableLifecycle: true, configFile: file });
      writeFileSync(file, 'acounts: []\naccounts:\n  - {name: a, token_file: a.token}\n');
      const bad = await request(h.handler).post('/-/reload');
      expect(bad.status).toBe(500);
      expect(bad.text).toContain('unknown key acounts');
      writeFileSync(file, 'accounts:\n  - {name: a, token_file: a.token}\n');
      expect((await request(h.handler).post('/-/reload')).status).toBe(200);
      expect(h.app.accounts.accounts().map((a) => a.name)).toEqual(['a']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a new timeout keeps the counters, balance and 429 gate; the gate follows the token, whatever the account is called', async () => {
    const spec = (name: string, token: string) => ({
      ...account(name, h.upstream.url),
      token: { kind: 'value' as const, value: token },
      timeoutMs: 7000,
    });
    const tokens = () => h.upstream.requests.map((r) => r.headers.authorization);
    h = await Harness.start({ ttlMs: 60_000, accounts: (up) => [account('a', up.url)] });
    h.upstream.reply(balance('5.0000'));
    await h.scrape();
    h.upstream.reply(error(429, { 'retry-after': '3600' }));
    h.clock.advance(60_000);
    await h.scrape();
    expect(tokens()).toEqual(['Token tok-a', 'Token tok-a']);

    // Only the timeout changes: the same account, its counters and balance kept, still gated.
    h.app.accounts.replace([spec('a', 'tok-a')]);
    h.app.accounts.retryNow();
    h.clock.advance(5000);
    let text = await h.scrape();
    expect(tokens()).toHaveLength(2);
    expect(h.app.accounts.accounts()[0]!.spec.timeoutMs).toBe(7000);
    expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'a', code: '429' })).toBe(1);
    expect(sampleValue(text, 'tensorpix_upstream_requests_total', { account: 'a' })).toBe(2);
    expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'a' })).toBe(5);

    // Renamed, the throttled token still waits; another account with a fresh token does not.
    h.upstream.reply(balance('6.0000'));
    h.app.accounts.replace([spec('renamed', 'tok-a'), spec('other', 'tok-b')]);
    h.app.accounts.retryNow();
    h.clock.advance(5000);
    text = await h.scrape();
    expect(tokens()).toEqual(['Token tok-a', 'Token tok-a', 'Token tok-b']);
    expect(sampleValue(text, 'tensorpix_up', { account: 'renamed' })).toBe(0);
    expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'renamed', code: '429' })).toBe(0);

    // Tokens swapped between the two: the throttled one waits under its new name, the other is asked at once.
    h.app.accounts.replace([spec('renamed', 'tok-b'), spec('other', 'tok-a')]);
    h.app.accounts.retryNow();
    h.clock.advance(5000);
    text = await h.scrape();
    expect(tokens()).toEqual(['Token tok-a', 'Token tok-a', 'Token tok-b', 'Token tok-b']);
    expect(sampleValue(text, 'tensorpix_up', { account: 'renamed' })).toBe(1);

    // Once Retry-After has passed, the throttled token is asked again.
    h.clock.advance(3600_000);
    text = await h.scrape();
    expect(tokens().slice(4).sort()).toEqual(['Token tok-a', 'Token tok-b']);
    expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'other' })).toBe(6);
  });
});
