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
      // Given inline, as a test does: only the web config names a file (none is read here).
      files: { webConfig: 'web.yml' },
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

/** watch reports whether the server closed `socket`. */
function watch(socket: Socket): () => boolean {
  let closed = false;
  socket.on('close', () => (closed = true));
  return () => closed;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('at the limit, a new connection sheds one that got nothing done, idle the longest first: a silent one past its grace, not a kept-alive one that was answered', async () => {
  const port = await serve(ok, { maxConnections: 3, newcomerGraceMs: 100 });
  const silentOld = await silent(port);
  const scraper = await open(port);
  await pause(150);
  await exchange(scraper, GET('/metrics'));
  const silentNew = await silent(port);
  const newcomer = await open(port);
  expect(await until(silentOld.closed)).toBe(true);
  expect(silentNew.closed()).toBe(false);
  // The scraper's connection is still there, and answers; so is the newcomer.
  expect(await exchange(scraper, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
  expect(await exchange(newcomer, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
});

test('many quick requests buy a connection time, not a place: once its record fades it goes before a scraper that keeps scraping', async () => {
  const port = await serve(ok, { maxConnections: 2, newcomerGraceMs: 100, recordHalfLifeMs: 100 });
  const busy = await open(port);
  for (let i = 0; i < 50; i++) await exchange(busy, GET('/-/healthy'));
  const busyClosed = watch(busy);
  const scraper = await open(port);
  // Fifty answers halve ten times in a second; the scraper's few keep coming.
  for (let i = 0; i < 10; i++) {
    await exchange(scraper, GET('/metrics'));
    await pause(100);
  }
  await open(port);
  expect(await until(busyClosed)).toBe(true);
  expect(await exchange(scraper, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
});

test('of connections alike, a flood of newcomers that took one answer each goes before a scraper that took many', async () => {
  const port = await serve(ok, { maxConnections: 4, newcomerGraceMs: 50 });
  const scraper = await open(port);
  for (let i = 0; i < 5; i++) await exchange(scraper, GET('/metrics'));
  const scraperClosed = watch(scraper);
  // Newer and just as idle, but each took a single answer: they go first, oldest first.
  const flood: Array<() => boolean> = [];
  for (let i = 0; i < 3; i++) {
    const socket = await open(port);
    await exchange(socket, GET('/metrics'));
    flood.push(watch(socket));
  }
  await pause(100);
  for (let i = 0; i < 3; i++) await open(port);
  expect(await until(() => flood.every((closed) => closed()))).toBe(true);
  expect(scraperClosed()).toBe(false);
  expect(await exchange(scraper, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
});

test('a newcomer is not shed before its first request is read, however many churn in after it', async () => {
  const port = await serve(ok, { maxConnections: 4 });
  const others: Array<() => boolean> = [];
  for (let i = 0; i < 3; i++) {
    const socket = await open(port);
    for (let j = 0; j < 50; j++) await exchange(socket, GET('/-/healthy'));
    others.push(watch(socket));
  }
  const prometheus = await open(port);
  const prometheusClosed = watch(prometheus);
  // An attacker churns: each new connection makes its requests at once and takes a place.
  for (let i = 0; i < 6; i++) {
    const socket = await open(port);
    for (let j = 0; j < 5; j++) await exchange(socket, GET('/-/healthy'));
    others.push(watch(socket));
  }
  // Six places were taken from the attacker's own connections, none from Prometheus'.
  expect(await until(() => others.filter((closed) => closed()).length === 6)).toBe(true);
  expect(prometheusClosed()).toBe(false);
  expect(await exchange(prometheus, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
});

test('in a burst of newcomers past half the slots, the oldest newcomer goes before a kept-alive connection that was answered', async () => {
  const port = await serve(ok, { maxConnections: 6 });
  const scraper = await open(port);
  await exchange(scraper, GET('/metrics'));
  const scraperClosed = watch(scraper);
  const burst: Array<() => boolean> = [];
  for (let i = 0; i < 5; i++) burst.push((await silent(port)).closed);
  for (let i = 0; i < 2; i++) await open(port);
  expect(await until(() => burst[0]!() && burst[1]!())).toBe(true);
  expect(burst.slice(2).some((closed) => closed())).toBe(false);
  expect(scraperClosed()).toBe(false);
  expect(await exchange(scraper, GET('/metrics'))).toMatch(/^HTTP\/1\.1 200/);
});

test('when only newcomers within their grace are left, the one that came first goes', async () => {
  const port = await serve(ok, { maxConnections: 2 });
  const first = await silent(port);
  const second = await silent(port);
  await open(port);
  expect(await until(first.closed)).toBe(true);
  expect(second.closed()).toBe(false);
});

test('a connection whose next request has begun to arrive is spared within the grace; a slow one past it is not', async () => {
  const port = await serve(ok, { maxConnections: 3, newcomerGraceMs: 400 });
  const scraper = await open(port);
  await exchange(scraper, GET('/metrics'));
  const scraperClosed = watch(scraper);
  const other = await open(port);
  await exchange(other, GET('/-/healthy'));
  const otherClosed = watch(other);
  // The scraper's next request, its headers not yet whole: it was idle the longest, yet it stays.
  scraper.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  await pause(50);
  const third = await open(port);
  await exchange(third, GET('/-/healthy'));
  const fourth = await open(port);
  expect(await until(otherClosed)).toBe(true);
  expect(scraperClosed()).toBe(false);
  expect(await exchange(scraper, '\r\n')).toMatch(/^HTTP\/1\.1 200/);
  // A request still not whole past the grace (slowloris) no longer shields its connection:
  // it goes before connections that took more answers.
  scraper.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  for (let i = 0; i < 3; i++) {
    await exchange(third, GET('/-/healthy'));
    await exchange(fourth, GET('/-/healthy'));
  }
  await pause(600);
  await open(port);
  expect(await until(scraperClosed)).toBe(true);
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

test('over TLS each connection is told apart: handshakes in parallel, each pipelining client cut alone, a polite one served', async () => {
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
    const connectAll = (n: number) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const client = connectTls({ port, host: '127.0.0.1', ca: certs.ca.cert });
          sockets.push(client);
          client.on('error', () => undefined);
          await new Promise((resolve) => client.once('secureConnect', resolve));
          return client;
        }),
      );
    const [polite, ...rude] = await connectAll(6);
    let closed = 0;
    for (const client of rude) client.once('close', () => closed++);
    for (const client of rude) client.write(GET('/metrics').repeat(50));
    expect(await until(() => closed === rude.length)).toBe(true);
    // The app saw the first request of each rude connection only.
    expect(calls).toBe(rude.length);
    // The polite connection, whose handshake ran among theirs, was neither cut nor queued behind them.
    expect(await exchange(polite!, GET('/metrics') + GET('/metrics'), 2)).toMatch(/ok[\s\S]*ok$/);
    expect(polite!.destroyed).toBe(false);
  } finally {
    certs.cleanup();
  }
});
