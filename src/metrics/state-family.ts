import type { Metric, Registry, RegistryContentType } from 'prom-client';

/** CollectFailure is told which family failed to collect and why. */
export type CollectFailure = (family: string, error: unknown) => void;

/** Sample is one series: a histogram names its _bucket, _sum or _count; others use the family's name. */
export interface Sample {
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

/** StateFamily is a family whose every series is read from state someone else owns, at scrape time. */
export interface StateFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  /** samples reads the series as they stand now; none leaves the family empty. */
  samples(): Sample[];
}

/**
 * registerStateFamily registers a family as a collector of the registry: an object with the
 * family's name, help and type whose get() gives its samples, the shape prom-client's own
 * AggregatorRegistry registers for families it holds only the values of. The accounts hold
 * every value already (counts, sums, bucket counts), so nothing is copied into a Gauge or
 * Counter first: a Counter's collect() would reset it and write 1 000 accounts' series
 * through inc(), each hashed, only for the registry to read them back out, which cost as
 * much as the rendering itself. Whatever samples() throws is reported and the family left
 * empty for that scrape: no series rather than a wrong one, never a 500.
 *
 * The registry reads `name` at every render (an OpenMetrics registry drops a counter's
 * `_total` from it in place, and adds it back to each sample), so get() reads it too.
 */
export function registerStateFamily(
  registry: Registry<RegistryContentType>,
  family: StateFamily,
  onFailure: CollectFailure,
): void {
  const collector = {
    name: family.name,
    help: family.help,
    type: family.type,
    aggregator: 'sum',
    get: async () => ({ name: collector.name, help: family.help, type: family.type, values: read() }),
    // The values belong to their owner: a registry reset has nothing of its own to clear.
    reset: () => undefined,
  };
  const read = (): Sample[] => {
    try {
      return family.samples();
    } catch (error) {
      try {
        onFailure(family.name, error);
      } catch {
        // A failing report must not fail the scrape either.
      }
      return [];
    }
  };
  // prom-client's types list its four metric classes only; its registry reads name, help, type and get().
  registry.registerMetric(collector as unknown as Metric);
}
