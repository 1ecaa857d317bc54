import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export const REPO = join(__dirname, '..');

/**
 * shortenedRules copies the shipped rules with every `for:` cut to 1s, so alerts fire in
 * seconds; thresholds and expressions stay exactly as shipped.
 */
export function writeShortenedRules(dir: string): string {
  const rules = parse(readFileSync(join(REPO, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<Record<string, unknown>> }>;
  };
  for (const group of rules.groups) {
    for (const rule of group.rules) {
      if (rule.alert && rule.for) rule.for = '1s';
      // Hysteresis would hold a resolved alert for minutes; the test waits seconds.
      if (rule.alert && rule.keep_firing_for) rule.keep_firing_for = '1s';
    }
  }
  const path = join(dir, 'alerts.yml');
  writeFileSync(path, stringify(rules));
  return path;
}

export function writePrometheusConfig(
  dir: string,
  options: { exporter: string; alertmanager: string; rules: string | string[] },
): string {
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ([] as string[]).concat(options.rules),
    alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] },
    scrape_configs: [
      { job_name: 'tensorpix', scrape_timeout: '1s', static_configs: [{ targets: [options.exporter] }] },
    ],
  };
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, stringify(config));
  return path;
}

/** writeThresholdOverrides writes per-account low thresholds as an operator would, in a rule file of their own. */
export function writeThresholdOverrides(dir: string, lowUsd: Record<string, number>): string {
  const rules = Object.entries(lowUsd).map(([account, usd]) => ({
    record: 'tensorpix:credits_low_threshold_usd',
    expr: `vector(${usd})`,
    labels: { account },
  }));
  const path = join(dir, 'thresholds.yml');
  writeFileSync(path, stringify({ groups: [{ name: 'thresholds', rules }] }));
  return path;
}

export function writeAlertmanagerConfig(dir: string, webhookUrl: string): string {
  const config = {
    route: {
      receiver: 'test',
      group_by: ['alertname', 'account'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'test', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  };
  const path = join(dir, 'alertmanager.yml');
  writeFileSync(path, stringify(config));
  return path;
}
