// The short variant of `npm run soak`: bounds, not timings. It runs the built exporter.
const { runSoak } = require('../scripts/soak.js') as {
  runSoak(options: {
    scrapes: number;
    onSample(row: Sample): void;
  }): Promise<{ failures: number; settledSockets: number }>;
};

interface Sample {
  label: string;
  heapUsedMiB: number;
  upstreamSockets: number;
  upstreamRequests: number;
}

test('1 000 scrapes through 401s and faults: every answer 200, sockets back to baseline, heap bounded', async () => {
  const samples: Sample[] = [];
  const { failures, settledSockets } = await runSoak({ scrapes: 1000, onSample: (row) => samples.push(row) });
  const [start, , end] = samples;
  expect(failures).toBe(0);
  expect(end!.upstreamRequests).toBeGreaterThan(50);
  // At most the one keep-alive connection that a healthy exporter holds.
  expect(start!.upstreamSockets).toBe(0);
  expect(settledSockets).toBeLessThanOrEqual(1);
  expect(end!.heapUsedMiB - start!.heapUsedMiB).toBeLessThan(48);
}, 60_000);
