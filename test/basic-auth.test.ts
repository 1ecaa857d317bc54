import express from 'express';
import request from 'supertest';
import { basicAuth } from '../src/web/basic-auth';
import type { Verifier } from '../src/web/bcrypt-verifier';

// The hash is never compared here: a counting verifier stands in for bcrypt, so the tests
// see exactly which checks reach it. bcrypt-verifier.test.ts runs the real one.
const USERS = new Map([['prometheus', '$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze']]);
const RIGHT = 'right password';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** CountingVerifier accepts RIGHT for a known user, records each call, and is busy when told. */
class CountingVerifier implements Verifier {
  calls: Array<{ password: string; hash: string | undefined }> = [];
  busy = false;
  verify(password: string, hash: string | undefined): Promise<boolean | 'busy'> | 'busy' {
    if (this.busy) return 'busy';
    this.calls.push({ password, hash });
    return Promise.resolve(hash !== undefined && password === RIGHT);
  }
  close = () => Promise.resolve();
}

function appWith(verifier: Verifier) {
  const app = express();
  app.use(basicAuth(USERS, ['/-/healthy'], verifier).middleware);
  app.get(['/metrics', '/-/healthy'], (_req, res) => void res.send('ok'));
  return app;
}

test('right credentials are verified once; a thousand and more wrong guesses never evict them', async () => {
  const verifier = new CountingVerifier();
  const app = appWith(verifier);
  expect((await request(app).get('/metrics').set('Authorization', basic('prometheus', RIGHT))).status).toBe(
    200,
  );
  expect(verifier.calls).toHaveLength(1);
  // More distinct wrong passwords than the cache of wrong ones holds (1024).
  for (let i = 0; i < 1100; i++)
    expect(
      (
        await request(app)
          .get('/metrics')
          .set('Authorization', basic('prometheus', `guess ${i}`))
      ).status,
    ).toBe(401);
  expect(verifier.calls).toHaveLength(1101);
  // Even with the verifier saturated, the scraper's credentials answer from their own cache.
  verifier.busy = true;
  expect((await request(app).get('/metrics').set('Authorization', basic('prometheus', RIGHT))).status).toBe(
    200,
  );
  expect(verifier.calls).toHaveLength(1101);
});

test('an unknown user goes through the same comparison (against a decoy), so timing does not tell users apart', async () => {
  const verifier = new CountingVerifier();
  const denied = await request(appWith(verifier))
    .get('/metrics')
    .set('Authorization', basic('mallory', RIGHT));
  expect(denied.status).toBe(401);
  expect(denied.headers['www-authenticate']).toMatch(/^Basic realm=/);
  expect(verifier.calls).toEqual([{ password: RIGHT, hash: undefined }]);
});

test('a repeated wrong guess is answered from cache; identical checks at once share one comparison', async () => {
  const verifier = new CountingVerifier();
  const app = appWith(verifier);
  const wrong = basic('prometheus', 'wrong');
  await request(app).get('/metrics').set('Authorization', wrong);
  await request(app).get('/metrics').set('Authorization', wrong);
  expect(verifier.calls).toHaveLength(1);
  const statuses = await Promise.all(
    Array.from({ length: 5 }, () =>
      request(app).get('/metrics').set('Authorization', basic('prometheus', RIGHT)),
    ),
  );
  expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  expect(verifier.calls).toHaveLength(2);
});

test('when the verifier is saturated, a new guess gets 429 with Retry-After at once, not a place in a queue', async () => {
  const verifier = new CountingVerifier();
  verifier.busy = true;
  const app = appWith(verifier);
  const answer = await request(app)
    .get('/metrics')
    .set('Authorization', basic('prometheus', 'another guess'));
  expect(answer.status).toBe(429);
  expect(answer.headers['retry-after']).toBe('1');
  // No credentials, or an excluded path, never need the verifier.
  expect((await request(app).get('/metrics')).status).toBe(401);
  expect((await request(app).get('/-/healthy')).status).toBe(200);
});

test('credentials that are not UTF-8 get 401 without a comparison', async () => {
  const verifier = new CountingVerifier();
  const latin1 = `Basic ${Buffer.concat([Buffer.from('prometheus:'), Buffer.from([0xff])]).toString('base64')}`;
  const answer = await request(appWith(verifier)).get('/metrics').set('Authorization', latin1);
  expect(answer.status).toBe(401);
  expect(verifier.calls).toEqual([]);
});
