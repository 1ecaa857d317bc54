import type { InstantSample, Labels } from './prometheus-api';

/** SCRAPE_LABELS are added by Prometheus to every sample of a target, so they tell the jobs apart and no more. */
const SCRAPE_LABELS = new Set(['__name__', 'job', 'instance']);

/** seriesKey writes a series as the exposition did: its name and its own labels, sorted, without job and instance. */
export function seriesKey(metric: Labels): string {
  const labels = Object.keys(metric)
    .filter((name) => !SCRAPE_LABELS.has(name))
    .sort()
    .map((name) => `${name}=${JSON.stringify(metric[name])}`);
  return `${metric.__name__ ?? ''}{${labels.join(',')}}`;
}

/** byJob splits an instant query's result into one map per job: series key → value. */
export function byJob(samples: InstantSample[]): Map<string, Map<string, string>> {
  const jobs = new Map<string, Map<string, string>>();
  for (const { metric, value } of samples) {
    const job = metric.job ?? '';
    if (!jobs.has(job)) jobs.set(job, new Map());
    jobs.get(job)!.set(seriesKey(metric), value);
  }
  return jobs;
}

export interface Side {
  job: string;
  series: Map<string, string>;
}

/**
 * diffSeries lists, one line each, how `other` differs from `reference`: a series only one
 * of them has, or (where `compareValue(key)` holds) a different value. No lines: the same samples.
 */
export function diffSeries(reference: Side, other: Side, compareValue: (key: string) => boolean): string[] {
  const lines: string[] = [];
  for (const [key, value] of reference.series) {
    const otherValue = other.series.get(key);
    if (otherValue === undefined) lines.push(`${other.job} lacks ${key} (${reference.job}: ${value})`);
    else if (compareValue(key) && otherValue !== value)
      lines.push(`${other.job}: ${key} ${otherValue}, but ${reference.job}: ${value}`);
  }
  for (const [key, value] of other.series)
    if (!reference.series.has(key)) lines.push(`${other.job} has ${key} ${value}, ${reference.job} has not`);
  return lines;
}
