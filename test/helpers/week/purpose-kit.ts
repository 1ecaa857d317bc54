/** The vocabulary of panel purposes: what a query returned, and small helpers to judge it. */
import type { Facts } from './facts';
import type { Grafana, GrafanaRequest, Variables, View } from './grafana';
import type { HistoricalPrometheus, RangeSeries } from './prometheus';
import { HOUR, WEEK_END } from './scenario';

/** QueryResult is one panel query as Grafana would have sent it, and what Prometheus answered. */
export interface QueryResult {
  panel: string;
  refId: string;
  /** expr is the query as written in the dashboard. */
  expr: string;
  view: View;
  grafana: Grafana;
  /** setting names the variables: "All" or the one account selected. */
  setting: string;
  variables: Variables;
  request: GrafanaRequest;
  series: RangeSeries[];
  error?: string;
}

export interface PurposeContext {
  results: QueryResult[];
  facts: Facts;
  prometheus: HistoricalPrometheus;
  /** staticThresholds are the panel's fixed threshold lines, when it draws them. */
  staticThresholds: number[];
  /** alertEstimate is the expression TensorPixCreditsDepletingSoon compares with its horizon. */
  alertEstimate: string;
}

/** Purpose is what a panel is for, checked on the week; check returns every failure it finds. */
export interface Purpose {
  what: string;
  check(ctx: PurposeContext): Promise<string[]>;
}

export const isThreshold = (r: QueryResult) => /threshold/.test(r.expr);
export const of = (series: RangeSeries[], account: string) =>
  series.filter((s) => s.metric.account === account);
export const within = (actual: number, expected: number, tolerance: number) =>
  Math.abs(actual - expected) <= tolerance * Math.abs(expected);
export const hours = (t: number) => `${((t - WEEK_END) / HOUR).toFixed(1)}h`;
/** windowOf is the range of the first range selector of a query as sent, in seconds. */
export function windowOf(expr: string): number {
  const match = /\[(\d+)([smhd])\]/.exec(expr);
  if (!match) throw new Error(`no range selector in ${expr}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
/** main picks the panel's results for its non-threshold query, in one view and setting. */
export const main = (
  ctx: PurposeContext,
  view: string,
  setting: string,
  test: (r: QueryResult) => boolean = () => true,
) => ctx.results.filter((r) => r.view.name === view && r.setting === setting && !isThreshold(r) && test(r));
