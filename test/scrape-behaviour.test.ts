import request from 'supertest';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Harness } from './helpers/harness';
import { after, balance, error, hang, json } from './helpers/fake-api';
import { MAX_RETRY_AFTER_MS } from '../src/tensorpix/retry-after';

let h: Harness;
afterEach(() => h.close());

describe('cache and single-flight', () => {
  beforeEach(async () => {
    h = await Harness.start({ ttlMs: 60_000 });
  });

  test('200 concurrent scrapes on a cold cache make exactly 1 upstream request; after the TTL exactly 1 more', async () => {
    h.upstream.reply(after(100, balance('10.0000')));
    const scrapes = await Promise.all(Array.from({ length: 200 }, () => h.scrape()));
    expect(h.upstream.requests).toHaveLength(1);
    for (const body of scrapes) expect(Harness.value(body, 'tensorpix_credits_balance_usd')).toBe(10);

    h.clock.advance(59_000);
    await Promise.all(Array.from({ length: 20 }, () => h.scrape()));
    expect(h.upstream.requests).toHaveLength(1);

    h.clock.advance(1_001);
    await Promise.all(Array.from({ length: 200 }, () => h.scrape()));
    expect(h.upstream.requests).toHaveLength(2);
  });

  test('a short header cannot cut short the attempt it started: a 10 s scrape that joins gets the fresh balance', async () => {
    h.upstream.reply(after(300, balance('10.0000')));
    const started = Date.now();
    const hostile = h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '0.7' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const prometheus = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '10' });
    const short = await hostile;
    // The short scrape answered at its own budget (200 ms), before the API did, as it stood.
    expect(Harness.value(short, 'tensorpix_up')).toBe(0);
    expect(Harness.value(short, 'tensorpix_upstream_requests_total')).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Harness.value(prometheus, 'tensorpix_up')).toBe(1);
    expect(Harness.value(prometheus, 'tensorpix_credits_balance_usd')).toBe(10);
    expect(Harness.value(prometheus, 'tensorpix_upstream_errors_total', { code: 'timeout' })).toBe(0);
    // No backoff afterwards: the next scrapes are served from the cache, still up.
    const next = await h.scrape();
    expect(Harness.value(next, 'tensorpix_up')).toBe(1);
    expect(h.upstream.requests).toHaveLength(1);
  });

  test('401 is tried once per scrape, never retried within it, and backs off after', async () => {
    h.upstream.reply(error(401));
    const text = await h.scrape();
    expect(h.upstream.requests).toHaveLength(1);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: '401' })).toBe(1);
    // A second scrape right after does not hammer a key that was just refused.
    await h.scrape();
    expect(h.upstream.requests).toHaveLength(1);
  });

  test('consecutive failures back off exponentially from the TTL', async () => {
    h.upstream.reply(error(503));
    const attemptsAt: number[] = [];
    for (let second = 0; second <= 8 * 60; second += 15) {
      const before = h.upstream.requests.length;
      await h.scrape();
      if (h.upstream.requests.length > before) attemptsAt.push(second);
      h.clock.advance(15_000);
    }
    // Waits of 60 s, 120 s, 240 s, then capped at 300 s (rounded up to the 15 s scrape grid).
    expect(attemptsAt).toEqual([0, 60, 180, 420]);
  });
});

describe('429 gate', () => {
  beforeEach(async () => {
    h = await Harness.start({ ttlMs: 10_000 });
  });

  test('Retry-After in seconds: no upstream request before it passes, one after', async () => {
    h.upstream.replySequence(error(429, { 'retry-after': '120' }), balance('4.0000'));
    const first = await h.scrape();
    expect(Harness.value(first, 'tensorpix_upstream_errors_total', { code: '429' })).toBe(1);
    for (let i = 0; i < 7; i++) {
      h.clock.advance(17_000);
      const text = await h.scrape();
      expect(Harness.value(text, 'tensorpix_up')).toBe(0);
    }
    expect(h.upstream.requests).toHaveLength(1);
    h.clock.advance(1_001);
    const text = await h.scrape();
    expect(h.upstream.requests).toHaveLength(2);
    expect(Harness.value(text, 'tensorpix_up')).toBe(1);
  });

  test('Retry-After as an HTTP date: no upstream request before that date, one after', async () => {
    h.upstream.replySequence(
      (req, res) => error(429, { 'retry-after': new Date(h.clock.ms + 300_000).toUTCString() })(req, res),
      balance('4.0000'),
    );
    await h.scrape();
    h.clock.advance(299_000);
    await h.scrape();
    expect(h.upstream.requests).toHaveLength(1);
    h.clock.advance(1_000);
    await h.scrape();
    expect(h.upstream.requests).toHaveLength(2);
  });

  test.each([['99999999999'], ['Fri, 31 Dec 9999 23:59:59 GMT']])(
    'Retry-After %p, beyond the cap, is held to the cap: one request until it passes, one after',
    async (retryAfter) => {
      h.upstream.replySequence(error(429, { 'retry-after': retryAfter }), balance('4.0000'));
      await h.scrape();
      // A scrape every 15 s for the cap's whole hour, each well past the 10 s TTL, up to 1 ms before it ends.
      let elapsed = 0;
      while (elapsed + 15_000 < MAX_RETRY_AFTER_MS) {
        h.clock.advance(15_000);
        elapsed += 15_000;
        expect(Harness.value(await h.scrape(), 'tensorpix_up')).toBe(0);
      }
      h.clock.advance(MAX_RETRY_AFTER_MS - 1 - elapsed);
      await h.scrape();
      expect(h.upstream.requests).toHaveLength(1);
      h.clock.advance(1);
      const text = await h.scrape();
      expect(h.upstream.requests).toHaveLength(2);
      expect(Harness.value(text, 'tensorpix_up')).toBe(1);
    },
  );

  test('the last good balance is served while the gate is closed', async () => {
    h.upstream.replySequence(balance('8.0000'), error(429, { 'retry-after': '600' }));
    await h.scrape();
    h.clock.advance(10_001);
    const text = await h.scrape();
    expect(Harness.value(text, 'tensorpix_up')).toBe(0);
    expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBe(8);
  });
});

describe('max-stale', () => {
  test('failures keep the last good balance until max-stale, then only tensorpix_up 0 remains', async () => {
    h = await Harness.start({ ttlMs: 60_000, maxStaleMs: 15 * 60_000 });
    h.upstream.replySequence(balance('25.5000'), error(500));
    await h.scrape();
    h.clock.advance(14 * 60_000);
    const stale = await h.scrape();
    expect(Harness.value(stale, 'tensorpix_credits_balance_usd')).toBe(25.5);
    expect(Harness.value(stale, 'tensorpix_up')).toBe(0);
    h.clock.advance(60_001);
    const gone = await h.scrape();
    expect(Harness.value(gone, 'tensorpix_credits_balance_usd')).toBeUndefined();
    expect(Harness.value(gone, 'tensorpix_up')).toBe(0);
    // The time of the last good read stays, so alerts can tell how old it is.
    expect(Harness.value(gone, 'tensorpix_last_success_timestamp_seconds')).toBe(
      (h.clock.ms - 15 * 60_000 - 1) / 1000,
    );
  });
});

test('the balance leaves the output at max-stale even when no attempt happens in between', async () => {
  h = await Harness.start({ ttlMs: 60_000, maxStaleMs: 15 * 60_000 });
  h.upstream.replySequence(balance('25.5000'), error(429, { 'retry-after': '3600' }));
  await h.scrape();
  h.clock.advance(61_000);
  await h.scrape(); // the 429 closes the gate for an hour
  h.clock.advance(13 * 60_000);
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(25.5);
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(25.5);
  h.clock.advance(60_000);
  const gone = await h.scrape();
  expect(h.upstream.requests).toHaveLength(2);
  expect(Harness.value(gone, 'tensorpix_credits_balance_usd')).toBeUndefined();
  expect(Harness.value(gone, 'tensorpix_up')).toBe(0);
});

test('a balance is exported until the millisecond before max-stale, and not at it, cached text or not', async () => {
  h = await Harness.start({ ttlMs: 60_000, maxStaleMs: 15 * 60_000 });
  h.upstream.replySequence(balance('25.5000'), error(429, { 'retry-after': '3600' }));
  await h.scrape();
  const readAt = h.clock.ms;
  h.clock.advance(61_000);
  await h.scrape(); // the 429 closes the gate for an hour: no attempt until after max-stale
  h.clock.ms = readAt + 15 * 60_000 - 1;
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(25.5);
  // The same text again, from the exposition cache.
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(25.5);
  h.clock.advance(1);
  const atExpiry = await h.scrape();
  expect(Harness.value(atExpiry, 'tensorpix_credits_balance_usd')).toBeUndefined();
  expect(Harness.value(atExpiry, 'tensorpix_last_success_timestamp_seconds')).toBe(readAt / 1000);
  h.clock.advance(30 * 60_000 - 1);
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBeUndefined();
  expect(h.upstream.requests).toHaveLength(2);
});

describe('spent and added', () => {
  test('good balances 10 → 8 → 15 → 14 give spent 3 and added 7; failures in between change nothing', async () => {
    h = await Harness.start({ ttlMs: 1000 });
    h.upstream.replySequence(
      balance('10.0000'),
      balance('8.0000'),
      error(503),
      json(200, { balance_usd: 'garbage' }),
      balance('15.0000'),
      balance('14.0000'),
    );
    let text = '';
    for (let i = 0; i < 6; i++) {
      text = await h.scrape();
      h.clock.advance(60_000);
    }
    expect(h.upstream.requests).toHaveLength(6);
    expect(Harness.value(text, 'tensorpix_credits_spent_usd_total')).toBe(3);
    expect(Harness.value(text, 'tensorpix_credits_added_usd_total')).toBe(7);
    expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBe(14);
  });
});

describe('deadline', () => {
  test('an API that never answers: the attempt times out within the scrape, which answers before Prometheus gives up', async () => {
    h = await Harness.start({ upstreamTimeoutMs: 800, timeoutOffsetMs: 500 });
    h.upstream.reply(hang);
    const started = Date.now();
    const text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1500);
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'timeout' })).toBe(1);
    expect(Harness.value(text, 'tensorpix_upstream_requests_total')).toBe(1);
    expect(Harness.value(text, 'tensorpix_up')).toBe(0);
  });

  test('an attempt outlives a short scrape: that scrape answers the state as it stands, the next one the outcome', async () => {
    h = await Harness.start({ upstreamTimeoutMs: 600, timeoutOffsetMs: 500 });
    h.upstream.reply(hang);
    const started = Date.now();
    const first = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '0.7' });
    expect(Date.now() - started).toBeLessThan(600);
    expect(Harness.value(first, 'tensorpix_up')).toBe(0);
    expect(Harness.value(first, 'tensorpix_upstream_requests_total')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '0.7' });
    expect(Harness.value(second, 'tensorpix_upstream_errors_total', { code: 'timeout' })).toBe(1);
    expect(Harness.value(second, 'tensorpix_upstream_requests_total')).toBe(1);
    expect(h.upstream.requests).toHaveLength(1);
  });

  test('with a generous scrape timeout, --tensorpix.timeout still bounds the attempt', async () => {
    h = await Harness.start({ upstreamTimeoutMs: 300 });
    h.upstream.reply(hang);
    const started = Date.now();
    const text = await h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': '10' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'timeout' })).toBe(1);
  });

  test('without the header, --tensorpix.timeout bounds the scrape and its timeout is in the answer', async () => {
    h = await Harness.start({ upstreamTimeoutMs: 300 });
    h.upstream.reply(hang);
    const started = Date.now();
    const text = await h.scrape();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'timeout' })).toBe(1);
  });
});

describe('redirects', () => {
  let other: Server;
  const seenByOther: Array<string | undefined> = [];
  beforeEach(async () => {
    other = createHttpServer((req, res) => {
      seenByOther.push(req.headers.authorization);
      res.end('{"balance_usd":"99.0000"}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => new Promise((resolve) => other.close(resolve)));

  test.each([302, 307])(
    'a %p to another origin is code="redirect" and that origin receives nothing',
    async (status) => {
      h = await Harness.start();
      const target = `http://127.0.0.1:${(other.address() as AddressInfo).port}/api/accounts/profile/balance/`;
      h.upstream.reply(json(status, '', { location: target }));
      const text = await h.scrape();
      expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'redirect' })).toBe(1);
      expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBeUndefined();
      expect(seenByOther).toEqual([]);
    },
  );
});

describe('HTTP surface', () => {
  beforeEach(async () => {
    h = await Harness.start();
  });

  test('health, readiness, landing page, 404 and 405 answer without touching the upstream', async () => {
    const app = h.handler;
    const healthy = await request(app).get('/-/healthy');
    expect(healthy.status).toBe(200);
    expect((await request(app).get('/-/ready')).status).toBe(200);
    const page = await request(app).get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/metrics"');
    expect(page.text).toContain('<td>default</td>');
    expect((await request(app).get('/nope')).status).toBe(404);
    const post = await request(app).post('/metrics');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await request(app).post('/-/reload')).status).toBe(403);
    expect(h.upstream.requests).toHaveLength(0);
    for (const response of [healthy, page, post]) {
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  test('only the exact paths are served: no case folding, no trailing slash', async () => {
    for (const path of [
      '/METRICS',
      '/metrics/',
      '/Metrics',
      '//metrics',
      '/metrics/x',
      '/-/HEALTHY',
      '/-/healthy/',
    ]) {
      expect([path, (await request(h.handler).get(path)).status]).toEqual([path, 404]);
    }
    expect((await request(h.handler).get('/metrics?debug=1')).status).toBe(200);
  });

  test('a malformed request gets a short 400, no stack trace', async () => {
    const response = await request(h.handler).get('/%E0%A4%A');
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
