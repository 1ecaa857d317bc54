import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parsePromQL } from '../promql';
import { writeOpenMetrics } from './openmetrics';
import { promtoolBackfill, type Binaries, type HistoricalPrometheus, type RangeSeries } from './prometheus';
import type { Series } from './simulate';

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
}

/** loadRules reads every rule of the given rule files, in file and group order. */
export function loadRules(paths: string[]): Rule[] {
  return paths.flatMap((path) =>
    (parse(readFileSync(path, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
      (group) => group.rules,
    ),
  );
}

/** levels orders recording rules so that each comes after every recorded series it reads. */
export function levels(rules: Rule[]): Rule[][] {
  const recording = rules.filter((rule) => rule.record);
  const recorded = new Set(recording.map((rule) => rule.record!));
  const done = new Set<string>();
  const result: Rule[][] = [];
  let left = recording;
  while (left.length > 0) {
    const ready = left.filter((rule) =>
      parsePromQL(rule.expr).every(({ metric }) => !recorded.has(metric) || done.has(metric)),
    );
    if (ready.length === 0)
      throw new Error(`recording rules depend on each other in a cycle: ${left[0]!.record}`);
    result.push(ready);
    // Rules of one name (a default and its overrides) are one level: all are written before any reader.
    for (const rule of ready) done.add(rule.record!);
    left = left.filter((rule) => !ready.includes(rule));
  }
  return result;
}

/**
 * backfillRecordingRules evaluates every recording rule over [start, end] as Prometheus
 * would have every `step`, writes the results as blocks, and restarts Prometheus to load
 * them, one level of dependencies at a time. (`promtool tsdb create-blocks-from rules` does
 * the same, but writes one block per rule per 2 h and cannot backfill a rule that reads
 * another in one pass: half a minute and ~340 blocks for this week.)
 */
export async function backfillRecordingRules(
  binaries: Binaries,
  prometheus: HistoricalPrometheus,
  rules: Rule[],
  range: { start: number; end: number; step: number },
  workDir: string,
): Promise<void> {
  for (const [index, level] of levels(rules).entries()) {
    const series: Series[] = [];
    for (const rule of level) {
      const result: RangeSeries[] = await prometheus.queryRange(
        rule.expr,
        range.start,
        range.end,
        range.step,
      );
      for (const { metric, points } of result) {
        const labels = withoutName(metric);
        series.push({
          name: rule.record!,
          labels: { ...labels, ...rule.labels },
          times: points.map(([t]) => t),
          values: points.map(([, v]) => v),
        });
      }
    }
    const file = join(workDir, `rules-${index}.om`);
    writeOpenMetrics(file, series);
    promtoolBackfill(binaries, file, prometheus.dataDir);
    await prometheus.restart();
  }
}

/** withoutName drops `__name__`: a recorded series takes the rule's name, an alert has none. */
function withoutName(metric: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metric).filter(([key]) => key !== '__name__'));
}

/** Firing is one stretch of time during which an alert fired for one label set. */
export interface Firing {
  alert: string;
  labels: Record<string, string>;
  from: number;
  /** to is the first evaluation at which it no longer fired (or the end of the range). */
  to: number;
}

/** durationSeconds reads a `for:` duration as Prometheus writes them (`15m`, `1h30m`). */
export function durationSeconds(text: string | undefined): number {
  if (!text) return 0;
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g))
    total += Number(amount) * units[unit!]!;
  return total;
}

/**
 * evaluateAlerts replays every alerting rule over the range as the rule manager does at
 * each evaluation: a label set returned by the expression is pending from its first
 * evaluation, firing once it has been returned for `for:`, and resolved at the first
 * evaluation that does not return it, or, with `keep_firing_for:`, once it has not been
 * returned for that long (a pending alert is dropped at once, as Prometheus does).
 */
export async function evaluateAlerts(
  prometheus: HistoricalPrometheus,
  rules: Rule[],
  range: { start: number; end: number; step: number },
): Promise<Firing[]> {
  const firings: Firing[] = [];
  for (const rule of rules.filter((r) => r.alert)) {
    const hold = durationSeconds(rule.for);
    const keep = durationSeconds(rule.keep_firing_for);
    for (const { metric, points } of await prometheus.queryRange(
      rule.expr,
      range.start,
      range.end,
      range.step,
    )) {
      const labels = withoutName(metric);
      let activeAt: number | undefined;
      let previous: number | undefined;
      let firing: Firing | undefined;
      for (const [t] of points) {
        if (previous !== undefined && t - previous > range.step) {
          // Not returned from previous + step on: resolved `keep` later, unless returned again by then.
          const missingFrom = previous + range.step;
          if (firing && t - missingFrom >= keep) {
            firings.push({ ...firing, to: missingFrom + keep });
            firing = undefined;
          }
          if (!firing) activeAt = undefined;
        }
        activeAt ??= t;
        if (!firing && t - activeAt >= hold) firing = { alert: rule.alert!, labels, from: t, to: t };
        previous = t;
      }
      if (firing && previous !== undefined)
        firings.push({ ...firing, to: Math.min(previous + range.step + keep, range.end) });
    }
  }
  return firings;
}
