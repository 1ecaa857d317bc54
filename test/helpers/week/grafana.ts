/**
 * How Grafana turns a panel's Prometheus query into an API request, after Grafana's own
 * code (frontend `rangeutil.calculateInterval`, backend `promlib/models/query.go`
 * `calculatePrometheusInterval`, `calculateRateInterval`, `interpolateVariables`, and
 * `gtime.RoundInterval`), for Grafana 10.3 and later:
 *
 *   interval       = max(round(range / maxDataPoints), panel Min interval or the data source's scrape interval)
 *   step           = max(Min step of the query, else `interval`, round(range / maxDataPoints), round(range / 11000))
 *   S              = the query's Min step if set, else the data source's scrape interval
 *   $__rate_interval = max(interval + S, 4 × S)
 *
 * Before 10.3 (`pkg/tsdb/prometheus` of Grafana 9 to 10.2) S was always the data source's
 * scrape interval and the step stood for `interval`: $__rate_interval = max(step + S, 4 × S),
 * so a Min step of 90m gave a window of 91 minutes, not 6 hours.
 *
 * A range query runs from `from` to `to`, both rounded down to a multiple of the step; an
 * instant query runs at `to`. maxDataPoints is the panel's width in pixels.
 */

/** Grafana is the generation whose $__rate_interval rule applies. */
export type Grafana = 'Grafana 10.3+' | 'Grafana 10.0-10.2';

/** roundInterval is Grafana's table of "nice" intervals (seconds in, seconds out). */
export function roundInterval(seconds: number): number {
  const table: Array<[number, number]> = [
    [0.015, 0.01],
    [0.035, 0.02],
    [0.075, 0.05],
    [0.15, 0.1],
    [0.35, 0.2],
    [0.75, 0.5],
    [1.5, 1],
    [3.5, 2],
    [7.5, 5],
    [12.5, 10],
    [17.5, 15],
    [25, 20],
    [45, 30],
    [90, 60],
    [210, 120],
    [450, 300],
    [750, 600],
    [1050, 900],
    [1500, 1200],
    [2700, 1800],
    [5400, 3600],
    [9000, 7200],
    [16200, 10800],
    [32400, 21600],
    [86400, 43200],
    [604800, 86400],
    [1814400, 604800],
  ];
  for (const [upTo, rounded] of table) if (seconds <= upTo) return rounded;
  return seconds < 3628800 ? 2592000 : 31536000;
}

/** parseGrafanaDuration reads `90m`, `1h`, `30s`, `1d`. */
export function parseGrafanaDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!match) throw new Error(`not a Grafana duration: ${text}`);
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return Number(match[1]) * units[match[2]!]!;
}

export interface View {
  name: string;
  from: number;
  to: number;
}

export interface Variables {
  job: string;
  instance: string;
  account: string;
}

/** PanelQuery is what a panel and its target say about a query (dashboard JSON fields). */
export interface PanelQuery {
  expr: string;
  instant?: boolean;
  /** interval is the query's Min step. */
  interval?: string;
  panelInterval?: string;
  maxDataPoints?: number;
  /** widthColumns is gridPos.w, of 24. */
  widthColumns: number;
}

export interface GrafanaRequest {
  expr: string;
  instant: boolean;
  start: number;
  end: number;
  step: number;
  rateInterval: number;
}

/** The screen the dashboard is looked at on: panel widths in pixels are maxDataPoints. */
const SCREEN_WIDTH_PX = 1920;

/** grafanaRequest computes the request Grafana sends for one query, view and set of variables. */
export function grafanaRequest(
  query: PanelQuery,
  view: View,
  variables: Variables,
  dataSourceScrapeInterval: number,
  grafana: Grafana = 'Grafana 10.3+',
): GrafanaRequest {
  const range = view.to - view.from;
  const maxDataPoints = query.maxDataPoints ?? Math.round((query.widthColumns / 24) * SCREEN_WIDTH_PX);
  const lowLimit = query.panelInterval ? parseGrafanaDuration(query.panelInterval) : dataSourceScrapeInterval;
  const interval = Math.max(roundInterval(range / maxDataPoints), lowLimit);
  const minStep = query.interval ? parseGrafanaDuration(query.interval) : undefined;
  const minInterval = minStep ?? interval;
  const calculated = range / maxDataPoints < minInterval ? minInterval : roundInterval(range / maxDataPoints);
  const step = Math.max(calculated, roundInterval(range / 11000));
  const rateInterval =
    grafana === 'Grafana 10.3+'
      ? Math.max(interval + (minStep ?? dataSourceScrapeInterval), 4 * (minStep ?? dataSourceScrapeInterval))
      : Math.max(step + dataSourceScrapeInterval, 4 * dataSourceScrapeInterval);
  const expr = query.expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, `${rateInterval}s`)
    .replace(/\$__interval|\$\{__interval\}/g, `${step}s`)
    .replace(/\$__range|\$\{__range\}/g, `${range}s`)
    .replace(/\$\{?(job|instance|account)\}?/g, (_all, name: keyof Variables) => variables[name]);
  return {
    expr,
    instant: query.instant === true,
    start: Math.floor(view.from / step) * step,
    end: Math.floor(view.to / step) * step,
    step,
    rateInterval,
  };
}
