import type { ServerResponse } from 'node:http';
import { runInNewContext } from 'node:vm';
import { error } from './helpers/fake-api';
import { sampleValue } from './helpers/exposition';
import { Harness } from './helpers/harness';

// An error's status is the answer at once; its body is drained behind it, for about a
// second at most, so the keep-alive socket can be reused and no dripping body holds it.

/** gc collects the whole heap now: `npm test` starts jest with node --expose-gc (V8 reads it at start). */
function gc(): void {
  const exposed = runInNewContext("typeof gc === 'function' ? gc : undefined") as (() => void) | undefined;
  if (!exposed)
    throw new Error('no gc(): run the tests with `npm test`, which starts jest as node --expose-gc');
  exposed();
}

let h: Harness;
afterEach(() => h?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** drip answers `status` with a body that never ends: a byte every 50 ms. */
const drip = (status: number) => (_req: unknown, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  const timer = setInterval(() => res.write(' '), 50);
  res.on('close', () => clearInterval(timer));
};

test('small error bodies are drained: one keep-alive socket serves every attempt', async () => {
  h = await Harness.start({ ttlMs: 1000 });
  h.upstream.reply(error(503));
  for (let i = 0; i < 4; i++) {
    await h.scrape();
    await sleep(50);
    h.clock.advance(60_000);
  }
  expect(h.upstream.requests).toHaveLength(4);
  expect(h.upstream.openSockets()).toBe(1);
});

test('a dripping error body is cut off after about a second, even when the heap is collected meanwhile', async () => {
  h = await Harness.start({ ttlMs: 60_000 });
  h.upstream.reply(drip(503));
  const text = await h.scrape();
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'default', code: '503' })).toBe(1);
  expect(h.upstream.openSockets()).toBe(1);
  // A full collection within the drain's second must not take its time limit with it.
  await sleep(200);
  gc();
  const started = Date.now();
  while (h.upstream.openSockets() > 0 && Date.now() - started < 5000) await sleep(50);
  expect(h.upstream.openSockets()).toBe(0);
});
