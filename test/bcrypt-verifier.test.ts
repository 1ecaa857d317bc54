import { hashSync } from 'bcryptjs';
import express from 'express';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import request from 'supertest';
import { basicAuth } from '../src/web/basic-auth';
import { BcryptVerifier } from '../src/web/bcrypt-verifier';

const RIGHT = 'right password';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
// Cost 12 makes each comparison take a few hundred ms in bcryptjs: long enough to see the
// event loop keep turning, and for eight of them to fill the worker for seconds.
const HASH_12 = hashSync(RIGHT, 12);

let verifier: BcryptVerifier;
afterEach(() => verifier.close());

test('compares on a worker thread: right, wrong and unknown-user (decoy) verdicts', async () => {
  verifier = new BcryptVerifier(4, 8);
  const hash = hashSync(RIGHT, 4);
  expect(await verifier.verify(RIGHT, hash)).toBe(true);
  expect(await verifier.verify('wrong', hash)).toBe(false);
  expect(await verifier.verify(RIGHT, undefined)).toBe(false);
});

/** threadNices lists the nice value of each of this process' threads, from /proc. */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state is field 3, nice field 19.
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return [];
    }
  });
}

test("later checks run on a worker at the lowest priority, first checks on one at the process' own", async () => {
  verifier = new BcryptVerifier(4, 8);
  const hash = hashSync(RIGHT, 4);
  const before = threadNices().filter((nice) => nice === 19).length;
  expect(await verifier.verify(RIGHT, hash, 'first')).toBe(true);
  expect(threadNices().filter((nice) => nice === 19).length).toBe(before);
  expect(await verifier.verify('wrong', hash, 'rest')).toBe(false);
  expect(threadNices().filter((nice) => nice === 19).length).toBe(before + 1);
});

test('the event loop keeps turning while comparisons run', async () => {
  verifier = new BcryptVerifier(12, 8);
  const verdicts = [verifier.verify('a', HASH_12), verifier.verify('b', HASH_12)];
  let worstTurnMs = 0;
  let last = Date.now();
  const ticker = setInterval(() => {
    worstTurnMs = Math.max(worstTurnMs, Date.now() - last);
    last = Date.now();
  }, 10);
  await Promise.all(verdicts);
  clearInterval(ticker);
  // bcryptjs on the main thread blocks for 100 ms slices; off it, a turn takes a few ms.
  expect(worstTurnMs).toBeLessThan(80);
}, 20_000);

test('beyond maxPending, verify answers busy at once', async () => {
  verifier = new BcryptVerifier(12, 2);
  const first = verifier.verify('a', HASH_12);
  const second = verifier.verify('b', HASH_12);
  expect(verifier.verify('c', HASH_12)).toBe('busy');
  expect(await first).toBe(false);
  expect(await second).toBe(false);
  // Room again once they are done.
  expect(await verifier.verify(RIGHT, HASH_12)).toBe(true);
}, 20_000);

test('close answers busy, not false, to what was pending; a later check starts a new worker', async () => {
  verifier = new BcryptVerifier(12, 8);
  const pending = verifier.verify(RIGHT, HASH_12);
  await verifier.close();
  expect(await pending).toBe('busy');
  expect(await verifier.verify(RIGHT, HASH_12)).toBe(true);
}, 20_000);

test('a worker that dies while it checks the right password: 429 then, and 200 at the next try, never a cached 401', async () => {
  verifier = new BcryptVerifier(12, 8);
  const auth = basicAuth(new Map([['prometheus', HASH_12]]), [], verifier);
  const app = express();
  app.use(auth.middleware);
  app.get('/metrics', (_req, res) => void res.send('ok'));
  const scrape = () => request(app).get('/metrics').set('Authorization', basic('prometheus', RIGHT));
  const first = scrape().then((r) => r.status);
  // The worker is reached into (it is private) and ended, as an out-of-memory death would.
  const workers = (verifier as unknown as { workers: Map<string, Worker> }).workers;
  for (let i = 0; i < 200 && workers.size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  await Promise.all([...workers.values()].map((worker) => worker.terminate()));
  expect(await first).toBe(429);
  expect((await scrape()).status).toBe(200);
  await auth.close();
}, 20_000);

test('basic auth on the real worker: guesses beyond the pending bound get 429 fast while cached right credentials get 200', async () => {
  verifier = new BcryptVerifier(12, 8);
  const auth = basicAuth(new Map([['prometheus', HASH_12]]), [], verifier);
  const app = express();
  app.use(auth.middleware);
  app.get('/metrics', (_req, res) => void res.send('ok'));
  expect((await request(app).get('/metrics').set('Authorization', basic('prometheus', RIGHT))).status).toBe(
    200,
  );
  // then() sends a supertest request; the guesses are all on their way before the scrape.
  const guesses = Array.from({ length: 20 }, (_, i) =>
    request(app)
      .get('/metrics')
      .set('Authorization', basic('prometheus', `guess ${i}`))
      .then((r) => r.status),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  const legit = await request(app).get('/metrics').set('Authorization', basic('prometheus', RIGHT));
  expect(legit.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(500);
  // Eight comparisons wait or run (401 in the end); the rest were turned away.
  const statuses = await Promise.all(guesses);
  expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(8);
}, 30_000);

/** get asks `path` from `localAddress` and resolves with the status and how long it took. */
function get(port: number, localAddress: string, authorization: string, agent: Agent) {
  const started = Date.now();
  return new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/metrics', localAddress, agent, headers: { authorization } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, ms: Date.now() - started }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('basic auth on the real worker, nothing cached yet: guesses from 127.0.0.2 take turns with the right password from 127.0.0.1, which is checked next', async () => {
  const hash = hashSync(RIGHT, 11);
  verifier = new BcryptVerifier(11, 8);
  const auth = basicAuth(new Map([['prometheus', hash]]), [], verifier);
  const app = express();
  app.use(auth.middleware);
  app.get('/metrics', (_req, res) => void res.send('ok'));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const attackerAgent = new Agent({ keepAlive: true, maxSockets: 20 });
  const legitAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  let attacking = true;
  const statuses: number[] = [];
  // 20 loops of guesses, each sending the next as soon as an answer comes (a 429 in a moment).
  const loops = Array.from({ length: 20 }, async (_, loop) => {
    for (let i = 0; attacking && i < 100_000; i++)
      statuses.push(
        (await get(port, '127.0.0.2', basic('prometheus', `guess ${loop}-${i}`), attackerAgent)).status,
      );
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const legit = await get(port, '127.0.0.1', basic('prometheus', RIGHT), legitAgent);
    attacking = false;
    await Promise.all(loops);
    // A cost-11 comparison takes ~0.1 s: the one running, then Prometheus' own.
    expect(legit).toEqual({ status: 200, ms: expect.any(Number) });
    expect(legit.ms).toBeLessThan(1000);
    // The guesses were turned away past their address' share, not queued without end.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(
      statuses.filter((s) => s === 401).length,
    );
  } finally {
    attacking = false;
    attackerAgent.destroy();
    legitAgent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await auth.close();
  }
}, 30_000);

test('warmUp starts the first lane before any check: its thread is there, at the process priority', async () => {
  const threads = readdirSync('/proc/self/task').length;
  verifier = new BcryptVerifier(4, 8).warmUp('first');
  // A worker thread (and the threads V8 gives it) appear without a single verify.
  for (let i = 0; i < 100 && readdirSync('/proc/self/task').length === threads; i++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(readdirSync('/proc/self/task').length).toBeGreaterThan(threads);
  expect(await verifier.verify(RIGHT, hashSync(RIGHT, 4), 'first')).toBe(true);
});
