import { hashSync } from 'bcryptjs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent, request } from 'undici';
import { parseWebConfig, type WebConfig } from '../src/config/web-config';
import { makeTestCerts, type TestCerts } from './helpers/certs';
import { Harness } from './helpers/harness';
import { readFileSync } from 'node:fs';

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.cleanup());

// Cost 4 keeps the tests fast; the decoy takes the cost of the configured hashes.
const ALICE_HASH = hashSync('wonderland', 4);

function webConfig(yaml: string): WebConfig {
  const parsed = parseWebConfig('/virtual/web.yml', (path: string) =>
    path === '/virtual/web.yml' ? yaml : readFileSync(path, 'utf8'),
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.value;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let h: Harness;
afterEach(() => h.close());

describe('basic auth', () => {
  let url: string;
  beforeEach(async () => {
    h = await Harness.start({
      web: webConfig(
        `basic_auth_users:\n  alice: ${ALICE_HASH}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`,
      ),
    });
    url = await h.listen();
  });

  test('no credentials → 401 with WWW-Authenticate; wrong password or user → 401; right one → 200', async () => {
    const none = await request(`${url}/metrics`);
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    await none.body.dump();
    for (const authorization of [
      basic('alice', 'wrong'),
      basic('mallory', 'wonderland'),
      'Basic !!!',
      'Bearer x',
    ]) {
      const denied = await request(`${url}/metrics`, { headers: { authorization } });
      expect(denied.statusCode).toBe(401);
      await denied.body.dump();
    }
    const ok = await request(`${url}/metrics`, { headers: { authorization: basic('alice', 'wonderland') } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-frame-options']).toBe('deny');
    expect(await ok.body.text()).toContain('tensorpix_up{account="default"} 1');
    expect(h.upstream.requests).toHaveLength(1);
  });

  test('health endpoints follow the same auth as /metrics by default', async () => {
    for (const path of ['/-/healthy', '/-/ready', '/']) {
      const denied = await request(`${url}${path}`);
      expect(denied.statusCode).toBe(401);
      await denied.body.dump();
      const ok = await request(`${url}${path}`, { headers: { authorization: basic('alice', 'wonderland') } });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
    }
  });
});

test('basic_auth_excluded_paths leaves the health endpoints open, and only them', async () => {
  h = await Harness.start({
    web: webConfig(
      `basic_auth_users:\n  alice: ${ALICE_HASH}\nbasic_auth_excluded_paths: [/-/healthy, /-/ready]\n`,
    ),
  });
  const url = await h.listen();
  expect((await request(`${url}/-/healthy`)).statusCode).toBe(200);
  expect((await request(`${url}/-/ready`)).statusCode).toBe(200);
  expect((await request(`${url}/metrics`)).statusCode).toBe(401);
});

test('rate_limit answers 429 past the burst', async () => {
  h = await Harness.start({ web: webConfig('rate_limit:\n  interval: 1m\n  burst: 2\n') });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await request(`${await h.listen()}/-/healthy`)).statusCode);
  // Each listen() shares the app, so the bucket is shared too.
  expect(statuses).toEqual([200, 200, 429, 429]);
});

describe('TLS', () => {
  const tlsConfig = (extra = '') =>
    webConfig(
      `tls_server_config:\n  cert_file: ${certs.server.certFile}\n  key_file: ${certs.server.keyFile}\n${extra}`,
    );

  test('https with the test CA works; plain HTTP on the same port fails', async () => {
    h = await Harness.start({ web: tlsConfig() });
    const url = await h.listen();
    const agent = new Agent({ connect: { ca: certs.ca.cert } });
    const ok = await request(`${url}/metrics`, { dispatcher: agent });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    await agent.close();
    await expect(request(url.replace('https:', 'http:') + '/metrics')).rejects.toThrow();
  });

  test('min_version TLS13 refuses a TLS 1.2 client and accepts a TLS 1.3 one', async () => {
    h = await Harness.start({ web: tlsConfig('  min_version: TLS13\n') });
    const url = await h.listen();
    const old = new Agent({ connect: { ca: certs.ca.cert, maxVersion: 'TLSv1.2' } });
    await expect(request(`${url}/-/healthy`, { dispatcher: old })).rejects.toThrow(/version|protocol|alert/i);
    const current = new Agent({ connect: { ca: certs.ca.cert, minVersion: 'TLSv1.3' } });
    expect((await request(`${url}/-/healthy`, { dispatcher: current })).statusCode).toBe(200);
    await Promise.all([old.close(), current.close()]);
  });

  test('by default a TLS 1.0 or 1.1 handshake is refused for its version, and TLS 1.2 is served', async () => {
    /** handshake connects with only `version` on offer (and old ciphers allowed), and says what it got. */
    const handshake = (url: string, version: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2') =>
      new Promise<string>((resolve) => {
        const { hostname, port } = new URL(url);
        const socket = tlsConnect({
          host: hostname,
          port: Number(port),
          ca: certs.ca.cert,
          minVersion: version,
          maxVersion: version,
          ciphers: 'DEFAULT@SECLEVEL=0',
        });
        socket.once('secureConnect', () => {
          resolve(socket.getProtocol() ?? 'none');
          socket.destroy();
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(`refused (${error.code})`));
      });
    h = await Harness.start({ web: tlsConfig() });
    const url = await h.listen();
    // The server answers an old client with a protocol_version alert: it refuses the version
    // itself (with min_version TLS10 this system's OpenSSL would fail later, on its security level).
    expect(await handshake(url, 'TLSv1')).toBe('refused (ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION)');
    expect(await handshake(url, 'TLSv1.1')).toBe('refused (ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION)');
    expect(await handshake(url, 'TLSv1.2')).toBe('TLSv1.2');
  });

  test('RequireAndVerifyClientCert with client_allowed_sans: only the allowed client certificate gets in', async () => {
    h = await Harness.start({
      web: tlsConfig(
        `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${certs.ca.certFile}\n  client_allowed_sans: [prometheus.test]\n`,
      ),
    });
    const url = await h.listen();
    const anonymous = new Agent({ connect: { ca: certs.ca.cert } });
    await expect(request(`${url}/-/healthy`, { dispatcher: anonymous })).rejects.toThrow();
    const client = new Agent({
      connect: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key },
    });
    expect((await request(`${url}/-/healthy`, { dispatcher: client })).statusCode).toBe(200);
    // A certificate from the CA but for another name is refused by client_allowed_sans.
    const other = new Agent({
      connect: { ca: certs.ca.cert, cert: certs.wrongHost.cert, key: certs.wrongHost.key },
    });
    await expect(request(`${url}/-/healthy`, { dispatcher: other })).rejects.toThrow();
    await Promise.all([anonymous.close(), client.close(), other.close()]);
  });
});

describe('HTTP server limits', () => {
  test('a slowloris client that never finishes its headers is cut off', async () => {
    h = await Harness.start();
    const url = new URL(
      await h.listen({ headersTimeoutMs: 300, requestTimeoutMs: 300, checkIntervalMs: 100 }),
    );
    const socket = connect(Number(url.port), '127.0.0.1');
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 50);
    const startedAt = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', () => undefined);
    });
    clearInterval(drip);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(answer).toMatch(/^HTTP\/1\.1 408|^$/);
  });

  test('an absolute-form request target (RFC 9112 section 3.2.2) reaches /metrics as the origin form does', async () => {
    h = await Harness.start();
    const url = new URL(await h.listen());
    const get = (path: string) =>
      new Promise<{ status?: number; body: string }>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port: url.port, path }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', () => resolve({ body: '' }));
        req.end();
      });
    for (const path of [`http://127.0.0.1:${url.port}/metrics`, `http://127.0.0.1:${url.port}/metrics?x=1`]) {
      const answer = await get(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      expect(answer.body).toMatch(/^tensorpix_up\{/m);
    }
    // Another path in absolute form is still not /metrics.
    expect((await get(`http://127.0.0.1:${url.port}/metricsx`)).status).toBe(404);
  });

  test('headers over 8 KiB get 431', async () => {
    h = await Harness.start();
    const url = new URL(await h.listen());
    const status = await new Promise<number | undefined>((resolve) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: url.port, path: '/metrics', headers: { 'x-big': 'a'.repeat(10_000) } },
        (res) => {
          resolve(res.statusCode);
          res.resume();
        },
      );
      req.on('error', () => resolve(undefined));
      req.end();
    });
    expect(status).toBe(431);
  });
});
