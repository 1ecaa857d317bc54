import { balance } from './helpers/fake-api';
import { Harness } from './helpers/harness';

let h: Harness;
afterEach(async () => {
  jest.restoreAllMocks();
  await h.close();
});

const broken = () => {
  throw new Error('a bug in reading the state');
};

test('a family whose collect() throws is left out of that scrape, which still answers 200 with the rest', async () => {
  h = await Harness.start();
  h.upstream.reply(balance('4.0000'));
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(4);
  const [account] = h.app.accounts.accounts();
  // A fault planted in the state the balance family reads, and in the one the histogram reads.
  jest.spyOn(account!.state, 'balanceAt').mockImplementation(broken);
  const { latency } = account!.state;
  Object.defineProperty(account!.state, 'latency', { get: broken, configurable: true });
  for (const headers of [{}, { Accept: 'application/openmetrics-text' }] as Array<Record<string, string>>) {
    const text = await h.scrape(headers);
    // No series rather than a wrong one: the balance is absent, never 0.
    expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBeUndefined();
    expect(Harness.value(text, 'tensorpix_upstream_request_duration_seconds_count')).toBeUndefined();
    expect(text).toContain('# TYPE tensorpix_credits_balance_usd gauge');
    expect(Harness.value(text, 'tensorpix_up')).toBe(1);
    expect(Harness.value(text, 'tensorpix_upstream_requests_total')).toBe(1);
  }
  const failures = h.logLines.filter((line) => line.includes('collecting a metric failed'));
  expect(failures.some((line) => line.includes('"metric":"tensorpix_credits_balance_usd"'))).toBe(true);
  expect(
    failures.some((line) => line.includes('"metric":"tensorpix_upstream_request_duration_seconds"')),
  ).toBe(true);
  // Once the fault is gone the next scrape has every series again.
  jest.restoreAllMocks();
  Object.defineProperty(account!.state, 'latency', { value: latency, configurable: true });
  const text = await h.scrape();
  expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBe(4);
  expect(Harness.value(text, 'tensorpix_upstream_request_duration_seconds_count')).toBe(1);
});
