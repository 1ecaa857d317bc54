import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Harness } from './helpers/harness';
import { balance, error } from './helpers/fake-api';
import { describeEachLine } from './helpers/prometheus-lines';
import { runTool } from './helpers/promtool';

const GOLDEN = join(__dirname, 'golden', 'scenario.prom');

let h: Harness;
afterEach(() => h.close());

/** scenario: a good balance, a lower one, then a 503; the clock stands still during requests. */
async function scenario(): Promise<string> {
  h.upstream.replySequence(balance('10.0000'), balance('8.5000'), error(503));
  await h.scrape();
  h.clock.advance(60_000);
  await h.scrape();
  h.clock.advance(60_000);
  return h.scrape();
}

test('the exposition text of a scripted scenario matches the golden file', async () => {
  h = await Harness.start({ ttlMs: 60_000 });
  const text = await scenario();
  // UPDATE_GOLDEN=1 npm test rewrites the file; review its diff before committing.
  if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
  expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
});

describeEachLine((line) => {
  line.test(
    ['promtool'],
    'promtool check metrics prints nothing for the tensorpix_* output (--web.disable-exporter-metrics)',
    async ({ promtool }) => {
      h = await Harness.start({ ttlMs: 60_000, exporterMetrics: false });
      const text = await scenario();
      expect(text).toContain('tensorpix_upstream_errors_total');
      expect(text).not.toContain('process_');
      expect(runTool(promtool, ['check', 'metrics'], { input: text })).toEqual({ status: 0, output: '' });
    },
  );

  line.test(
    ['promtool'],
    "with process metrics, promtool finds exactly what it finds in prom-client's own default metrics",
    async ({ promtool }) => {
      h = await Harness.start({ ttlMs: 60_000, exporterMetrics: true });
      const text = await scenario();
      expect(text).toContain('process_cpu_seconds_total');
      // prom-client names three gauges with _total (nodejs_active_handles_total, …), which
      // promtool's lint reports; the exporter serves them as prom-client makes them.
      const register = new Registry();
      collectDefaultMetrics({ register });
      const reference = runTool(promtool, ['check', 'metrics'], { input: await register.metrics() });
      expect(reference.output).toMatch(/nodejs_active_handles_total non-counter/);
      expect(runTool(promtool, ['check', 'metrics'], { input: text })).toEqual(reference);
    },
  );

  line.test(
    ['promtool'],
    'promtool rejects a broken exposition, so the check above can fail',
    ({ promtool }) => {
      const broken = '# HELP x_total A counter.\n# TYPE x_total gauge\nx_total 1\n';
      expect(runTool(promtool, ['check', 'metrics'], { input: broken }).status).not.toBe(0);
    },
  );
});
