import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDashboard, panelsOf, queriesOf, substitute, type Dashboard } from './helpers/dashboard';
import { knownMetrics } from './helpers/known-metrics';
import { parsePromQL } from './helpers/promql';

// The rules of grafana/dashboard-linter, checked on the bundled dashboard.
const dashboard: Dashboard = loadDashboard();
const panels = panelsOf(dashboard);
const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
const concrete = (expr: string) =>
  substitute(expr, { job: 'tensorpix', instance: 'host:10863', account: 'default', interval: '5m' });

test('importable through the UI and provisionable from a file: fixed uid, schema 39, tags, not editable, no __inputs', () => {
  expect(dashboard.uid).toBe('tensorpix-exporter');
  expect(dashboard.schemaVersion).toBe(39);
  expect(dashboard.editable).toBe(false);
  expect(dashboard.tags.length).toBeGreaterThan(0);
  expect(dashboard.__inputs).toBeUndefined();
  expect(JSON.stringify(dashboard)).not.toContain('${DS_');
});

test('template variables: a Prometheus datasource, then job, instance and account as multi-value queries with All = .+', () => {
  expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
  for (const name of ['job', 'instance', 'account']) {
    expect(variables.get(name)).toMatchObject({
      type: 'query',
      multi: true,
      includeAll: true,
      allValue: '.+',
      refresh: 2,
    });
    expect(JSON.stringify(variables.get(name)!.datasource)).toContain('${datasource}');
  }
});

test.each(panels.map((panel) => [panel.title ?? '(untitled)', panel]))(
  'panel %s has a title, a description, a unit and the datasource variable',
  (_title, panel) => {
    expect(panel.title).toBeTruthy();
    expect(panel.description).toBeTruthy();
    expect(panel.fieldConfig?.defaults?.unit).toBeTruthy();
    expect(panel.datasource?.uid).toBe('${datasource}');
    for (const target of panel.targets ?? []) {
      expect(target.refId).toBeTruthy();
      expect(target.expr).toBeTruthy();
      expect(target.legendFormat).toBeDefined();
      if (target.datasource) expect(target.datasource.uid).toBe('${datasource}');
    }
  },
);

test.each(queriesOf(dashboard).map(({ title, expr }) => [title, expr]))('%s: %s', (title, expr) => {
  // Every range function uses $__rate_interval, or a fixed window that the panel's
  // description names (dashboard-linter's documented exception).
  const description = panels.find((panel) => panel.title === title)?.description ?? '';
  for (const match of expr.matchAll(/\b(rate|irate|increase)\s*\(/g)) {
    const rest = expr.slice(match.index);
    const window = /\[([^\]]+)\]/.exec(rest)![1]!;
    if (window !== '$__rate_interval') expect(description).toContain(window);
  }
  for (const selector of parsePromQL(concrete(expr))) {
    // Every selector is filtered by the dashboard's job and instance (and account, where it has one).
    expect(selector.labels).toEqual(expect.arrayContaining(['job', 'instance']));
    if (selector.metric.startsWith('tensorpix_') && !selector.metric.startsWith('tensorpix_exporter_')) {
      expect(selector.labels).toContain('account');
    }
    // A counter is only read through rate() or increase().
    if (selector.metric.endsWith('_total') || selector.metric.endsWith('_bucket')) {
      expect(['rate', 'irate', 'increase']).toContain(selector.rangeFunction);
    }
  }
  expect(expr).toMatch(/job=~"\$job"/);
  expect(expr).toMatch(/instance=~"\$instance"/);
});

test('every metric the dashboard, its variables and the alert rules name is one the exporter exposes', async () => {
  const known = await knownMetrics();
  const rules = parse(readFileSync(join(__dirname, '..', 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ expr: string }> }>;
  };
  const variableQueries = ['job', 'instance', 'account'].map((name) => {
    const inner = /^label_values\((.*),\s*\w+\)$/.exec(String(variables.get(name)!.query));
    expect(inner).not.toBeNull();
    return concrete(inner![1]!);
  });
  const exprs = [
    ...queriesOf(dashboard).map(({ expr }) => concrete(expr)),
    ...variableQueries,
    ...rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
  ];
  const unknown = exprs
    .flatMap((expr) => parsePromQL(expr).map((s) => s.metric))
    .filter((name) => name && !known.has(name));
  expect(unknown).toEqual([]);
});

test('a misspelt metric in a dashboard query is caught', async () => {
  const known = await knownMetrics();
  const broken = concrete(
    queriesOf(dashboard)[0]!.expr.replace('tensorpix_credits_balance_usd', 'tensorpix_credit_balance_usd'),
  );
  expect(parsePromQL(broken).some((s) => !known.has(s.metric))).toBe(true);
});
