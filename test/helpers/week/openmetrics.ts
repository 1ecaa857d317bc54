import { closeSync, openSync, writeSync } from 'node:fs';
import type { Series } from './simulate';

/**
 * writeOpenMetrics writes the series as OpenMetrics text for `promtool tsdb
 * create-blocks-from openmetrics`: every sample with its timestamp, each series' samples
 * together and in time order (the TSDB appender refuses out-of-order samples), `# EOF` last.
 * The week is ~1.2 million samples, so it is written series by series, not built as one string.
 */
export function writeOpenMetrics(path: string, series: Series[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const { name, labels, times, values } of series) {
      const selector = `${name}{${Object.entries(labels)
        .map(([key, value]) => `${key}="${value}"`)
        .join(',')}}`;
      const lines = times.map((t, i) => `${selector} ${values[i]} ${t}\n`);
      writeSync(fd, lines.join(''));
    }
    writeSync(fd, '# EOF\n');
  } finally {
    closeSync(fd);
  }
}
