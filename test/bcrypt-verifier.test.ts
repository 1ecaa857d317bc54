import { hashSync } from 'bcryptjs';
import express from 'express';
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

test('close answers false to what was pending; a later check starts a new worker', async () => {
  verifier = new BcryptVerifier(12, 8);
  const pending = verifier.verify(RIGHT, HASH_12);
  await verifier.close();
  expect(await pending).toBe(false);
  expect(await verifier.verify(RIGHT, HASH_12)).toBe(true);
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
