import { balance, error } from './helpers/fake-api';
import { Harness } from './helpers/harness';

// The TTL and max-stale to the millisecond, on the harness's hand-moved clock: a balance
// read at t is fresh until t + TTL (a scrape at exactly t + TTL asks the API again), and
// exported until t + max-stale (a scrape at exactly t + max-stale no longer shows it).

let h: Harness;
afterEach(() => h.close());

test('a scrape 1 ms before the TTL is served from the cache; one at exactly the TTL asks the API', async () => {
  h = await Harness.start({ ttlMs: 60_000 });
  h.upstream.replySequence(balance('10.0000'), balance('7.0000'));
  await h.scrape();
  expect(h.upstream.requests).toHaveLength(1);
  h.clock.advance(59_999);
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(10);
  expect(h.upstream.requests).toHaveLength(1);
  h.clock.advance(1);
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(7);
  expect(h.upstream.requests).toHaveLength(2);
});

test('a failing account shows its last balance 1 ms before max-stale, and not at exactly max-stale', async () => {
  h = await Harness.start({ ttlMs: 60_000, maxStaleMs: 5 * 60_000 });
  h.upstream.replySequence(balance('25.5000'), error(500));
  await h.scrape();
  h.clock.advance(5 * 60_000 - 1);
  const before = await h.scrape();
  expect(Harness.value(before, 'tensorpix_credits_balance_usd')).toBe(25.5);
  expect(Harness.value(before, 'tensorpix_up')).toBe(0);
  h.clock.advance(1);
  const at = await h.scrape();
  expect(Harness.value(at, 'tensorpix_credits_balance_usd')).toBeUndefined();
  expect(Harness.value(at, 'tensorpix_up')).toBe(0);
});
