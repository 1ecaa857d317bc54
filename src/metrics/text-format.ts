/**
 * ExpositionFormat is what a scrape asked for: the classic Prometheus text format
 * (0.0.4, the default) or OpenMetrics 1.0.0, negotiated from the Accept header.
 */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** labelValue escapes a label value: backslash, double quote and newline. */
export const labelValue = (text: string) => text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

/**
 * familyHeader writes a family's HELP and TYPE lines. In OpenMetrics a counter's family
 * name has no `_total` (its samples keep it); in the classic format the family is named
 * as its samples are. The classic format escapes a HELP text's backslashes and newlines;
 * OpenMetrics its double quotes too, as in a label value.
 */
export function familyHeader(name: string, help: string, type: FamilyType, format: ExpositionFormat): string {
  const family = format === 'openmetrics' && type === 'counter' ? name.replace(/_total$/, '') : name;
  const text =
    format === 'openmetrics' ? labelValue(help) : help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `# HELP ${family} ${text}\n# TYPE ${family} ${type}\n`;
}

/** formatValue writes a sample value as both formats read it. */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
}
