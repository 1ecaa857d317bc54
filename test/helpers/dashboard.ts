import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_PATH = join(__dirname, '..', '..', 'grafana', 'tensorpix-exporter.json');

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: {
    defaults?: { unit?: string; thresholds?: { steps?: Array<{ color: string; value: number | null }> } };
  };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Array<{
    refId?: string;
    expr?: string;
    legendFormat?: string;
    datasource?: { uid?: string };
    instant?: boolean;
    /** interval is the query's Min step. */
    interval?: string;
  }>;
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  editable: boolean;
  tags: string[];
  __inputs?: unknown;
  templating: { list: Array<Record<string, unknown> & { name: string; type: string }> };
  panels: Panel[];
}

export function loadDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** panelsOf flattens rows, leaving out the row panels themselves. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => (panel.type === 'row' ? (panel.panels ?? []) : [panel]));
}

/** queriesOf lists every PromQL expression with the title of its panel. */
export function queriesOf(dashboard: Dashboard): Array<{ title: string; expr: string }> {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ title: panel.title ?? '', expr: target.expr ?? '' })),
  );
}

/** substitute replaces Grafana's variables as Grafana would for one job, instance and account. */
export function substitute(
  expr: string,
  values: { job: string; instance: string; account: string; interval: string },
): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, values.interval)
    .replace(/\$__interval|\$\{__interval\}/g, values.interval)
    .replace(/\$__range|\$\{__range\}/g, values.interval)
    .replace(/\$\{?job(:\w+)?\}?/g, values.job)
    .replace(/\$\{?instance(:\w+)?\}?/g, values.instance)
    .replace(/\$\{?account(:\w+)?\}?/g, values.account);
}
