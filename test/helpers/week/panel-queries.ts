import type { Panel } from '../dashboard';
import { grafanaRequest, type Grafana, type Variables, type View } from './grafana';
import type { HistoricalPrometheus } from './prometheus';
import type { QueryResult } from './purposes';
import { DAY, WEEK_END } from './scenario';

export const VIEWS: View[] = [
  { name: '24h', from: WEEK_END - DAY, to: WEEK_END },
  { name: '7d', from: WEEK_END - 7 * DAY, to: WEEK_END },
];
/** The variables as All (the dashboard's allValue), and as one account: the studio, then research. */
const SETTINGS: Array<[string, Variables]> = [
  ['All', { job: '.+', instance: '.+', account: '.+' }],
  ['studio', { job: '.+', instance: '.+', account: 'studio' }],
  ['research', { job: '.+', instance: '.+', account: 'research' }],
];
/** Both rules for $__rate_interval; the older one only with every account, to keep the table short. */
const GRAFANAS: Array<[Grafana, string[]]> = [
  ['Grafana 10.3+', ['All', 'studio', 'research']],
  ['Grafana 10.0-10.2', ['All']],
];
/** The data source's scrape interval, as the compose stack provisions it (timeInterval). */
const DATA_SOURCE_SCRAPE_INTERVAL = 60;

/** runPanelQueries sends every query of every panel as Grafana would, in every view and setting. */
export async function runPanelQueries(
  prometheus: HistoricalPrometheus,
  panels: Panel[],
): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for (const panel of panels)
    for (const target of panel.targets ?? [])
      for (const [grafana, settings] of GRAFANAS)
        for (const view of VIEWS)
          for (const [setting, variables] of SETTINGS.filter(([name]) => settings.includes(name))) {
            const expr = target.expr ?? '';
            const query = { ...target, expr, widthColumns: panel.gridPos?.w ?? 24 };
            const request = grafanaRequest(query, view, variables, DATA_SOURCE_SCRAPE_INTERVAL, grafana);
            const result: QueryResult = {
              ...{ panel: panel.title ?? '', refId: target.refId ?? '', expr, view, grafana, setting },
              ...{ variables, request, series: [] },
            };
            try {
              result.series = request.instant
                ? (await prometheus.query(request.expr, view.to)).map(({ metric, value }) => ({
                    metric,
                    points: [[view.to, value]],
                  }))
                : await prometheus.queryRange(request.expr, request.start, request.end, request.step);
            } catch (error) {
              result.error = String(error);
            }
            results.push(result);
          }
  return results;
}

/** summary says in a few words what a query returned, for the printed table. */
export function summary(r: QueryResult): string {
  if (r.error) return `ERROR ${r.error.slice(0, 80)}`;
  if (r.series.length === 0) return 'no data';
  const legend = (m: Record<string, string>) => [m.account, m.code].filter(Boolean).join(' ') || m.job || '·';
  if (r.request.instant)
    return r.series.map((s) => `${legend(s.metric)} ${round(s.points[0]![1])}`).join(', ');
  const values = r.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const window = /\[(\w+)\]/.exec(r.request.expr)?.[1];
  const shape = `${r.series.length} series, step ${r.request.step}s${window ? `, [${window}]` : ''}`;
  return `${shape}, ${round(Math.min(...values))}…${round(Math.max(...values))}`;
}

function round(value: number): string {
  return Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 1
      ? value.toFixed(2)
      : value.toPrecision(2);
}
