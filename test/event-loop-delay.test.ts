import { monitorDelay } from '../src/metrics/event-loop-delay';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** blockFor keeps the event loop busy for `ms`, as a long synchronous task would. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

let monitor: ReturnType<typeof monitorDelay> | undefined;
afterEach(() => monitor?.stop());

test('a blocked event loop shows in the next read: max at least the block, the mean inside min..max', async () => {
  monitor = monitorDelay();
  await sleep(50);
  blockFor(80);
  await sleep(30);
  const summary = monitor.read();
  expect(summary.count).toBeGreaterThan(0);
  // The timer due during the block fired ~80 ms late, less the 10 ms it waits anyway.
  expect(summary.max).toBeGreaterThanOrEqual(0.06);
  expect(summary.min).toBeLessThanOrEqual(summary.mean);
  expect(summary.mean).toBeLessThanOrEqual(summary.max);
  expect(summary.percentile(100)).toBe(summary.max);
  expect(summary.percentile(50)).toBeLessThanOrEqual(summary.percentile(99));
});

test('a second read with nothing measured since the first repeats it, never a false 0', async () => {
  monitor = monitorDelay();
  await sleep(40);
  blockFor(50);
  await sleep(20);
  const first = monitor.read();
  // No timer can fire between two synchronous reads (two scrapes within 10 ms).
  const second = monitor.read();
  expect(first.max).toBeGreaterThan(0.03);
  expect(second).toBe(first);
  // Once the timer fires again, the next read covers only what came after.
  await sleep(50);
  const third = monitor.read();
  expect(third).not.toBe(first);
  expect(third.count).toBeGreaterThan(0);
});
