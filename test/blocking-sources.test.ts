import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balance, byToken, hang, type FakeApi, type Responder } from './helpers/fake-api';
import { Harness, type HarnessOptions } from './helpers/harness';
import { holdThreadPool, type HeldThreadPool } from './helpers/hold-thread-pool';

// Every stage an attempt can wait in, blocked for longer than the account's timeout.
// Each time the account is counted, the scrape answers within its budget, and once the
// stage unblocks the next attempt brings the account back up. Nothing here can keep an
// attempt alive past its timeout.
const TIMEOUT_MS = 400;
// Uncompressed: the test's own client would gunzip on the file-system threads this test fills.
const HEADER = { 'X-Prometheus-Scrape-Timeout-Seconds': '2', 'Accept-Encoding': 'identity' };

let h: Harness;
afterEach(() => h.close());

async function blockedThenRecovered(
  options: HarnessOptions,
  block: () => void,
  unblock: () => Promise<void> | void,
  expected: { account?: string; code: string; latency: boolean; budgetMs?: number; logged: string },
): Promise<void> {
  h = await Harness.start({ upstreamTimeoutMs: TIMEOUT_MS, ttlMs: 60_000, ...options });
  const account = expected.account ?? 'default';
  const value = (text: string, name: string, labels: Record<string, string> = {}) =>
    Harness.value(text, name, { account, ...labels });
  block();
  const started = Date.now();
  const blocked = await h.scrape(HEADER);
  expect(Date.now() - started).toBeLessThan((expected.budgetMs ?? TIMEOUT_MS + 50) + 300);
  expect(value(blocked, 'tensorpix_up')).toBe(0);
  expect(value(blocked, 'tensorpix_upstream_requests_total')).toBe(1);
  expect(value(blocked, 'tensorpix_upstream_errors_total', { code: expected.code })).toBe(1);
  expect(value(blocked, 'tensorpix_upstream_request_duration_seconds_count')).toBe(expected.latency ? 1 : 0);
  // The log says which stage the deadline caught the attempt in.
  const failure = h.logLines
    .map((line) => JSON.parse(line) as { level: string; account?: string; msg: string })
    .filter((line) => line.account === account && (line.level === 'warn' || line.level === 'error'))
    .pop();
  expect(failure?.msg).toBe(expected.logged);

  await unblock();
  // Once unblocked, the stage may still be finishing the blocked attempt's work (a token read
  // queued behind the held threads); until it has, an attempt fails at once. A few tries past
  // the longest backoff, a fraction of a second apart, and the account must be up.
  let recovered = '';
  for (let tries = 0; tries < 10 && value(recovered, 'tensorpix_up') !== 1; tries++) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    h.clock.advance(300_001);
    recovered = await h.scrape(HEADER);
  }
  expect(value(recovered, 'tensorpix_up')).toBe(1);
  expect(value(recovered, 'tensorpix_credits_balance_usd')).toBe(2);
}

test('token read: every file-system thread busy → token_file; free again → up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-blocked-'));
  // Every thread of libuv's pool held until the test lets it go (a timed busy loop was not
  // enough: on a loaded CI machine it ended before the account's timeout).
  let pool: HeldThreadPool | undefined;
  try {
    writeFileSync(join(dir, 'token'), 'file-token\n');
    await blockedThenRecovered(
      {
        accounts: (api: FakeApi) => [
          { name: 'default', apiUrl: api.url, token: { kind: 'file', path: join(dir, 'token') } },
        ],
      },
      () => {
        h.upstream.reply(balance('2.0000'));
        pool = holdThreadPool(dir);
      },
      () => pool?.release(),
      { code: 'token_file', latency: false, logged: `timeout after ${TIMEOUT_MS} ms reading the token file` },
    );
  } finally {
    // A failed assertion must not leave libuv's threads held for the next test.
    await pool?.release();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('limiter queue: behind a request that hangs → timeout without a latency; free again → up', async () => {
  let blocking = true;
  // "first" holds the only place for longer than "second" may wait for it.
  const accounts = (api: FakeApi) => [
    { name: 'first', apiUrl: api.url, timeoutMs: 1000, token: { kind: 'value' as const, value: 'first' } },
    { name: 'second', apiUrl: api.url, token: { kind: 'value' as const, value: 'second' } },
  ];
  await blockedThenRecovered(
    { concurrency: 1, accounts },
    () =>
      h.upstream.reply((req, res) =>
        (blocking ? byToken({ first: hang }, balance('2.0000')) : balance('2.0000'))(req, res),
      ),
    () => {
      blocking = false;
    },
    {
      account: 'second',
      code: 'timeout',
      latency: false,
      budgetMs: 1050,
      logged: `balance read failed: timeout after ${TIMEOUT_MS} ms queued behind other accounts' requests (see --tensorpix.concurrency)`,
    },
  );
});

test('connect: a name lookup that never answers → timeout; answering again → up', async () => {
  let answering = false;
  const lookup = ((_host, options, callback) => {
    if (!answering) return;
    const all = typeof options === 'object' && options.all;
    const cb = callback as (...args: unknown[]) => void;
    process.nextTick(() =>
      all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4),
    );
  }) as LookupFunction;
  await blockedThenRecovered(
    {
      lookup,
      accounts: (api: FakeApi) => [
        {
          name: 'default',
          apiUrl: api.url.replace('127.0.0.1', 'api.tensorpix.test'),
          token: { kind: 'value', value: 't' },
        },
      ],
    },
    () => h.upstream.reply(balance('2.0000')),
    () => {
      answering = true;
    },
    {
      code: 'timeout',
      latency: true,
      logged: `balance read failed: timeout after ${TIMEOUT_MS} ms connecting to the API or waiting for its answer`,
    },
  );
});

test.each<[string, Responder, string]>([
  ['headers that never come', hang, 'connecting to the API or waiting for its answer'],
  [
    'a body that drips a byte a second',
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      const timer = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(timer));
    },
    'reading the body of the answer',
  ],
])('%s → timeout; answering again → up', async (_name, responder, stage) => {
  await blockedThenRecovered(
    {},
    () => h.upstream.replySequence(responder, balance('2.0000')),
    () => undefined,
    {
      code: 'timeout',
      latency: true,
      logged: `balance read failed: timeout after ${TIMEOUT_MS} ms ${stage}`,
    },
  );
});
