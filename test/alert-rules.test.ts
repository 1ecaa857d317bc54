import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { anchorsOf } from './helpers/markdown-links';
import { describeEachLine } from './helpers/prometheus-lines';
import { runTool } from './helpers/promtool';

const PROMETHEUS_DIR = join(__dirname, '..', 'prometheus');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (
  parse(readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as {
    groups: Array<{ name: string; rules: Rule[] }>;
  }
).groups;
const alerts = rules.flatMap((group) => group.rules).filter((rule) => rule.alert);

const EXPECTED = [
  'TensorPixCreditsLow',
  'TensorPixCreditsCritical',
  'TensorPixCreditsDepletingSoon',
  'TensorPixSpendSurge',
  'TensorPixExporterDown',
  'TensorPixBalanceStale',
  'TensorPixAPIAuthFailing',
  'TensorPixAPIRateLimited',
];

test('one tensorpix group with every alert of the contract', () => {
  expect(rules.map((group) => group.name)).toEqual(['tensorpix']);
  expect(alerts.map((rule) => rule.alert).sort()).toEqual([...EXPECTED].sort());
});

// mixtool's lint rules for alerts, and ours for the annotations.
test.each(alerts.map((rule) => [rule.alert!, rule]))('%s follows the alert conventions', (name, rule) => {
  expect(name).toMatch(/^TensorPix([A-Z][a-z0-9]*|API)+$/);
  expect(['warning', 'critical']).toContain(rule.labels?.severity);
  const { summary, description, runbook_url: runbook } = rule.annotations ?? {};
  expect(summary).toMatch(/\.$/);
  expect(summary).not.toContain('{{');
  expect(description).toMatch(/\{\{.*\}\}/);
  // A down exporter has no account and no value to tell; every other alert names both.
  if (name !== 'TensorPixExporterDown') {
    expect(description).toContain('$labels.account');
    expect(description).toMatch(/\$value/);
  }
  expect(rule.for).toMatch(/^\d+[mh]$/);
  expect(runbook).toBe(
    `https://github.com/tensorpix-exporter/tensorpix-exporter/blob/main/docs/runbooks.md#${name.toLowerCase()}`,
  );
});

test("every alert's runbook_url lands on a section of docs/runbooks.md", () => {
  const anchors = anchorsOf(readFileSync(join(__dirname, '..', 'docs', 'runbooks.md'), 'utf8'));
  for (const rule of alerts) expect(anchors).toContain(rule.alert!.toLowerCase());
});

test('promtool test rules has a firing and a quiet case for every alert', () => {
  const tests = ['alerts.test.yml', 'alerts.history.test.yml']
    .map((file) => readFileSync(join(PROMETHEUS_DIR, file), 'utf8'))
    .join('\n');
  for (const name of EXPECTED) {
    // A case that expects the alert with labels, and one that expects it with no alerts.
    expect(tests).toMatch(new RegExp(`alertname: ${name}\\s*\\n\\s*exp_alerts:\\s*\\n\\s*- exp_labels`));
    expect(tests).toMatch(new RegExp(`alertname: ${name}\\s*\\n\\s*exp_alerts: \\[\\]`));
  }
});

describeEachLine((line) => {
  const inPrometheusDir = { cwd: PROMETHEUS_DIR };
  line.test(
    ['promtool'],
    'per-account thresholds: the example overrides pass the linter, and their promtool tests pass',
    ({ promtool }) => {
      const check = runTool(
        promtool,
        ['check', 'rules', '--lint=all', '--lint-fatal', 'thresholds.example.yml'],
        inPrometheusDir,
      );
      expect(check).toMatchObject({ status: 0 });
      const tests = readFileSync(join(PROMETHEUS_DIR, 'thresholds.test.yml'), 'utf8');
      // The cases the pattern must hold in (default only is in alerts.test.yml).
      for (const name of ['raises the thresholds', 'lowers the thresholds', 'does not watch'])
        expect(tests).toMatch(new RegExp(`- name: an override .*${name}`));
      const result = runTool(promtool, ['test', 'rules', 'thresholds.test.yml'], inPrometheusDir);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status).toBe(0);
    },
  );

  line.test(['promtool'], 'promtool check rules --lint=all --lint-fatal passes', ({ promtool }) => {
    const result = runTool(
      promtool,
      ['check', 'rules', '--lint=all', '--lint-fatal', 'alerts.yml'],
      inPrometheusDir,
    );
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  line.test(['promtool'], 'promtool test rules passes', ({ promtool }) => {
    const result = runTool(promtool, ['test', 'rules', 'alerts.test.yml'], inPrometheusDir);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  // The cases that need a day of history (forecast, spend surge), in a file of their own that
  // evaluates every 3 minutes: a day of evaluations every minute is slow on a shared machine.
  line.test(
    ['promtool'],
    'promtool test rules passes for the cases with a day of history',
    ({ promtool }) => {
      const result = runTool(promtool, ['test', 'rules', 'alerts.history.test.yml'], inPrometheusDir);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status).toBe(0);
    },
  );

  line.test(
    ['promtool'],
    'the example Prometheus configuration passes promtool check config',
    ({ promtool }) => {
      const result = runTool(promtool, ['check', 'config', 'prometheus.example.yml'], inPrometheusDir);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status).toBe(0);
    },
  );

  line.test(['amtool'], 'the example Alertmanager configuration passes amtool check-config', ({ amtool }) => {
    const result = runTool(amtool, ['check-config', 'alertmanager.example.yml'], inPrometheusDir);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });
});
