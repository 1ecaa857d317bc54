import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { request } from 'undici';
import { balance, startFakeApi, type FakeApi } from '../test/helpers/fake-api';
import { loadDashboard, queriesOf, substitute } from '../test/helpers/dashboard';
import { describeEachLine } from '../test/helpers/prometheus-lines';
import { runTool } from '../test/helpers/promtool';
import { freePort, poll, Stack } from './processes';
import {
  REPO,
  writeAlertmanagerConfig,
  writePrometheusConfig,
  writeShortenedRules,
  writeThresholdOverrides,
} from './stack-config';
import { startWebhookReceiver, type WebhookAlert } from './webhook-receiver';

async function json<T>(url: string): Promise<T> {
  const { statusCode, body } = await request(url);
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`${url} answered ${statusCode}: ${text}`);
  return JSON.parse(text) as T;
}

// Every test runs against each Prometheus line in turn (see test/helpers/prometheus-lines.ts):
// a stack of its own per line, started and stopped around that line's tests.
describeEachLine(['prometheus', 'promtool', 'alertmanager'], (_line, binaries) => {
  const stack = new Stack();
  let upstream: FakeApi;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let exporterAddress: string;
  let prometheusUrl: string;
  // Three accounts: "low-team" spends a cent per request and can be topped up by the test;
  // "rich-team" sits at 500 USD with a low threshold of its own at 1000 USD, so it is low;
  // "mid-team" sits at 50 USD under the default threshold (20) and must never be named by a
  // credits alert.
  let lowBalance = 12;

  async function instantQuery(expr: string): Promise<unknown[]> {
    const result = await json<{ data: { result: unknown[] } }>(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    return result.data.result;
  }

  beforeAll(async () => {
    upstream = await startFakeApi();
    upstream.reply((req, res) => {
      if (req.headers.authorization === 'Token rich-token') return balance('500.0000')(req, res);
      if (req.headers.authorization === 'Token mid-token') return balance('50.0000')(req, res);
      lowBalance -= 0.01;
      balance(lowBalance.toFixed(4))(req, res);
    });
    webhook = await startWebhookReceiver();
    const [exporterPort, prometheusPort, alertmanagerPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
    ]);
    exporterAddress = `127.0.0.1:${exporterPort}`;
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    const alertmanagerAddress = `127.0.0.1:${alertmanagerPort}`;

    const dir = stack.tempDir('stack');
    // Tokens come from files listed in a config file, as operators are told to do it.
    writeFileSync(join(dir, 'low.token'), 'low-token\n', { mode: 0o600 });
    writeFileSync(join(dir, 'rich.token'), 'rich-token\n', { mode: 0o600 });
    writeFileSync(join(dir, 'mid.token'), 'mid-token\n', { mode: 0o600 });
    const accounts = join(dir, 'accounts.yml');
    writeFileSync(
      accounts,
      `api_url: ${upstream.url}\naccounts:\n  - {name: low-team, token_file: low.token}\n  - {name: rich-team, token_file: rich.token}\n  - {name: mid-team, token_file: mid.token}\n`,
    );
    stack.start('exporter', process.execPath, [
      join(REPO, 'dist', 'main.js'),
      `--web.listen-address=${exporterAddress}`,
      `--config.file=${accounts}`,
      '--cache.ttl=0s',
      '--log.format=logfmt',
    ]);
    const amConfig = writeAlertmanagerConfig(dir, webhook.url);
    stack.start('alertmanager', binaries.alertmanager, [
      `--config.file=${amConfig}`,
      `--storage.path=${stack.tempDir('am-data')}`,
      `--web.listen-address=${alertmanagerAddress}`,
      '--cluster.listen-address=',
    ]);
    const rules = [writeShortenedRules(dir), writeThresholdOverrides(dir, { 'rich-team': 1000 })];
    const promConfig = writePrometheusConfig(dir, {
      exporter: exporterAddress,
      alertmanager: alertmanagerAddress,
      rules,
    });
    stack.start('prometheus', binaries.prometheus, [
      `--config.file=${promConfig}`,
      `--storage.tsdb.path=${stack.tempDir('prom-data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
    ]);
  }, 30_000);

  afterAll(async () => {
    await stack.stop();
    await webhook?.close();
    await upstream?.close();
  }, 15_000);

  test('low credits of one account page through Prometheus and Alertmanager, naming that account, and resolve after a top-up', async () => {
    const firing = await poll<WebhookAlert>(
      'TensorPixCreditsLow to fire',
      45_000,
      async () =>
        webhook.alerts.find(
          (a) =>
            a.labels.alertname === 'TensorPixCreditsLow' &&
            a.labels.account === 'low-team' &&
            a.status === 'firing',
        ),
      stack,
    );
    expect(firing.labels).toMatchObject({
      account: 'low-team',
      severity: 'warning',
      job: 'tensorpix',
      instance: exporterAddress,
    });
    expect(firing.annotations.description).toMatch(/account low-team is/);
    expect(firing.annotations.description).toMatch(/\$1[12]\.\d/);
    expect(firing.annotations.summary).toMatch(/\.$/);

    lowBalance = 100;
    const resolved = await poll<WebhookAlert>(
      'TensorPixCreditsLow to resolve',
      30_000,
      async () =>
        webhook.alerts.find(
          (a) =>
            a.labels.alertname === 'TensorPixCreditsLow' &&
            a.labels.account === 'low-team' &&
            a.status === 'resolved',
        ),
      stack,
    );
    expect(resolved.labels.account).toBe('low-team');
    // The account under the default threshold was never named by a credits alert.
    const aboutMid = webhook.alerts.filter(
      (a) => a.labels.account === 'mid-team' && /^TensorPixCredits/.test(a.labels.alertname!),
    );
    expect(aboutMid).toEqual([]);
  }, 90_000);

  test('an account whose own low threshold is above its balance is low, whatever the default', async () => {
    const firing = await poll<WebhookAlert>(
      'TensorPixCreditsLow to fire for rich-team',
      30_000,
      async () =>
        webhook.alerts.find(
          (a) =>
            a.labels.alertname === 'TensorPixCreditsLow' &&
            a.labels.account === 'rich-team' &&
            a.status === 'firing',
        ),
      stack,
    );
    expect(firing.annotations.description).toMatch(
      /is \$500\.00, below its warning threshold of\s+\$1000\.00/,
    );
    expect(webhook.alerts.filter((a) => a.labels.account === 'mid-team')).toEqual([]);
  }, 45_000);

  test('every dashboard query returns data from the real Prometheus', async () => {
    const values = { job: 'tensorpix', instance: exporterAddress, account: 'low-team', interval: '1m' };
    const queries = queriesOf(loadDashboard());
    expect(queries.length).toBeGreaterThan(0);
    for (const { title, expr } of queries) {
      const concrete = substitute(expr, values);
      const result = await poll(`data for panel "${title}": ${concrete}`, 20_000, async () => {
        const series = await instantQuery(concrete);
        return series.length > 0 ? series : undefined;
      });
      expect(result.length).toBeGreaterThan(0);
    }
  }, 60_000);

  test("promtool check metrics on the live /metrics finds only what it finds in prom-client's own default metrics", async () => {
    const { body } = await request(`http://${exporterAddress}/metrics`);
    const check = runTool(binaries.promtool, ['check', 'metrics'], { input: await body.text() });
    // prom-client names three gauges with _total (nodejs_active_handles_total, …), which
    // promtool's lint reports; the exporter serves its default metrics as prom-client makes them.
    const register = new Registry();
    collectDefaultMetrics({ register });
    const reference = runTool(binaries.promtool, ['check', 'metrics'], { input: await register.metrics() });
    expect(reference.output).toMatch(/nodejs_active_handles_total non-counter/);
    expect(check).toEqual(reference);
  });
});
