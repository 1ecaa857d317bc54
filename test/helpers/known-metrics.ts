import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Harness } from './harness';

/** knownMetrics is every series name the exporter (with process metrics), Prometheus and our recording rules provide. */
export async function knownMetrics(): Promise<Set<string>> {
  const h = await Harness.start({ exporterMetrics: true });
  try {
    const text = await h.scrape();
    const names = new Set<string>(['up', 'scrape_duration_seconds']);
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      names.add(name!);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
    }
    const rules = parse(readFileSync(join(__dirname, '..', '..', 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ record?: string }> }>;
    };
    for (const rule of rules.groups.flatMap((group) => group.rules)) if (rule.record) names.add(rule.record);
    return names;
  } finally {
    await h.close();
  }
}
