import zlib from 'node:zlib';
import { request } from 'undici';
import { balance } from './helpers/fake-api';
import { Harness } from './helpers/harness';

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

let h: Harness;
afterEach(async () => {
  jest.restoreAllMocks();
  await h.close();
});

/** until polls `done` every few milliseconds, failing after a generous bound. */
async function until(done: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * concurrentScrapes sends one scrape per header set while the account's first upstream
 * read is held, waits until every scrape is in the exporter waiting for it, then lets the
 * read answer: the scrapes then all go on to render at once. It returns the raw bodies (not
 * decoded) and how many times the exporter listed its accounts meanwhile: each family's
 * collect() lists them once, so that count tells how many renders there were, without
 * relying on timing.
 */
async function concurrentScrapes(headerSets: Array<Record<string, string>>) {
  let release: (() => void) | undefined;
  h.upstream.reply((req, res) => {
    release = () => balance('2.0000')(req, res);
  });
  const url = await h.listen();
  const refresh = jest.spyOn(h.app.accounts, 'refresh');
  const listed = jest.spyOn(h.app.accounts, 'accounts');
  const answers = headerSets.map(async (headers) => {
    const { statusCode, headers: answered, body } = await request(`${url}/metrics`, { headers });
    return { statusCode, answered, bytes: Buffer.from(await body.arrayBuffer()) };
  });
  await until(() => refresh.mock.calls.length === headerSets.length && release !== undefined, 'the scrapes');
  listed.mockClear();
  release!();
  const results = await Promise.all(answers);
  return { results, lists: listed.mock.calls.length };
}

/** listsPerRender is how many times one lone scrape lists the accounts (the account is cached by now). */
async function listsPerRender(headers: Record<string, string> = {}): Promise<number> {
  const listed = jest.spyOn(h.app.accounts, 'accounts');
  listed.mockClear();
  await h.scrape(headers);
  const count = listed.mock.calls.length;
  expect(count).toBeGreaterThan(0);
  return count;
}

test('eight concurrent gzip scrapes share one render and one compression: the same bytes each', async () => {
  h = await Harness.start({ exporterMetrics: true });
  const gzip = jest.spyOn(zlib, 'gzipSync');
  const { results, lists } = await concurrentScrapes(
    Array.from({ length: 8 }, () => ({ 'Accept-Encoding': 'gzip' })),
  );
  expect(gzip).toHaveBeenCalledTimes(1);
  for (const { statusCode, answered, bytes } of results) {
    expect(statusCode).toBe(200);
    expect(answered['content-encoding']).toBe('gzip');
    expect(bytes.equals(results[0]!.bytes)).toBe(true);
  }
  expect(zlib.gunzipSync(results[0]!.bytes).toString()).toContain(
    'tensorpix_credits_balance_usd{account="default"} 2',
  );
  // One render's worth of collect() calls for eight scrapes; a lone scrape then renders anew.
  expect(lists).toBe(await listsPerRender());
});

test('a render is shared within its format only: classic and OpenMetrics scrapers each get their own', async () => {
  h = await Harness.start({ exporterMetrics: true });
  const classic = { 'Accept-Encoding': 'identity' };
  const openMetrics = { 'Accept-Encoding': 'identity', Accept: OPENMETRICS };
  const { results, lists } = await concurrentScrapes([classic, openMetrics, classic, openMetrics, classic]);
  const texts = results.map(({ bytes }) => bytes.toString());
  expect(texts.filter((text) => text.endsWith('# EOF\n'))).toHaveLength(2);
  expect(new Set(texts).size).toBe(2);
  expect(lists).toBe((await listsPerRender()) + (await listsPerRender({ Accept: OPENMETRICS })));
});

test('scrapes one after the other each get a render of their own, never an earlier one', async () => {
  h = await Harness.start();
  h.upstream.reply(balance('2.0000'));
  await h.scrape();
  const once = await listsPerRender();
  expect(await listsPerRender()).toBe(once);
  // The state moved between two scrapes: the second one shows it.
  h.clock.advance(61_000);
  h.upstream.reply(balance('1.5000'));
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(1.5);
});
