import type { Metric, Registry, RegistryContentType } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS } from '../accounts/account-state';
import type { AccountSources } from './account-families';

const NAME = 'tensorpix_upstream_request_duration_seconds';
const HELP = 'Duration of TensorPix API requests.';
const BOUNDS = [...LATENCY_BUCKETS_SECONDS.map(String), '+Inf'];

interface Sample {
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * registerLatencyFamily registers tensorpix_upstream_request_duration_seconds, the one
 * family prom-client's Histogram cannot hold: the accounts keep each account's bucket
 * counts and sum (so that a removed account's histogram goes with it), and a Histogram
 * can only be filled by observe(), one observation at a time. So the family is a
 * collector registered with the registry as prom-client's own AggregatorRegistry
 * registers the families it only has the values of: an object with the family's name,
 * help and type whose get() gives its samples. The registry writes both formats from it
 * as from any histogram; get() reads the accounts' state at scrape time, and nothing it
 * throws reaches the registry.
 */
export function registerLatencyFamily(
  registry: Registry<RegistryContentType>,
  sources: AccountSources,
): void {
  const family = {
    name: NAME,
    help: HELP,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({ name: NAME, help: HELP, type: 'histogram', aggregator: 'sum', values: samples() }),
    // The counts belong to the accounts; a registry reset has nothing of its own to clear.
    reset: () => undefined,
  };
  const samples = (): Sample[] => {
    try {
      const values: Sample[] = [];
      for (const account of sources.accounts.accounts()) {
        const { counts, sum, count } = account.state.latency;
        let cumulative = 0;
        counts.forEach((n, index) => {
          cumulative += n;
          values.push({
            metricName: `${NAME}_bucket`,
            labels: { account: account.name, le: BOUNDS[index]! },
            value: cumulative,
          });
        });
        values.push({ metricName: `${NAME}_sum`, labels: { account: account.name }, value: sum });
        values.push({ metricName: `${NAME}_count`, labels: { account: account.name }, value: count });
      }
      return values;
    } catch (error) {
      sources.onFailure(NAME, error);
      return [];
    }
  };
  // prom-client's types list its four classes only; its registry reads name, help, type and get().
  registry.registerMetric(family as unknown as Metric);
}
