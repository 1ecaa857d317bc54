import type { ProxyRoute } from '../src/tensorpix/proxy-route';
import { routeFor, type ProxySetting } from '../src/config/proxy-settings';
import { parseProxyUrl } from '../src/config/proxy-url';
import { readProxyEnv } from '../src/config/proxy-env';
import { makeTestCerts, type TestCerts } from './helpers/certs';
import { balance, error, reset } from './helpers/fake-api';
import { Harness, TOKEN, type HarnessOptions } from './helpers/harness';
import { startScriptedProxy, startSilentProxy, startTlsProxy } from './helpers/node-proxies';
import { describeWithTinyproxy, freePort, startTinyproxy, type Tinyproxy } from './helpers/tinyproxy';

const PASSWORD = 'proxy-password-3e7c:@/x';

let certs: TestCerts;
beforeAll(() => (certs = makeTestCerts()));
afterAll(() => certs.cleanup());

let h: Harness | undefined;
let proxy: Tinyproxy | undefined;
afterEach(async () => {
  await h?.close();
  await proxy?.stop();
  h = proxy = undefined;
});

/** route decides the route to an API as loadConfig does, for a proxy set by flag and the given environment. */
function route(apiUrl: string, proxyUrl: string, env: Record<string, string> = {}): ProxyRoute {
  const url = parseProxyUrl(proxyUrl);
  if (!url.ok) throw new Error(url.problems.join('\n'));
  const setting: ProxySetting = { explicit: { url: url.value, source: '--tensorpix.proxy-url' } };
  const decided = routeFor(apiUrl, setting, readProxyEnv(env));
  if (!decided.ok) throw new Error(decided.problems.join('\n'));
  return decided.value;
}

/** start runs the exporter against the fake API over TLS (test CA trusted), through `proxyUrl`. */
async function start(
  proxyUrl: string,
  options: HarnessOptions & { apiUrl?: string; apiHost?: string; env?: Record<string, string> } = {},
) {
  h = await Harness.start({
    apiTls: certs.server,
    caCert: certs.ca.cert,
    ...options,
    accounts: (api) => {
      const apiUrl = options.apiUrl ?? api.url.replace('127.0.0.1', options.apiHost ?? '127.0.0.1');
      return [
        {
          name: 'default',
          apiUrl,
          token: { kind: 'value', value: TOKEN },
          route: route(apiUrl, proxyUrl, options.env),
        },
      ];
    },
  });
  return h;
}

const errors = (text: string, code: string) =>
  Harness.value(text, 'tensorpix_upstream_errors_total', { code });

/** failureLog is the account's log line of its first failure, parsed. */
function failureLog(harness: Harness): { proxy?: string; err: Record<string, unknown> } {
  const line = harness.logLines.find((l) => l.includes('balance read failed'));
  if (!line) throw new Error(`no failure logged:\n${harness.logLines.join('\n')}`);
  return JSON.parse(line) as { proxy?: string; err: Record<string, unknown> };
}

const portOf = (url: string) => Number(new URL(url).port);

interface BehindTinyproxy extends HarnessOptions {
  apiUrl?: string;
  env?: Record<string, string>;
  /** credentials go into the proxy URL, as user:password percent-encoded. */
  credentials?: string;
  basicAuth?: { user: string; password: string };
  /** allow are the ports CONNECT may reach; the fake API's by default. */
  allow?: number[];
}

/**
 * behindTinyproxy starts the exporter, then tinyproxy on the port its route already names
 * (tinyproxy must know the fake API's port, which the harness picks when it starts).
 */
async function behindTinyproxy(binary: string, options: BehindTinyproxy = {}): Promise<Harness> {
  const { credentials, basicAuth, allow, ...rest } = options;
  const port = await freePort();
  await start(`http://${credentials ? `${credentials}@` : ''}127.0.0.1:${port}`, rest);
  const apiPort = portOf(options.apiUrl ?? h!.upstream.url);
  proxy = await startTinyproxy(binary, {
    port,
    connectPorts: allow ?? [apiPort],
    ...(basicAuth && { basicAuth }),
  });
  return h!;
}

describeWithTinyproxy('through a real tinyproxy', (binary) => {
  test('the balance is read through a CONNECT tunnel; the proxy sees the tunnel, never the token', async () => {
    const h = await behindTinyproxy(binary);
    h.upstream.reply(balance('12.3400'));
    const text = await h.scrape();
    expect(Harness.value(text, 'tensorpix_credits_balance_usd')).toBe(12.34);
    expect(Harness.value(text, 'tensorpix_up')).toBe(1);
    expect(proxy!.connects()).toEqual([new URL(h.upstream.url).host]);
    expect(proxy!.log()).not.toContain(TOKEN);
    // The API got the token over TLS, and nothing meant for the proxy.
    expect(h.upstream.requests[0]!.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(h.upstream.requests[0]!.headers['proxy-authorization']).toBeUndefined();
  });

  test('an http:// API is tunnelled too: the proxy is sent a CONNECT, not the request as a proxy request', async () => {
    const h = await behindTinyproxy(binary, { apiTls: undefined });
    expect(h.upstream.url).toMatch(/^http:/);
    const text = await h.scrape();
    expect(Harness.value(text, 'tensorpix_up')).toBe(1);
    expect(proxy!.connects()).toEqual([new URL(h.upstream.url).host]);
    expect(proxy!.log()).not.toMatch(/GET http/);
    expect(proxy!.log()).not.toContain(TOKEN);
  });

  test('with NO_PROXY naming the API, requests go direct and the proxy sees nothing', async () => {
    const h = await behindTinyproxy(binary, { env: { no_proxy: '127.0.0.1' } });
    const text = await h.scrape();
    expect(Harness.value(text, 'tensorpix_up')).toBe(1);
    expect(h.upstream.requests).toHaveLength(1);
    expect(proxy!.log()).not.toMatch(/connect/i);
  });

  test('proxy authentication: right credentials pass; none or wrong ones count code="proxy", named in the log', async () => {
    const basicAuth = { user: 'exporter', password: 'right-password' };
    let h = await behindTinyproxy(binary, { basicAuth, credentials: 'exporter:right-password' });
    expect(Harness.value(await h.scrape(), 'tensorpix_up')).toBe(1);
    await h.close();
    await proxy!.stop();

    h = await behindTinyproxy(binary, { basicAuth });
    let text = await h.scrape();
    expect([errors(text, 'proxy'), Harness.value(text, 'tensorpix_up')]).toEqual([1, 0]);
    expect(failureLog(h)).toMatchObject({ proxy: proxy!.host, err: { code: 'proxy', proxy_status: 407 } });
    await h.close();
    await proxy!.stop();

    h = await behindTinyproxy(binary, { basicAuth, credentials: `exporter:${encodeURIComponent(PASSWORD)}` });
    text = await h.scrape();
    expect(errors(text, 'proxy')).toBe(1);
    // tinyproxy answers wrong credentials with 401 rather than 407; either is the proxy's refusal.
    expect(failureLog(h).err).toMatchObject({ code: 'proxy', proxy_status: expect.any(Number) });
    expect(h.upstream.requests).toEqual([]);
    const seen = `${h.logLines.join('\n')}\n${text}`;
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), base64(`exporter:${PASSWORD}`)])
      expect(seen).not.toContain(secret);
  });

  test('a CONNECT to a port the proxy does not allow (403) counts code="proxy"', async () => {
    const h = await behindTinyproxy(binary, { allow: [1] });
    const text = await h.scrape();
    expect(errors(text, 'proxy')).toBe(1);
    expect(failureLog(h).err).toMatchObject({ code: 'proxy', proxy_status: 403 });
  });

  test('a proxy that cannot reach the API counts code="proxy", with the status it answered', async () => {
    const closed = await freePort();
    const h = await behindTinyproxy(binary, { apiUrl: `https://127.0.0.1:${closed}` });
    const text = await h.scrape();
    expect([errors(text, 'proxy'), errors(text, 'network')]).toEqual([1, 0]);
    expect(failureLog(h).err).toMatchObject({ code: 'proxy', proxy_status: expect.any(Number) });
    expect(proxy!.connects()).toEqual([`127.0.0.1:${closed}`]);
  });

  test('the proxy up but the API failing is the API: 503 through the tunnel, a reset, an unknown certificate', async () => {
    let h = await behindTinyproxy(binary, { ttlMs: 1000 });
    h.upstream.replySequence(error(503), reset);
    let text = await h.scrape();
    expect([errors(text, '503'), errors(text, 'proxy')]).toEqual([1, 0]);
    h.clock.advance(60_000);
    text = await h.scrape();
    expect([errors(text, 'network'), errors(text, 'proxy')]).toEqual([1, 0]);
    await h.close();
    await proxy!.stop();

    // Without --tensorpix.ca-file the API's certificate is not trusted, inside the tunnel too.
    h = await behindTinyproxy(binary, { caCert: undefined });
    text = await h.scrape();
    expect([errors(text, 'tls'), errors(text, 'proxy')]).toEqual([1, 0]);
    expect(proxy!.connects()).toHaveLength(1);
  });
});

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('without tinyproxy', () => {
  test('a proxy that is down counts code="proxy" and names it (ECONNREFUSED)', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    await start(down);
    const text = await h!.scrape();
    expect([errors(text, 'proxy'), errors(text, 'network'), Harness.value(text, 'tensorpix_up')]).toEqual([
      1, 0, 0,
    ]);
    expect(failureLog(h!)).toMatchObject({
      proxy: new URL(down).host,
      err: { code: 'proxy', proxy_error: 'ECONNREFUSED' },
    });
  });

  test('a proxy that never answers CONNECT costs the attempt its own timeout, no more: code="timeout"', async () => {
    const silent = await startSilentProxy();
    try {
      await start(silent.url, { realClock: true, upstreamTimeoutMs: 300 });
      const started = Date.now();
      const text = await h!.scrape();
      expect(Date.now() - started).toBeLessThan(1500);
      expect(errors(text, 'timeout')).toBe(1);
      expect(silent.connects).toHaveLength(1);
    } finally {
      await silent.close();
    }
  });

  test.each<[string, (socket: import('node:net').Socket) => void, string]>([
    [
      'drips an answer that is not HTTP',
      (socket) => {
        socket.write('HTTP/1.1 2');
        const drip = setInterval(() => socket.write('0'), 100);
        socket.on('close', () => clearInterval(drip));
      },
      'gave no valid answer to CONNECT',
    ],
    [
      'closes the connection once it has read the CONNECT',
      (socket) => socket.end(),
      'gave no valid answer to CONNECT: connection closed before the answer was complete (UND_ERR_SOCKET)',
    ],
  ])('a proxy that %s was reached: code="proxy", and the log says so', async (_, answer, words) => {
    const scripted = await startScriptedProxy(answer);
    try {
      await start(scripted.url, { realClock: true, upstreamTimeoutMs: 3000 });
      const text = await h!.scrape();
      expect([errors(text, 'proxy'), errors(text, 'timeout')]).toEqual([1, 0]);
      expect(scripted.connects).toHaveLength(1);
      const host = new URL(scripted.url).host;
      expect(h!.logLines.find((l) => l.includes('balance read failed'))).toContain(
        `balance read failed: proxy ${host} ${words}"`,
      );
    } finally {
      await scripted.close();
    }
  });

  test('an https:// proxy: TLS to the proxy with the extra CA, then TLS to the API inside the tunnel', async () => {
    const tlsProxy = await startTlsProxy(certs.server);
    try {
      await start(tlsProxy.url);
      expect(Harness.value(await h!.scrape(), 'tensorpix_up')).toBe(1);
      expect(tlsProxy.connects).toEqual([new URL(h!.upstream.url).host]);
      // Named by its IP address, the proxy is sent no server name: SNI has no IP form
      // (RFC 6066), and Node warns on stderr when asked to send one.
      expect(tlsProxy.serverNames).toEqual([false]);
    } finally {
      await tlsProxy.close();
    }
  });

  test.each([['127.0.0.1'], ['::1']])(
    'an https:// proxy at %s with a certificate for its addresses only, the API named by a host name: no server name, the certificate checked against the address',
    async (address) => {
      const tlsProxy = await startTlsProxy(certs.addressesOnly, address);
      try {
        await start(tlsProxy.url, { apiHost: 'localhost' });
        const text = await h!.scrape();
        expect({ up: Harness.value(text, 'tensorpix_up'), proxyErrors: errors(text, 'proxy') }).toEqual({
          up: 1,
          proxyErrors: 0,
        });
        expect(tlsProxy.connects).toEqual([`localhost:${portOf(h!.upstream.url)}`]);
        expect(tlsProxy.serverNames).toEqual([false]);
      } finally {
        await tlsProxy.close();
      }
    },
  );

  test('an https:// proxy whose certificate is not trusted counts code="proxy", not the API\'s tls', async () => {
    const tlsProxy = await startTlsProxy(certs.selfSigned);
    try {
      await start(tlsProxy.url);
      const text = await h!.scrape();
      expect([errors(text, 'proxy'), errors(text, 'tls')]).toEqual([1, 0]);
      expect(tlsProxy.connects).toEqual([]);
    } finally {
      await tlsProxy.close();
    }
  });
});
