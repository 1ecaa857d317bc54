import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTestCerts, type TestCerts } from './helpers/certs';

const SCRIPT = join(__dirname, '..', 'scripts', 'healthcheck.js');
const { listenAddress, target } = require(SCRIPT) as {
  listenAddress(argv: string[], env: Record<string, string | undefined>): string;
  target(address: string): { host: string; port: number };
};

/** healthcheck runs the image's HEALTHCHECK script against `address`, as Docker would. */
function healthcheck(address: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, address], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr, ms: Date.now() - started }));
  });
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(handler: RequestListener, server: Server = createHttpServer(handler)): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const status =
  (code: number): RequestListener =>
  (request, response) => {
    response.statusCode = request.url === '/-/healthy' ? code : 404;
    response.end();
  };

test('the listen address is found as the exporter finds it: last flag, then variable, then :10863', () => {
  const env = { TENSORPIX_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:2000' };
  const argv = [
    'node',
    '/app/dist/main.js',
    '--web.listen-address=:1000',
    '--web.listen-address',
    '[::1]:3000',
  ];
  expect(listenAddress(argv, env)).toBe('[::1]:3000');
  expect(listenAddress(['node', '/app/dist/main.js', '--demo'], env)).toBe('127.0.0.1:2000');
  expect(listenAddress([], {})).toBe(':10863');
});

test('a wildcard host is reached on loopback', () => {
  expect(target(':10863')).toEqual({ host: '127.0.0.1', port: 10863 });
  expect(target('0.0.0.0:1')).toEqual({ host: '127.0.0.1', port: 1 });
  expect(target('[::]:2')).toEqual({ host: '::1', port: 2 });
  expect(target('[::1]:3')).toEqual({ host: '::1', port: 3 });
  expect(target('10.1.2.3:4')).toEqual({ host: '10.1.2.3', port: 4 });
});

test('healthy when /-/healthy answers 200, or 401 behind basic auth', async () => {
  expect(await healthcheck(await serve(status(200)))).toMatchObject({ code: 0, stderr: '' });
  expect(await healthcheck(await serve(status(401)))).toMatchObject({ code: 0, stderr: '' });
});

test('unhealthy on an error status or a refused connection, saying why', async () => {
  expect(await healthcheck(await serve(status(503)))).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('HTTP 503'),
  });
  const refused = await serve(status(200));
  await new Promise((resolve) => servers.pop()!.close(resolve));
  expect(await healthcheck(refused)).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('ECONNREFUSED'),
  });
});

test('unhealthy within about 2 s when the server never answers', async () => {
  const result = await healthcheck(await serve(() => undefined));
  expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('no answer within 2000 ms') });
  expect(result.ms).toBeGreaterThanOrEqual(1900);
  expect(result.ms).toBeLessThan(4000);
});

describe('with tls_server_config', () => {
  let certs: TestCerts;
  beforeAll(() => (certs = makeTestCerts()));
  afterAll(() => certs.cleanup());

  test('healthy: a reset plain request is retried over HTTPS', async () => {
    const tls = createHttpsServer({ cert: certs.server.cert, key: certs.server.key }, status(200));
    expect(await healthcheck(await serve(status(200), tls))).toMatchObject({ code: 0, stderr: '' });
  });
});
