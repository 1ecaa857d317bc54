import type { ChildProcess } from 'node:child_process';
import { balance, byToken, startFakeApi, type FakeApi } from '../test/helpers/fake-api';
import { describeEachLine } from '../test/helpers/prometheus-lines';
import type { PrometheusApi } from './prometheus-api';
import { Stack } from './processes';
import { byJob, diffSeries } from './sample-diff';
import { lowestUp, scrapedAtLeast, startExporter, startPrometheus, stateOf } from './scrape-stack';

/**
 * PROTOCOLS are the scrape_protocols values of Prometheus 3 whose formats the exporter
 * serves: OpenMetrics 1.0.0 (and 0.0.1, answered with 1.0.0) and the classic text format
 * (0.0.4, and 1.0.0, answered with 0.0.4). One job each, all scraping one exporter; the
 * classic 0.0.4 job, what every Prometheus reads, is the reference the others must match.
 */
const PROTOCOLS = [
  'PrometheusText0.0.4',
  'PrometheusText1.0.0',
  'OpenMetricsText1.0.0',
  'OpenMetricsText0.0.1',
];
const REFERENCE = 'PrometheusText0.0.4';
const OPENMETRICS = PROTOCOLS.filter((protocol) => protocol.startsWith('OpenMetrics'));

/**
 * steady tells which series hold the same value on every scrape, so that jobs scraping at
 * different moments must agree on it: every tensorpix_* series (the exporter serves them
 * from a cache that outlives the test), the process facts that never change, and `up`. The
 * other process_* and nodejs_* values (CPU, memory, event loop) move between any two
 * scrapes; for those, names and labels are compared, which still proves that each format
 * exposes them and Prometheus reads them alike. (--web.disable-exporter-metrics would make
 * every value comparable, but would leave the process metrics' own OpenMetrics untested.)
 */
const STEADY = ['up', 'process_start_time_seconds', 'process_max_fds', 'nodejs_version_info'];
const steady = (key: string) =>
  key.startsWith('tensorpix_') || STEADY.some((name) => key.startsWith(`${name}{`));

/**
 * VOLATILE series come and go with what the process is doing at the moment of a scrape:
 * active handles, requests and resources by type (the scrape's own file reads among them),
 * garbage collections by kind, and so the number of samples scraped. Jobs that scrape at
 * different moments see different ones, so they are left out of the sample comparison; the
 * metadata test still checks that every job reads their families alike.
 */
const VOLATILE =
  /^(nodejs_active_(handles|requests|resources)|nodejs_gc_duration_seconds_(bucket|sum|count)|scrape_[a-z_]+)\{/;

describeEachLine(['prometheus'], (line, binaries) => {
  if (Number((line.prometheusVersion ?? '0').split('.')[0]) < 3) {
    // Prometheus 2.42 refuses the whole configuration: "field scrape_protocols not found".
    test.skip(`scrape protocols: Prometheus ${line.prometheusVersion} has no scrape_protocols setting (2.49 added it); the 3.5 line runs this`, () =>
      undefined);
    return;
  }
  const stack = new Stack();
  let upstream: FakeApi;
  let exporter: string;
  let exporterProcess: ChildProcess;
  let prometheus: PrometheusApi;

  /** samplesAt reads every job's series at `time`: job → series key → value. */
  async function samplesAt(time?: number): Promise<Map<string, Map<string, string>>> {
    return byJob(await prometheus.query(`{instance="${exporter}"}`, time));
  }

  /** diffs compares every job with the reference job: one line per difference. */
  function diffs(jobs: Map<string, Map<string, string>>, compareValue: (key: string) => boolean): string[] {
    const reference = { job: REFERENCE, series: jobs.get(REFERENCE) ?? new Map<string, string>() };
    return PROTOCOLS.filter((job) => job !== REFERENCE).flatMap((job) =>
      diffSeries(reference, { job, series: jobs.get(job) ?? new Map<string, string>() }, compareValue),
    );
  }

  /** only keeps, in every job, the series whose key passes `keep`. */
  function only(jobs: Map<string, Map<string, string>>, keep: (key: string) => boolean) {
    return new Map(
      [...jobs].map(([job, series]) => [job, new Map([...series].filter(([key]) => keep(key)))]),
    );
  }

  beforeAll(async () => {
    upstream = await startFakeApi();
    // A balance with decimals, a negative one, and a revoked key (401): up 0, an error counted.
    upstream.reply(byToken({ funded: balance('1234.5678'), overdrawn: balance('-3.2500') }));
    // A 10-minute cache: each account is read once, so its series read the same on every scrape.
    ({ address: exporter, child: exporterProcess } = await startExporter(stack, {
      name: 'exporter',
      apiUrl: upstream.url,
      tokens: ['funded', 'overdrawn', 'revoked'],
      cacheTtl: '10m',
    }));
    const jobs = PROTOCOLS.map((protocol) => ({
      job_name: protocol,
      scrape_protocols: [protocol],
      static_configs: [{ targets: [exporter] }],
    }));
    prometheus = await startPrometheus(stack, { name: 'prometheus', binary: binaries.prometheus, jobs });
    await scrapedAtLeast(prometheus, PROTOCOLS, 3, stack);
  }, 60_000);

  afterAll(async () => {
    await stack.stop();
    await upstream?.close();
  }, 15_000);

  test('each protocol scrapes the exporter: up on every scrape, no scrape error', async () => {
    const targets = await prometheus.targets();
    const health = targets.map(({ labels, health, lastError }) => ({ job: labels.job, health, lastError }));
    expect({
      exporter: stateOf(exporterProcess),
      targets: health.sort((a, b) => String(a.job).localeCompare(String(b.job))),
    }).toEqual({
      exporter: 'running',
      targets: [...PROTOCOLS].sort().map((job) => ({ job, health: 'up', lastError: '' })),
    });
    expect(await lowestUp(prometheus, Date.now() / 1000)).toEqual(
      Object.fromEntries(PROTOCOLS.map((job) => [job, '1'])),
    );
  });

  test('each job was served the format it asked for, with the same families, types and help', async () => {
    const metadata = await prometheus.targetMetadata(`{instance="${exporter}"}`);
    const families = (job: string) =>
      metadata.filter((m) => m.target.job === job).map(({ metric, type, help }) => ({ metric, type, help }));
    // An OpenMetrics counter family is named without _total; the classic format names it as its samples.
    for (const job of PROTOCOLS) {
      const counter = OPENMETRICS.includes(job)
        ? 'tensorpix_upstream_requests'
        : 'tensorpix_upstream_requests_total';
      expect({
        job,
        families: families(job)
          .filter((f) => f.type === 'counter')
          .map((f) => f.metric),
      }).toEqual({
        job,
        families: expect.arrayContaining([counter]),
      });
    }
    const asClassic = (job: string) =>
      families(job)
        .map((f) => ({
          ...f,
          metric: f.type === 'counter' ? f.metric.replace(/(_total)?$/, '_total') : f.metric,
        }))
        .sort((a, b) => a.metric.localeCompare(b.metric));
    expect(asClassic(REFERENCE).length).toBeGreaterThan(10);
    for (const job of PROTOCOLS)
      expect({ job, families: asClassic(job) }).toEqual({ job, families: asClassic(REFERENCE) });
  });

  test('each protocol yields the samples of the classic format at one instant: names, labels, values', async () => {
    const jobs = only(await samplesAt(Date.now() / 1000), (key) => !VOLATILE.test(key));
    const reference = jobs.get(REFERENCE) ?? new Map<string, string>();
    // The instant holds what the test set up, so an empty or partial scrape cannot pass.
    expect([...reference.keys()]).toEqual(
      expect.arrayContaining([
        'tensorpix_credits_balance_usd{account="funded"}',
        'tensorpix_upstream_errors_total{account="revoked",code="401"}',
        'tensorpix_upstream_request_duration_seconds_bucket{account="funded",le="+Inf"}',
        'process_cpu_seconds_total{}',
        'nodejs_heap_space_size_used_bytes{space="old"}',
      ]),
    );
    expect(reference.get('tensorpix_credits_balance_usd{account="overdrawn"}')).toBe('-3.25');
    expect(diffs(jobs, steady)).toEqual([]);
  });
});
