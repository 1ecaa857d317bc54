import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { parseWebConfig, type WebConfig } from '../src/config/web-config';
import { after, balance, byToken, error, hang } from './helpers/fake-api';
import { sampleValue } from './helpers/exposition';
import { Harness, TOKEN } from './helpers/harness';
import { holdThreadPool, type HeldThreadPool } from './helpers/hold-thread-pool';

// What an attempt's schedule must withstand: reloads and new tokens at any moment, a wall
// clock that steps, more accounts than request slots, a file system that hangs. Each case
// is one the hostile review of the redesigned core broke.

let h: Harness;
afterEach(() => h?.close());

describe('the 429 gate and the backoff hold', () => {
  test('reloads do not open a Retry-After gate: no API request before it passes', async () => {
    h = await Harness.start({ ttlMs: 10_000, enableLifecycle: true });
    h.upstream.reply(error(429, { 'retry-after': '3600' }));
    await h.scrape();
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1000);
      expect((await request(h.handler).post('/-/reload')).status).toBe(200);
      await h.scrape();
    }
    expect(h.upstream.requests).toHaveLength(1);
    h.clock.advance(3600_000);
    await h.scrape();
    expect(h.upstream.requests).toHaveLength(2);
  });

  test('a storm of reloads moves a failing account forward once, not on every reload', async () => {
    h = await Harness.start({ ttlMs: 60_000, enableLifecycle: true });
    h.upstream.reply(error(503));
    await h.scrape();
    for (let i = 0; i < 30; i++) {
      h.clock.advance(100);
      await request(h.handler).post('/-/reload');
      await h.scrape();
    }
    // The first attempt, and one early retry a second after it: then the backoff holds.
    expect(h.upstream.requests).toHaveLength(2);
    // A reload still helps the operator who fixed something: once per backoff.
    h.clock.advance(120_000);
    await h.scrape();
    await request(h.handler).post('/-/reload');
    h.clock.advance(1000);
    await h.scrape();
    expect(h.upstream.requests).toHaveLength(4);
  });

  test('a reload that changes the proxy or the timeout earns one more early retry per backoff: it may be the fix', async () => {
    h = await Harness.start({ ttlMs: 60_000 });
    h.upstream.reply(error(503));
    await h.scrape();
    const spec = h.app.accounts.accounts()[0]!.spec;
    const attemptsAfterReloadWith = async (changes: object) => {
      h.app.accounts.replace([{ ...spec, ...changes }]);
      h.app.accounts.retryNow();
      h.clock.advance(1000);
      return sampleValue(await h.scrape(), 'tensorpix_upstream_requests_total', { account: 'default' });
    };
    // The same settings again: the early retry is spent once, then the backoff holds.
    expect(await attemptsAfterReloadWith({})).toBe(2);
    expect(await attemptsAfterReloadWith({})).toBe(2);
    // A new proxy (here one that is down) is worth one retry a second later, and only one.
    const proxy = { kind: 'proxy', origin: 'http://127.0.0.1:1', host: '127.0.0.1:1', source: 'test' };
    expect(await attemptsAfterReloadWith({ route: proxy })).toBe(3);
    expect(await attemptsAfterReloadWith({ route: proxy })).toBe(3);
    // Once per backoff: another change before the account comes due again earns nothing more.
    const longer = { route: proxy, timeoutMs: spec.timeoutMs + 1000 };
    expect(await attemptsAfterReloadWith(longer)).toBe(3);
    // Due on its own again (backoff at most 5 min), the reload's retry and the change's are earned anew.
    h.clock.advance(300_000);
    expect(sampleValue(await h.scrape(), 'tensorpix_upstream_requests_total', { account: 'default' })).toBe(
      4,
    );
    expect(await attemptsAfterReloadWith(longer)).toBe(5);
    expect(await attemptsAfterReloadWith({})).toBe(6);
    expect(await attemptsAfterReloadWith({})).toBe(6);
  });

  test('a new token in the file does not open a Retry-After gate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tensorpix-gate-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, 'first-token\n');
      h = await Harness.start({
        ttlMs: 10_000,
        accounts: (api) => [{ name: 'default', apiUrl: api.url, token: { kind: 'file', path: file } }],
      });
      h.upstream.reply(error(429, { 'retry-after': '3600' }));
      await h.scrape();
      for (let i = 0; i < 5; i++) {
        writeFileSync(file, `rotated-${i}\n`);
        h.clock.advance(1000);
        await h.scrape();
      }
      expect(h.upstream.requests).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('a reload does not put off an account that timed out in the queue: it is due at once', async () => {
  // The real clock: the limiter must see the queued account's deadline pass.
  h = await Harness.start({
    realClock: true,
    concurrency: 1,
    upstreamTimeoutMs: 300,
    accounts: (api) => [
      { name: 'slow', apiUrl: api.url, token: { kind: 'value', value: 'tok-slow' } },
      { name: 'queued', apiUrl: api.url, token: { kind: 'value', value: 'tok-queued' } },
    ],
  });
  h.upstream.reply(byToken({ 'tok-slow': hang }, balance('2.0000')));
  let text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
  // "slow" held the one slot until its timeout; "queued" waited for it until its own.
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'queued', code: 'timeout' })).toBe(
    1,
  );
  expect(h.upstream.requests.map((r) => r.headers.authorization)).toEqual(['Token tok-slow']);
  await h.app.reload();
  // Within a second of their attempts: "slow" waits for its early retry, "queued" is due now.
  text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
  expect(h.upstream.requests.map((r) => r.headers.authorization)).toContain('Token tok-queued');
  expect(sampleValue(text, 'tensorpix_up', { account: 'queued' })).toBe(1);
});

describe('a wall clock that steps (NTP, a resumed VM) moves no wait', () => {
  test('back an hour: the cache still expires after the TTL of monotonic time, and the timestamp is the wall one', async () => {
    h = await Harness.start({ ttlMs: 60_000, wallClock: true });
    h.upstream.replySequence(balance('10.0000'), balance('7.0000'));
    await h.scrape();
    h.wall.advance(-3600_000);
    h.wall.advance(61_000);
    h.clock.advance(61_000);
    const text = await h.scrape();
    expect(h.upstream.requests).toHaveLength(2);
    expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBe(7);
    expect(Harness.value(text, 'tensorpix_last_success_timestamp_seconds')).toBe(h.wall.ms / 1000);
  });

  test('forward a day: a fresh balance is not dropped as max-stale', async () => {
    h = await Harness.start({ ttlMs: 60_000, maxStaleMs: 15 * 60_000, wallClock: true });
    h.upstream.reply(balance('10.0000'));
    await h.scrape();
    h.wall.advance(86_400_000);
    expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(10);
  });

  test('back an hour: rate_limit does not lock every client out', async () => {
    const parsed = parseWebConfig('/virtual/web.yml', () => 'rate_limit:\n  interval: 1s\n  burst: 5\n');
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    h = await Harness.start({ web: parsed.value as WebConfig, wallClock: true });
    expect((await request(h.handler).get('/-/healthy')).status).toBe(200);
    h.wall.advance(-3600_000);
    h.clock.advance(10_000);
    expect((await request(h.handler).get('/-/healthy')).status).toBe(200);
  });
});

test('more accounts than request slots: every account is read, none starved by the order of the list', async () => {
  // 30 accounts, one request at a time, 50 ms a request, 500 ms an attempt, a 3 s TTL: the
  // API has room for 60 requests a TTL and 30 are needed. The accounts queued out at one
  // scrape are served first at the next, and a queue timeout does not back an account off.
  h = await Harness.start({
    realClock: true,
    concurrency: 1,
    upstreamTimeoutMs: 500,
    ttlMs: 3000,
    maxStaleMs: 60_000,
    accounts: (api) =>
      Array.from({ length: 30 }, (_, i) => ({
        name: `a${String(i).padStart(2, '0')}`,
        apiUrl: api.url,
        token: { kind: 'value' as const, value: TOKEN },
      })),
  });
  h.upstream.reply(after(50, balance('1.0000')));
  const everUp = new Set<string>();
  const started = Date.now();
  while (Date.now() - started < 8000 && everUp.size < 30) {
    const text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '1' });
    for (const m of text.matchAll(/^tensorpix_up\{account="([^"]+)"\} 1$/gm)) everUp.add(m[1]!);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(everUp.size).toBe(30);
}, 20_000);

test('with every file-system thread held by hung reads, a scrape still answers within its budget', async () => {
  // Four blocking opens of a FIFO no one writes hold libuv's four threads, as token reads on
  // a hung network file system would. The process metrics list /proc/self/fd without them.
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-pool-'));
  let pool: HeldThreadPool | undefined;
  try {
    h = await Harness.start({ realClock: true, exporterMetrics: true, upstreamTimeoutMs: 1000 });
    h.upstream.reply(balance('5.0000'));
    // Uncompressed: the test's own client would gunzip on the threads this test holds.
    const scrape = () =>
      request(h.handler)
        .get('/metrics')
        .set({ 'X-Prometheus-Scrape-Timeout-Seconds': '2', 'Accept-Encoding': 'identity' });
    expect((await scrape()).status).toBe(200);
    pool = holdThreadPool(dir);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const answer = await scrape();
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(answer.text).toMatch(/^process_open_fds \d+$/m);
  } finally {
    await pool?.release();
    rmSync(dir, { recursive: true, force: true });
  }
});
