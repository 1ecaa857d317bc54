import type { Registry, RegistryContentType } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS } from '../accounts/account-state';
import type { AccountSources } from './account-families';
import { registerStateFamily, type Sample } from './state-family';

const NAME = 'tensorpix_upstream_request_duration_seconds';
const HELP = 'Duration of TensorPix API requests.';
const BOUNDS = [...LATENCY_BUCKETS_SECONDS.map(String), '+Inf'];

/**
 * registerLatencyFamily registers tensorpix_upstream_request_duration_seconds. The accounts
 * keep each account's bucket counts and sum (so that a removed account's histogram goes with
 * it), and prom-client's Histogram can only be filled by observe(), one observation at a
 * time: the family is a state family, its buckets read at scrape time. The registry writes
 * both formats from it as from any histogram.
 */
export function registerLatencyFamily(
  registry: Registry<RegistryContentType>,
  sources: AccountSources,
): void {
  registerStateFamily(
    registry,
    {
      name: NAME,
      help: HELP,
      type: 'histogram',
      samples() {
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
      },
    },
    sources.onFailure,
  );
}
