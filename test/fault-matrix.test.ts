import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Harness, TOKEN } from './helpers/harness';
import { balance, DETAIL, error, hang, json, type FakeApi, type Responder } from './helpers/fake-api';
import { startRawUpstream } from './helpers/raw-upstream';
import { makeTestCerts, type Pem, type TestCerts } from './helpers/certs';

// Each case: a good balance first, then the fault. Prometheus' 1.5 s scrape timeout minus
// the 0.5 s offset leaves the scrape 1 s; each attempt has 0.9 s, below it, as docs/metrics.md
// advises, so every outcome is in the answer of the scrape that started it.
const SCRAPE_TIMEOUT = { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' };
const ATTEMPT_TIMEOUT_MS = 900;
const GOOD = 5;

let h: Harness;
let certs: TestCerts;
const closers: Array<() => Promise<void> | void> = [];
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.cleanup());
afterEach(async () => {
  while (closers.length) await closers.pop()!();
  await h.close();
});

/** faultAfterGood scrapes a good balance, lets the TTL pass, then scrapes once more during the fault. */
async function faultAfterGood(setFault: () => void): Promise<{ text: string; elapsedMs: number }> {
  await h.scrape();
  expect(Harness.value(await h.scrape(), 'tensorpix_credits_balance_usd')).toBe(GOOD);
  setFault();
  h.clock.advance(61_000);
  const started = Date.now();
  const text = await h.scrape(SCRAPE_TIMEOUT);
  return { text, elapsedMs: Date.now() - started };
}

/**
 * expectLogged checks the words of the account's last failure line (the cause an operator
 * can act on) and that it names the API's host; Harness.close checks no token or upstream
 * text is in the log.
 */
function expectLogged(words: string): void {
  const line = [...h.logLines].reverse().find((l) => l.includes('balance read failed'));
  if (!line) throw new Error(`no failure logged:\n${h.logLines.join('\n')}`);
  const { msg, api } = JSON.parse(line) as { msg: string; api: string };
  expect({ msg, api }).toEqual({
    msg: `balance read failed: ${words}`,
    api: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
  });
}

function expectFault(result: { text: string; elapsedMs: number }, code: string): void {
  expect(result.elapsedMs).toBeLessThan(1500);
  expect(Harness.value(result.text, 'tensorpix_upstream_errors_total', { code })).toBe(1);
  expect(Harness.value(result.text, 'tensorpix_up')).toBe(0);
  // The last good balance stays until max-stale, never replaced by a 0.
  expect(Harness.value(result.text, 'tensorpix_credits_balance_usd')).toBe(GOOD);
}

describe('faults scripted over HTTP', () => {
  beforeEach(async () => {
    h = await Harness.start({ ttlMs: 60_000, upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS });
    h.upstream.reply(balance('5.0000'));
  });
  const fault = (responder: Responder) => () => h.upstream.reply(responder);

  test('headers that never come → timeout', async () => {
    expectFault(await faultAfterGood(fault(hang)), 'timeout');
    expectLogged('timeout after 900 ms connecting to the API or waiting for its answer');
  });

  test('headers, then a body that drips a byte a second past the deadline → timeout', async () => {
    const drip: Responder = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Node holds the headers back until the first byte of body; they are to come first.
      res.flushHeaders();
      const timer = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(timer));
    };
    expectFault(await faultAfterGood(fault(drip)), 'timeout');
    expectLogged('timeout after 900 ms reading the body of the answer');
  });

  test.each([500, 502, 503, 504])('%p with an HTML body → its code', async (status) => {
    const html = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>${DETAIL}</h1>${'<p>x</p>'.repeat(500)}</body></html>`);
    };
    expectFault(await faultAfterGood(fault(html)), String(status));
    expectLogged(`the API answered HTTP ${status}`);
  });

  test.each([302, 307])('%p to another origin → redirect', async (status) => {
    expectFault(
      await faultAfterGood(fault(json(status, '', { location: 'http://127.0.0.1:1/elsewhere' }))),
      'redirect',
    );
    expectLogged(`the API answered with a redirect (HTTP ${status}), not followed`);
  });

  test('a 200 with Content-Type text/html → invalid_response', async () => {
    const page: Responder = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    };
    expectFault(await faultAfterGood(fault(page)), 'invalid_response');
    expectLogged('the API answered 200 with a body that is not JSON');
  });

  test('a 200 with two Content-Type headers (text/html, then application/json) → invalid_response', async () => {
    const page: Responder = (_req, res) => {
      res.writeHead(200, [
        ['content-type', 'text/html'],
        ['content-type', 'application/json'],
      ]);
      res.end(JSON.stringify({ balance_usd: '4.5000' }));
    };
    expectFault(await faultAfterGood(fault(page)), 'invalid_response');
    expectLogged('the API answered 200 with several Content-Type headers');
  });

  test('valid JSON with extra fields is fine', async () => {
    const result = await faultAfterGood(
      fault(json(200, { balance_usd: '4.5000', extra: { nested: [1, 2] } })),
    );
    expect(Harness.value(result.text, 'tensorpix_up')).toBe(1);
    expect(Harness.value(result.text, 'tensorpix_credits_balance_usd')).toBe(4.5);
  });

  test('a 64 MiB chunked body → too_large, with memory bounded', async () => {
    let sentBytes = 0;
    const flood: Responder = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Honour backpressure so the flood costs the fake no memory either.
      const pump = () => {
        while (sentBytes < 64 * 1024 * 1024 && !res.destroyed) {
          sentBytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    expectFault(await faultAfterGood(fault(flood)), 'too_large');
    expectLogged("the API's body exceeded the size cap");
    expect(sentBytes).toBeLessThan(64 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('Retry-After forms', () => {
  beforeEach(async () => {
    h = await Harness.start({ ttlMs: 60_000, upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS });
    h.upstream.reply(balance('5.0000'));
  });

  /** gateMs finds when the next upstream request happens after a 429, probing the clock. */
  async function nextRequestAfter429(header: string | ((now: number) => string), probesMs: number[]) {
    const result = await faultAfterGood(() => {
      h.upstream.replySequence(
        (req, res) =>
          error(429, { 'retry-after': typeof header === 'string' ? header : header(h.clock.ms) })(req, res),
        balance('5.0000'),
      );
    });
    expectFault(result, '429');
    const seen: number[] = [];
    let waited = 0;
    for (const probe of probesMs) {
      h.clock.advance(probe - waited);
      waited = probe;
      await h.scrape();
      seen.push(h.upstream.requests.length);
    }
    return seen;
  }

  test('seconds: held for exactly that long', async () => {
    // 2 requests so far: 1 good, 1 answered 429; the 3rd comes only once 600 s have passed.
    expect(await nextRequestAfter429('600', [599_000, 600_500])).toEqual([2, 3]);
  });

  test('an HTTP date: held until then', async () => {
    expect(
      await nextRequestAfter429((now) => new Date(now + 900_000).toUTCString(), [899_000, 900_500]),
    ).toEqual([2, 3]);
  });

  test('garbage: ignored, the ordinary backoff (the TTL) applies', async () => {
    expect(await nextRequestAfter429('soon-ish', [59_000, 60_500])).toEqual([2, 3]);
  });

  test('absurdly large: capped at one hour', async () => {
    expect(await nextRequestAfter429('99999999', [3_599_000, 3_600_500])).toEqual([2, 3]);
  });
});

describe('faults at the socket', () => {
  async function raw(script: (socket: Socket, head: string) => void): Promise<string> {
    const upstream = await startRawUpstream(script);
    closers.push(() => upstream.close());
    return upstream.url;
  }
  const ok = (socket: Socket) =>
    socket.end(
      'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 25\r\n\r\n{"balance_usd": "5.0000"}',
    );

  /** rawCase answers well on the first connection (and closes it), then with `fault` on every later one. */
  async function rawCase(fault: (socket: Socket) => void) {
    let connections = 0;
    const url = await raw((socket) => (connections++ === 0 ? ok(socket) : fault(socket)));
    h = await Harness.start({
      upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS,
      accounts: () => [{ name: 'default', apiUrl: url, token: { kind: 'value', value: TOKEN } }],
    });
    return faultAfterGood(() => undefined);
  }

  test('a reset mid-body → network', async () => {
    const result = await rawCase((socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 25\r\n\r\n{"balance_',
      );
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    expectFault(result, 'network');
    expectLogged('connection reset (ECONNRESET)');
  });

  test('a Content-Length larger than the body, then close → network', async () => {
    const result = await rawCase((socket) => {
      socket.end(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"balance_usd": "5.0000"}',
      );
    });
    expectFault(result, 'network');
    expectLogged('connection closed before the answer was complete (UND_ERR_SOCKET)');
  });

  test('a Content-Length smaller than the body → invalid_response', async () => {
    const result = await rawCase((socket) => {
      socket.end(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{"balance_usd": "7.0000"}',
      );
    });
    expectFault(result, 'invalid_response');
    expectLogged('invalid balance response: body is not JSON');
  });

  test('a 200 that closes the connection after the status line → network', async () => {
    const result = await rawCase((socket) => socket.end('HTTP/1.1 200 OK\r\n'));
    expectFault(result, 'network');
    expectLogged('connection closed before the answer was complete (UND_ERR_SOCKET)');
  });
});

describe('faults before any byte', () => {
  test('connection refused → network', async () => {
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    h = await Harness.start({
      upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS,
      accounts: () => [
        { name: 'default', apiUrl: `http://127.0.0.1:${port}`, token: { kind: 'value', value: TOKEN } },
      ],
    });
    const text = await h.scrape(SCRAPE_TIMEOUT);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'network' })).toBe(1);
    expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBeUndefined();
    expectLogged('connection refused (ECONNREFUSED)');
  });

  test('a host that does not resolve → network', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND api.tensorpix.invalid'), {
      code: 'ENOTFOUND',
    });
    h = await Harness.start({
      upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS,
      accounts: () => [
        { name: 'default', apiUrl: 'http://api.tensorpix.invalid', token: { kind: 'value', value: TOKEN } },
      ],
      // The lookup fails here instead of asking a resolver off this machine.
      lookup: (_host, _options, callback) =>
        process.nextTick(() => (callback as (e: Error) => void)(notFound)),
    });
    const text = await h.scrape(SCRAPE_TIMEOUT);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'network' })).toBe(1);
    expect(Harness.value(text, 'tensorpix_up')).toBe(0);
    const line = JSON.parse(h.logLines.find((l) => l.includes('balance read failed'))!) as object;
    expect(line).toMatchObject({
      api: 'api.tensorpix.invalid',
      msg: 'balance read failed: DNS name not found (ENOTFOUND)',
    });
  });
});

describe('TLS faults', () => {
  async function httpsUpstream(pem: Pem): Promise<FakeApi['url']> {
    const server = createHttpsServer({ cert: pem.cert, key: pem.key }, (req, res) =>
      balance('5.0000')(req, res),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  test('a self-signed certificate → tls; trusted with --tensorpix.ca-file → the balance', async () => {
    const url = await httpsUpstream(certs.selfSigned);
    h = await Harness.start({
      upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS,
      accounts: () => [{ name: 'default', apiUrl: url, token: { kind: 'value', value: TOKEN } }],
    });
    const text = await h.scrape(SCRAPE_TIMEOUT);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'tls' })).toBe(1);
    expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBeUndefined();
    expectLogged(
      'TLS: certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT; trust its CA with --tensorpix.ca-file)',
    );
    await h.close();

    h = await Harness.start({
      upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS,
      caCert: certs.selfSigned.cert,
      accounts: () => [{ name: 'default', apiUrl: url, token: { kind: 'value', value: TOKEN } }],
    });
    expect(Harness.value(await h.scrape(SCRAPE_TIMEOUT), 'tensorpix_credits_balance_usd')).toBe(5);
  });

  test('a certificate for another host name → tls, even with its CA trusted', async () => {
    const url = await httpsUpstream(certs.wrongHost);
    h = await Harness.start({
      upstreamTimeoutMs: ATTEMPT_TIMEOUT_MS,
      caCert: certs.ca.cert,
      accounts: () => [{ name: 'default', apiUrl: url, token: { kind: 'value', value: TOKEN } }],
    });
    const text = await h.scrape(SCRAPE_TIMEOUT);
    expect(Harness.value(text, 'tensorpix_upstream_errors_total', { code: 'tls' })).toBe(1);
    expectLogged(
      'TLS: certificate name mismatch (ERR_TLS_CERT_ALTNAME_INVALID; the certificate is not for this host)',
    );
  });
});
