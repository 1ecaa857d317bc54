import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { after, balance, byToken, startFakeApi, type FakeApi } from '../test/helpers/fake-api';
import { loadDashboard, queriesOf, substitute } from '../test/helpers/dashboard';
import { describeEachLine } from '../test/helpers/prometheus-lines';
import type { PrometheusApi } from './prometheus-api';
import { poll, Stack } from './processes';
import { lowestUp, scrapedAtLeast, startExporter, startPrometheus, stateOf } from './scrape-stack';

const HISTOGRAM = 'tensorpix_upstream_request_duration_seconds';
// Every request takes 150 ms, so every observation lies in the (0.1, 0.25] bucket and any
// quantile Prometheus computes from the buckets must too.
const DELAY_MS = 150;
const BUCKET = { above: 0.1, upTo: 0.25 };

/**
 * JOBS scrape the exporter with native histograms enabled, in each way an operator turns
 * them on: the default protocols (which then ask for protobuf first), classic histograms
 * kept beside native ones, and classic histograms converted to native histograms with
 * custom buckets (NHCB) — each under both parsers, OpenMetrics and the classic text format.
 */
const PARSERS = ['OpenMetricsText1.0.0', 'PrometheusText0.0.4'];
const JOBS: Array<Record<string, unknown> & { job_name: string }> = [
  { job_name: 'native-histograms' },
  ...PARSERS.flatMap((protocol) => [
    {
      job_name: `always-classic/${protocol}`,
      scrape_protocols: [protocol],
      always_scrape_classic_histograms: true,
    },
    {
      job_name: `nhcb/${protocol}`,
      scrape_protocols: [protocol],
      always_scrape_classic_histograms: true,
      convert_classic_histograms_to_nhcb: true,
    },
  ]),
];
const NAMES = JOBS.map((job) => job.job_name);

/** leValues lists a histogram's bucket bounds as numbers, in order, however they are written (1, 1.0, +Inf). */
function leValues(les: string[]): number[] {
  return les.map((le) => (le === '+Inf' ? Infinity : Number(le))).sort((a, b) => a - b);
}

describeEachLine(['prometheus'], (line, binaries) => {
  if (Number((line.prometheusVersion ?? '0').split('.')[0]) < 3) {
    // always_scrape_classic_histograms and convert_classic_histograms_to_nhcb came with 3.0.
    test.skip(`native histograms: Prometheus ${line.prometheusVersion} has no always_scrape_classic_histograms or NHCB; the 3.5 line runs this`, () =>
      undefined);
    return;
  }
  const stack = new Stack();
  let upstream: FakeApi;
  let exporter: string;
  let exporterProcess: ChildProcess;
  let prometheus: PrometheusApi;

  beforeAll(async () => {
    upstream = await startFakeApi();
    upstream.reply(byToken({ slow: after(DELAY_MS, balance('77.0000')) }));
    // No cache: every scrape makes a request, so the histogram has a rate to take a quantile of.
    ({ address: exporter, child: exporterProcess } = await startExporter(stack, {
      name: 'exporter',
      apiUrl: upstream.url,
      tokens: ['slow'],
      cacheTtl: '0s',
    }));
    const jobs = JOBS.map((job) => ({ ...job, static_configs: [{ targets: [exporter] }] }));
    prometheus = await startPrometheus(stack, {
      name: 'prometheus',
      binary: binaries.prometheus,
      jobs,
      flags: ['--enable-feature=native-histograms'],
    });
    await scrapedAtLeast(prometheus, NAMES, 3, stack);
  }, 60_000);

  afterAll(async () => {
    await stack.stop();
    await upstream?.close();
  }, 15_000);

  test('every job is up on every scrape, with no scrape error', async () => {
    const targets = await prometheus.targets();
    expect({
      exporter: stateOf(exporterProcess),
      targets: Object.fromEntries(
        targets.map((t) => [t.labels.job, { health: t.health, lastError: t.lastError }]),
      ),
    }).toEqual({
      exporter: 'running',
      targets: Object.fromEntries(NAMES.map((job) => [job, { health: 'up', lastError: '' }])),
    });
    expect(await lowestUp(prometheus, Date.now() / 1000)).toEqual(
      Object.fromEntries(NAMES.map((job) => [job, '1'])),
    );
  });

  test('every job keeps the classic buckets the exporter serves', async () => {
    const { body } = await request(`http://${exporter}/metrics`);
    const served = [
      ...(await body.text()).matchAll(new RegExp(`^${HISTOGRAM}_bucket\\{.*le="([^"]+)"\\}`, 'gm')),
    ];
    expect(served.length).toBeGreaterThan(2);
    for (const job of NAMES) {
      const stored = await prometheus.query(`${HISTOGRAM}_bucket{job="${job}"}`);
      expect({ job, le: leValues(stored.map((s) => s.metric.le ?? '')) }).toEqual({
        job,
        le: leValues(served.map((m) => m[1]!)),
      });
    }
  });

  test("the dashboard's latency quantiles answer from every job, inside the bucket of every request", async () => {
    const latency = queriesOf(loadDashboard()).filter(({ expr }) => expr.includes(`${HISTOGRAM}_bucket`));
    expect(latency.length).toBeGreaterThan(0);
    for (const job of NAMES) {
      for (const { title, expr } of latency) {
        const concrete = substitute(expr, { job, instance: exporter, account: 'slow', interval: '1m' });
        const value = await poll(
          `${job}: "${title}" ${concrete}`,
          15_000,
          async () => {
            const [sample] = await prometheus.query(concrete);
            return sample && Number.isFinite(Number(sample.value)) ? Number(sample.value) : undefined;
          },
          stack,
        );
        expect({ job, expr: concrete, inBucket: value > BUCKET.above && value <= BUCKET.upTo }).toEqual({
          job,
          expr: concrete,
          inBucket: true,
        });
      }
    }
  }, 60_000);

  test('with NHCB, the native histogram answers the same quantile too', async () => {
    for (const job of NAMES.filter((name) => name.startsWith('nhcb/'))) {
      const expr = `histogram_quantile(0.9, sum by (account) (rate(${HISTOGRAM}{job="${job}"}[1m])))`;
      const value = await poll(
        `${job}: ${expr}`,
        15_000,
        async () => {
          const [sample] = await prometheus.query(expr);
          return sample && Number.isFinite(Number(sample.value)) ? Number(sample.value) : undefined;
        },
        stack,
      );
      expect({ job, expr, inBucket: value > BUCKET.above && value <= BUCKET.upTo }).toEqual({
        job,
        expr,
        inBucket: true,
      });
    }
  }, 40_000);
});
