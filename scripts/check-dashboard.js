#!/usr/bin/env node
// Type-checks the Grafana dashboard against Grafana's own types (@grafana/schema), so that
// a misspelt field or a wrong type fails `npm run lint` (and the tests), not an import:
//
//   node scripts/check-dashboard.js [FILE]   one line per problem, exit 1 if any
//                                            (FILE: grafana/tensorpix-exporter.json)
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const ts = require('typescript');

/** A file that exists only in memory, where node_modules resolve as from any script. */
const VIRTUAL = join(__dirname, '__dashboard_schema_check__.ts');

/**
 * The types each panel is checked against, from @grafana/schema: the Dashboard and Panel of
 * the dashboard schema, each panel type's own options and field config, and the fields
 * Grafana's Prometheus data source saves in a target (the schema types targets as records).
 * Json<> turns string enums into their values, as JSON holds them; options and custom field
 * config are partial because Grafana fills what a file leaves out.
 */
const PRELUDE = `
import type { Dashboard, DataQuery, FieldConfig, FieldConfigSource, Panel } from '@grafana/schema';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type {
  Options as TimeSeriesOptions,
  FieldConfig as TimeSeriesFieldConfig,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

type Json<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T
  : T extends readonly (infer E)[] ? Json<E>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type JsonPartial<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T
  : T extends readonly (infer E)[] ? JsonPartial<E>[] : T extends object ? { [K in keyof T]?: JsonPartial<T[K]> } : T;

interface PrometheusQuery extends DataQuery {
  expr: string;
  instant?: boolean;
  range?: boolean;
  exemplar?: boolean;
  editorMode?: 'code' | 'builder';
  format?: 'time_series' | 'table' | 'heatmap';
  legendFormat?: string;
  /** Min step. */
  interval?: string;
  intervalFactor?: number;
}

type PanelOf<TOptions, TCustom> = Json<Omit<Panel, 'options' | 'fieldConfig' | 'targets'>> & {
  options?: JsonPartial<TOptions>;
  fieldConfig?: Json<Omit<FieldConfigSource, 'defaults'>> & {
    defaults: Json<Omit<FieldConfig, 'custom'>> & { custom?: JsonPartial<TCustom> };
  };
  targets?: Array<Json<PrometheusQuery>>;
};
type StatPanel = PanelOf<StatOptions, Record<string, never>> & { type: 'stat' };
type TimeSeriesPanel = PanelOf<TimeSeriesOptions, TimeSeriesFieldConfig> & { type: 'timeseries' };
type DashboardFile = Json<Omit<Dashboard, 'panels'>> & { panels: unknown[] };
`;

const PANEL_TYPES = { stat: 'StatPanel', timeseries: 'TimeSeriesPanel' };

/**
 * checkDashboard type-checks a dashboard's JSON against @grafana/schema and returns one
 * line per problem ("panel 3 (Burn rate): Object literal may only specify known
 * properties…"), or none. The JSON is written into a TypeScript file as object literals,
 * so that every misspelt field is an excess property, which the compiler reports.
 * @param {string} json
 * @returns {string[]}
 */
function checkDashboard(json) {
  const { panels = [], ...rest } = JSON.parse(json);
  const where = ['dashboard'];
  let source = `${PRELUDE}\nexport const dashboard: DashboardFile = ${JSON.stringify({ ...rest, panels: [] })};\n`;
  panels.forEach((panel, index) => {
    const type = PANEL_TYPES[panel.type ?? ''];
    where.push(`panel ${index + 1} (${panel.title ?? 'untitled'})`);
    source += `export const panel${index + 1}: ${type ?? 'never'} = ${JSON.stringify(panel)};\n`;
  });
  const lines = source.split('\n');
  const firstLine = (name) => lines.findIndex((line) => line.startsWith(`export const ${name}`));
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...more) =>
    fileName === VIRTUAL
      ? ts.createSourceFile(fileName, source, language)
      : getSourceFile(fileName, language, ...more);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL || fileExists(fileName);
  const program = ts.createProgram([VIRTUAL], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== VIRTUAL || diagnostic.start === undefined) return text;
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const owner = ['dashboard', ...panels.map((_, i) => `panel${i + 1}`)].filter(
      (name) => firstLine(name) <= line,
    ).length;
    return `${where[owner - 1] ?? 'types'}: ${text}`;
  });
}

module.exports = { checkDashboard };

if (require.main === module) {
  const file = process.argv[2] ?? join(__dirname, '..', 'grafana', 'tensorpix-exporter.json');
  const problems = checkDashboard(readFileSync(file, 'utf8'));
  for (const problem of problems) console.error(`${file}: ${problem}`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
