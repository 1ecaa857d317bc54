import { PerformanceObserver } from 'node:perf_hooks';
import { GC_BUCKETS, GC_KINDS } from './process-families';

/** Observed is one GC kind's histogram: cumulative counts per bucket bound (+Inf is `count`), sum, count. */
export interface Observed {
  counts: number[];
  sum: number;
  count: number;
}

/** observeGc counts garbage collections by kind and duration, as prom-client's nodejs_gc_duration_seconds does. */
export function observeGc(): { byKind: ReadonlyMap<string, Observed>; stop(): void } {
  const byKind = new Map<string, Observed>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1];
      if (kind === undefined) continue;
      let observed = byKind.get(kind);
      if (!observed)
        byKind.set(
          kind,
          (observed = { counts: new Array<number>(GC_BUCKETS.length).fill(0), sum: 0, count: 0 }),
        );
      const seconds = entry.duration / 1000;
      for (let i = 0; i < GC_BUCKETS.length; i++) if (seconds <= GC_BUCKETS[i]!) observed.counts[i]!++;
      observed.sum += seconds;
      observed.count++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { byKind, stop: () => observer.disconnect() };
}
