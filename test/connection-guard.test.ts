import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { createHttpServer, DEFAULT_LIMITS, type ServerLimits } from '../src/web/http-server';
import { makeTestCerts } from './helpers/certs';

// The guard's rules one by one, each with limits small enough to reach in a moment, on the
// real server createHttpServer makes (the abuse matrix runs them at their defaults).
const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
const BIG = Buffer.alloc(48 * 1024 * 1024, 0x61);

let server: Server;
/** accepted counts the connections the server took, shed ones included. */
let accepted = 0;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function serve(
  app: RequestListener,
  limits: Partial<ServerLimits>,
  tls?: { cert: string; key: string },
) {
  server = createHttpServer(
    app,
    tls && {
      ...tls,
      clientAuth: 'NoClientCert',
      allowedSans: [],
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      honorCipherOrder: false,
    },
    { ...DEFAULT_LIMITS, checkIntervalMs: 100, ...limits },
  );
  accepted = 0;
  server.on('connection', () => accepted++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** open connects a raw client that reads nothing unless asked, once the server has taken it. */
async function open(port: number): Promise<Socket> {
  const before = accepted;
  const socket = connectTcp(port, '127.0.0.1');
  socket.pause();
  socket.on('error', () => undefined);
  sockets.push(socket);
  await until(() => accepted > before);
  return socket;
}

/** silent connects a client that sends nothing and watches for the server closing it. */
async function silent(port: number): Promise<{ closed: () => boolean }> {
  const socket = await open(port);
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.resume();
  return { closed: () => closed };
}

const connections = () => new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));

/** until polls `check` every 10 ms for at most 3 s. */
async function until(check: () => boolean | Promise<boolean>): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < 3000;) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

/** exchange writes a request and reads until `count` answers ending in `ok` came back. */
function exchange(socket: Socket, request: string, count = 1): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if ((text.match(/\r\n\r\nok/g) ?? []).length >= count) {
        socket.off('data', onData);
        socket.pause();
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.resume();
    socket.write(request);
  });
}

const ok: RequestListener = (_req, res) => res.end('ok');

test('at the limit, a new connection sheds a silent one, oldest first, and not a kept-alive one that was answered', async () => {
  const port = await serve(ok, { maxConnections: 3 });
  const scraper = await open(port);
  await exchange(scraper, GET('/metrics'));
  const silentOld = await silent(port);
  const silentNew = await silent(port);
  const newcomer = await open(port);
  expect(await until(silentOld.closed)).toBe(true);
  expect(silentNew.closed()).toBe(false);
  // The scraper's connection is still there, and answers; so is the newcomer.
  expect(await exchange(scraper, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
  expect(await exchange(newcomer, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
});

test('when every connection has a request in the app, a newcomer is refused and the requests still get their answers', async () => {
  const held: ServerResponse[] = [];
  const port = await serve((_req, res) => void held.push(res), { maxConnections: 2 });
  const first = await open(port);
  const second = await open(port);
  const answers = [exchange(first, GET('/slow')), exchange(second, GET('/slow'))];
  await until(() => held.length === 2);
  const newcomer = connectTcp(port, '127.0.0.1');
  sockets.push(newcomer);
  const refused = await new Promise<string>((resolve) => {
    let text = '';
    newcomer.on('data', (chunk) => (text += chunk.toString()));
    newcomer.on('close', () => resolve(text));
    newcomer.on('error', () => undefined);
  });
  expect(refused).toBe('');
  for (const res of held) res.end('ok');
  expect(await Promise.all(answers)).toEqual([expect.stringMatching(/200/), expect.stringMatching(/200/)]);
});

test('pipelined requests are handed to the app one at a time and answered in order', async () => {
  let inApp = 0;
  let mostInApp = 0;
  const port = await serve((req, res) => {
    mostInApp = Math.max(mostInApp, ++inApp);
    setTimeout(() => {
      inApp--;
      res.end(`ok ${req.url}`);
    }, 20);
  }, {});
  const client = await open(port);
  const text = await exchange(client, GET('/a') + GET('/b') + GET('/c'), 3);
  expect([...text.matchAll(/ok (\/\w)/g)].map((m) => m[1])).toEqual(['/a', '/b', '/c']);
  expect(mostInApp).toBe(1);
});

test('a connection pipelining more requests than it may queue is cut; the app sees only the first', async () => {
  let calls = 0;
  const port = await serve(
    (_req, res) => {
      calls++;
      setTimeout(() => res.end('ok'), 50);
    },
    { maxQueuedRequests: 4 },
  );
  const client = await open(port);
  client.write(GET('/metrics').repeat(3000));
  expect(await until(() => connections().then((n) => n === 0))).toBe(true);
  expect(calls).toBe(1);
});

test('an answer its client does not take is cut after the send timeout; one that is read is not', async () => {
  const sent: Array<IncomingMessage['socket']> = [];
  const port = await serve(
    (req, res) => {
      sent.push(req.socket);
      res.end(BIG);
    },
    { sendTimeoutMs: 400, unsentBudgetBytes: 1024 * 1024 * 1024 },
  );
  const stalled = await open(port);
  stalled.write(GET('/metrics'));
  await until(() => sent.length === 1);
  const reader = await open(port);
  reader.resume();
  let received = 0;
  reader.on('data', (chunk: Buffer) => (received += chunk.length));
  reader.write(GET('/metrics'));
  expect(await until(() => sent[0]!.destroyed)).toBe(true);
  expect(await until(() => received > BIG.length)).toBe(true);
  expect(sent[1]!.destroyed).toBe(false);
});

test('over the unsent budget, the answer waiting longest is cut first', async () => {
  const byPath = new Map<string, IncomingMessage['socket']>();
  const port = await serve(
    (req, res) => {
      byPath.set(req.url!, req.socket);
      res.end(BIG);
    },
    { sendTimeoutMs: 60_000, unsentBudgetBytes: 60 * 1024 * 1024 },
  );
  const older = await open(port);
  older.write(GET('/older'));
  // Let a sweep see the first answer waiting before the second one comes.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const newer = await open(port);
  newer.write(GET('/newer'));
  expect(await until(() => byPath.get('/older')?.destroyed === true)).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(byPath.get('/newer')!.destroyed).toBe(false);
});

test('a request that declares a body is answered with Connection: close, and the body is not read on', async () => {
  const port = await serve(ok, {});
  const client = await open(port);
  client.resume();
  let text = '';
  client.on('data', (chunk: Buffer) => (text += chunk.toString()));
  client.write(
    'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000000\r\n\r\n' + 'a'.repeat(1000),
  );
  expect(await until(() => client.readableEnded || client.destroyed)).toBe(true);
  expect(text).toMatch(/^HTTP\/1\.1 200/);
  expect(text).toMatch(/\r\nConnection: close\r\n/i);
});

test('over TLS the guard finds the connection of each request: a pipelining client is cut there too', async () => {
  const certs = makeTestCerts();
  try {
    let calls = 0;
    const port = await serve(
      (_req, res) => {
        calls++;
        setTimeout(() => res.end('ok'), 50);
      },
      { maxQueuedRequests: 4 },
      certs.server,
    );
    const client = connectTls({ port, host: '127.0.0.1', ca: certs.ca.cert });
    sockets.push(client);
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('secureConnect', resolve));
    client.write(GET('/metrics').repeat(100));
    expect(await until(() => connections().then((n) => n === 0))).toBe(true);
    expect(calls).toBe(1);
  } finally {
    certs.cleanup();
  }
});
