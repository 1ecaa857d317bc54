import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, assertNoLeak } from './helpers/harness';
import { balance, error } from './helpers/fake-api';

const OLD_KEY = 'tpx-old-key-1111';
const NEW_KEY = 'tpx-new-key-2222';

test('rotating the token file stops the 401s at the next scrape, without a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-rotation-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${OLD_KEY}\n`);
  let activeKey = OLD_KEY;
  const h = await Harness.start({
    ttlMs: 60_000,
    accounts: (upstream) => [
      { name: 'default', apiUrl: upstream.url, token: { kind: 'file', path: tokenFile } },
    ],
  });
  try {
    // TensorPix keeps one active key per account: only that one is accepted.
    h.upstream.reply((req, res) =>
      (req.headers.authorization === `Token ${activeKey}` ? balance('9.0000') : error(401))(req, res),
    );
    expect(Harness.value(await h.scrape(), 'tensorpix_up')).toBe(1);

    // Someone generates a new key in the TensorPix dashboard: the old one is revoked.
    activeKey = NEW_KEY;
    h.clock.advance(61_000);
    const failing = await h.scrape();
    expect(Harness.value(failing, 'tensorpix_upstream_errors_total', { code: '401' })).toBe(1);
    expect(Harness.value(failing, 'tensorpix_credits_balance_usd')).toBe(9);

    // The secret is updated the way Kubernetes does it: a new file moved into place.
    writeFileSync(join(dir, 'token.new'), `${NEW_KEY}\n`);
    renameSync(join(dir, 'token.new'), tokenFile);
    h.clock.advance(1_000);
    const recovered = await h.scrape();
    expect(Harness.value(recovered, 'tensorpix_up')).toBe(1);
    expect(Harness.value(recovered, 'tensorpix_upstream_errors_total', { code: '401' })).toBe(1);
    expect(h.upstream.requests.map((r) => r.headers.authorization)).toEqual([
      `Token ${OLD_KEY}`,
      `Token ${OLD_KEY}`,
      `Token ${NEW_KEY}`,
    ]);
    for (const text of [failing, recovered, h.logLines.join('\n')]) {
      expect(text).not.toContain(OLD_KEY);
      expect(text).not.toContain(NEW_KEY);
      assertNoLeak(text);
    }
    expect(h.logLines.some((line) => line.includes('token changed'))).toBe(true);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a token file that disappears keeps the account failing with no upstream call, and recovers when it returns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-rotation-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${NEW_KEY}\n`);
  const h = await Harness.start({
    ttlMs: 1_000,
    accounts: (upstream) => [
      { name: 'default', apiUrl: upstream.url, token: { kind: 'file', path: tokenFile } },
    ],
  });
  try {
    h.upstream.reply(balance('3.0000'));
    await h.scrape();
    rmSync(tokenFile);
    h.clock.advance(2_000);
    const missing = await h.scrape();
    expect(Harness.value(missing, 'tensorpix_up')).toBe(0);
    expect(h.upstream.requests).toHaveLength(1);
    expect(h.logLines.some((line) => /token file .* cannot be read \(ENOENT\)/.test(line))).toBe(true);
    writeFileSync(tokenFile, `${NEW_KEY}\n`);
    h.clock.advance(2_000);
    expect(Harness.value(await h.scrape(), 'tensorpix_up')).toBe(1);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an account failing with 503 does not look at its token file between attempts: a new token waits for the backoff', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-rotation-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${OLD_KEY}\n`);
  const h = await Harness.start({
    ttlMs: 60_000,
    accounts: (upstream) => [
      { name: 'default', apiUrl: upstream.url, token: { kind: 'file', path: tokenFile } },
    ],
  });
  try {
    h.upstream.reply(error(503));
    await h.scrape();
    // A new token is no cure for a 503: no scrape inside the backoff asks the API again.
    writeFileSync(tokenFile, `${NEW_KEY}\n`);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(2_000);
      await h.scrape();
    }
    expect(h.upstream.requests).toHaveLength(1);
    // Once the backoff (the TTL, after one failure) has passed, the next attempt takes the new token.
    h.upstream.reply(balance('4.0000'));
    h.clock.advance(60_000);
    expect(Harness.value(await h.scrape(), 'tensorpix_up')).toBe(1);
    expect(h.upstream.requests.map((r) => r.headers.authorization)).toEqual([
      `Token ${OLD_KEY}`,
      `Token ${NEW_KEY}`,
    ]);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
