import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadDashboard, panelsOf, type Panel } from '../dashboard';
import { checkEpisodes, checkFirings, episodeOf } from './alert-expectations';
import { Facts } from './facts';
import { writeOpenMetrics } from './openmetrics';
import { HistoricalPrometheus, promtoolBackfill, type Binaries } from './prometheus';
import { runPanelQueries, summary } from './panel-queries';
import { PURPOSES, type QueryResult } from './purposes';
import { backfillRecordingRules, evaluateAlerts, loadRules, type Firing, type Rule } from './rules';
import { EPISODES, SCRAPE_INTERVAL, STUDIO_OVERRIDES, WEEK_END, WEEK_START } from './scenario';
import { simulateWeek } from './simulate';
import { formatTable, weekTime } from './table';

const REPO = join(__dirname, '..', '..', '..');
export const ALERTS_FILE = join(REPO, 'prometheus', 'alerts.yml');

/** writeStudioOverrides writes the studio's thresholds as an operator would, in a rule file of their own. */
function writeStudioOverrides(dir: string): string {
  const override = (record: string, value: number) => ({
    record,
    expr: `vector(${value})`,
    labels: { account: 'studio' },
  });
  const path = join(dir, 'thresholds.yml');
  const rules = [
    override('tensorpix:credits_low_threshold_usd', STUDIO_OVERRIDES.low),
    override('tensorpix:credits_critical_threshold_usd', STUDIO_OVERRIDES.critical),
    override('tensorpix:credits_depletion_threshold_seconds', STUDIO_OVERRIDES.depletionSeconds),
  ];
  writeFileSync(path, stringify({ groups: [{ name: 'studio-thresholds', rules }] }));
  return path;
}

/** staticThresholdsOf are the threshold lines a time series panel draws from its field config. */
function staticThresholdsOf(
  panel: Panel & { fieldConfig?: { defaults?: { custom?: { thresholdsStyle?: { mode?: string } } } } },
) {
  if ((panel.fieldConfig?.defaults?.custom?.thresholdsStyle?.mode ?? 'off') === 'off') return [];
  return (panel.fieldConfig?.defaults?.thresholds?.steps ?? []).flatMap((step) =>
    step.value === null ? [] : [step.value],
  );
}

/**
 * describeDashboardWeek generates the week, backfills it into a real Prometheus (the given
 * binaries, so the same test runs on any Prometheus version), sends every panel's every
 * query as Grafana would, checks what each panel is for, and replays every alert.
 */
export function describeDashboardWeek(binaries: Binaries, label: string): void {
  const dashboard = loadDashboard();
  const panels = panelsOf(dashboard);

  describe(`the dashboard and the alerts over a generated week (${label})`, () => {
    let dir = '';
    let prometheus: HistoricalPrometheus;
    let facts: Facts;
    let results: QueryResult[] = [];
    const verdicts: string[][] = [];
    let rules: Rule[] = [];
    let firings: Firing[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tensorpix-week-'));
      prometheus = new HistoricalPrometheus(binaries, dir);
      facts = new Facts(simulateWeek());
      const history = join(dir, 'week.om');
      writeOpenMetrics(history, facts.week.series);
      promtoolBackfill(binaries, history, prometheus.dataDir);
      rm(history);
      await prometheus.start();
      rules = loadRules([ALERTS_FILE, writeStudioOverrides(dir)]);
      const range = { start: WEEK_START, end: WEEK_END, step: SCRAPE_INTERVAL };
      await backfillRecordingRules(binaries, prometheus, rules, range, dir);
      results = await runPanelQueries(prometheus, panels);
      firings = await evaluateAlerts(prometheus, rules, range);
    }, 90_000);

    afterAll(async () => {
      await prometheus?.stop();
      if (dir) rm(dir);
      const rows = results.map((r) => [
        r.panel,
        `${r.refId} ${r.expr}`,
        r.grafana,
        r.view.name,
        r.setting,
        summary(r),
      ]);
      const alerts = firings.map((f) => [
        f.alert,
        f.labels.account ?? '',
        weekTime(f.from),
        weekTime(f.to),
        episodeOf(f)?.what ?? 'NONE',
      ]);
      console.log(
        [
          `The dashboard over the generated week (${label})`,
          formatTable(['panel', 'query', 'grafana', 'view', 'accounts', 'result'], rows),
          formatTable(['panel', 'for', 'verdict'], verdicts, 170),
          formatTable(['alert', 'account', 'fired from', 'until', 'episode'], alerts),
        ].join('\n\n'),
      );
    }, 15_000);

    test('every query of every panel answers in both views, for all accounts and for one, with the labels its legend names', () => {
      const failures: string[] = [];
      for (const r of results) {
        const where = `${r.panel} ${r.refId} ${r.grafana} ${r.view.name} ${r.setting}`;
        if (r.error) failures.push(`${where}: ${r.error}`);
        const target = panels.find((p) => p.title === r.panel)?.targets?.find((t) => t.refId === r.refId);
        for (const [, label] of (target?.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g))
          if (r.series.some((s) => s.metric[label!] === undefined))
            failures.push(`${where}: legend names {{${label}}}, absent`);
        if (
          r.setting !== 'All' &&
          r.series.some((s) => s.metric.account !== undefined && s.metric.account !== r.setting)
        )
          failures.push(`${where}: shows another account than the selected one`);
      }
      expect(failures).toEqual([]);
    });

    test.each(panels.map((panel) => [panel.title ?? '']))(
      '%s does what it is for, over the week',
      async (title) => {
        const purposes = PURPOSES[title];
        if (!purposes) {
          verdicts.push([title, '(no purpose written)', 'FAIL']);
          throw new Error(
            `no purpose is checked for the panel "${title}": add one to test/helpers/week/purposes.ts`,
          );
        }
        const panel = panels.find((p) => p.title === title)!;
        const failures: string[] = [];
        for (const purpose of purposes) {
          const found = await purpose.check({
            results: results.filter((r) => r.panel === title),
            facts,
            prometheus,
            staticThresholds: staticThresholdsOf(panel),
            alertEstimate: depletionEstimate(rules),
          });
          verdicts.push([
            title,
            purpose.what,
            found.length === 0
              ? 'ok'
              : `FAIL: ${found[0]}${found.length > 1 ? ` (+${found.length - 1})` : ''}`,
          ]);
          failures.push(...found);
        }
        expect(failures).toEqual([]);
      },
    );

    test('every alert fires at most once per episode of the week, and never outside one', () => {
      expect(checkEpisodes(firings)).toEqual([]);
      // Every episode of the week pages.
      const silent = EPISODES.filter((e) => !firings.some((f) => episodeOf(f) === e));
      expect(silent).toEqual([]);
    });

    test('the alerts fire over the week as it was generated', () => {
      expect(firings.length).toBeGreaterThan(0);
      expect(checkFirings(facts, firings, rules)).toEqual([]);
    });
  });
}

/** depletionEstimate is TensorPixCreditsDepletingSoon's expression without its comparison (and guard): seconds left. */
function depletionEstimate(rules: Rule[]): string {
  const expr = rules.find((r) => r.alert === 'TensorPixCreditsDepletingSoon')?.expr ?? '';
  const match =
    /^([\s\S]+?)\s*<\s*tensorpix:credits_depletion_threshold_seconds:effective(\s+and on [\s\S]*)?\s*$/.exec(
      expr.trim(),
    );
  if (!match) throw new Error(`TensorPixCreditsDepletingSoon no longer compares with its horizon: ${expr}`);
  return match[1]!;
}

function rm(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
