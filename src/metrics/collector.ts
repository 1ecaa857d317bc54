import type { Account } from '../accounts/account';
import type { AccountSet } from '../accounts/account-set';
import { LATENCY_BUCKETS_SECONDS, unitsToUsd } from '../accounts/account-state';
import type { ReloadStatus } from '../config/reload';
import { ERROR_CODES } from '../tensorpix/codes';
import { Registry } from './prom-registry';
import { stateFamily, type Sample } from './state-family';
import type { ExpositionFormat } from './text-format';
import type { RegistryContentType } from 'prom-client';

export interface BuildInfo {
  version: string;
  revision: string;
  nodejs_version: string;
}

export interface CollectorSources {
  accounts: AccountSet;
  reload: ReloadStatus;
  buildInfo: BuildInfo;
}

/**
 * createAccountsRegistry declares every tensorpix_* metric on a registry of its own, in
 * `format`. Each family renders from the live accounts' state when collected, at the
 * moment `atMs()` gives (the render's own clock reading, so that one render is one instant).
 */
export function createAccountsRegistry(
  sources: CollectorSources,
  atMs: () => number,
  format: ExpositionFormat,
): Registry<RegistryContentType> {
  // prom-client's types allow a registry one content type; its code takes either.
  const registry = new Registry() as Registry<RegistryContentType>;
  if (format === 'openmetrics') registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const register = (...args: Parameters<typeof stateFamily>) => registry.registerMetric(stateFamily(...args));
  const perAccount = (value: (account: Account) => number | undefined) => () => {
    const samples: Sample[] = [];
    for (const account of sources.accounts.accounts()) {
      const v = value(account);
      if (v !== undefined) samples.push({ labels: { account: account.name }, value: v });
    }
    return samples;
  };

  register(
    'tensorpix_credits_balance_usd',
    'TensorPix credits balance in USD, as cached from the last successful API read (see tensorpix_last_success_timestamp_seconds).',
    'gauge',
    // An account without a good balance has no series, never a 0.
    perAccount((account) => account.state.balanceAt(atMs())),
  );
  register(
    'tensorpix_up',
    'Whether the last attempt to read the account balance succeeded (1) or not (0).',
    'gauge',
    perAccount((account) => (account.state.up ? 1 : 0)),
  );
  register(
    'tensorpix_last_success_timestamp_seconds',
    'Unix time of the last successful read of the account balance.',
    'gauge',
    perAccount((account) => account.state.good && account.state.good.atMs / 1000),
  );
  register(
    'tensorpix_upstream_requests_total',
    'Attempts to read the account balance from the TensorPix API, whatever their outcome.',
    'counter',
    perAccount((account) => account.state.attempts),
  );
  register(
    'tensorpix_upstream_errors_total',
    'Failed attempts to read the account balance, by outcome code.',
    'counter',
    () =>
      sources.accounts.accounts().flatMap((account) =>
        ERROR_CODES.map((code) => ({
          labels: { account: account.name, code },
          value: account.state.errors.get(code) ?? 0,
        })),
      ),
  );
  register(
    'tensorpix_upstream_request_duration_seconds',
    'Duration of TensorPix API requests.',
    'histogram',
    () =>
      sources.accounts.accounts().flatMap((account) => latencySamples(account.name, account.state.latency)),
  );
  register(
    'tensorpix_credits_spent_usd_total',
    'Sum of observed decreases of the credits balance in USD.',
    'counter',
    perAccount((account) => unitsToUsd(account.state.spentUnits)),
  );
  register(
    'tensorpix_credits_added_usd_total',
    'Sum of observed increases of the credits balance in USD (top-ups, renewals).',
    'counter',
    perAccount((account) => unitsToUsd(account.state.addedUnits)),
  );
  register(
    'tensorpix_exporter_build_info',
    'A metric with a constant 1 value labelled by version, revision and Node.js version of the exporter.',
    'gauge',
    () => [{ labels: { ...sources.buildInfo }, value: 1 }],
  );
  register(
    'tensorpix_exporter_config_last_reload_successful',
    'Whether the last configuration reload succeeded (1) or was rejected (0).',
    'gauge',
    () => [{ value: sources.reload.successful ? 1 : 0 }],
  );
  register(
    'tensorpix_exporter_config_last_reload_success_timestamp_seconds',
    'Unix time of the last successful configuration load.',
    'gauge',
    () => [{ value: sources.reload.lastSuccessMs / 1000 }],
  );
  return registry;
}

const HISTOGRAM = 'tensorpix_upstream_request_duration_seconds';

function latencySamples(
  account: string,
  latency: { counts: number[]; sum: number; count: number },
): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  latency.counts.forEach((count, index) => {
    cumulative += count;
    const le = index < LATENCY_BUCKETS_SECONDS.length ? String(LATENCY_BUCKETS_SECONDS[index]) : '+Inf';
    samples.push({ metricName: `${HISTOGRAM}_bucket`, labels: { account, le }, value: cumulative });
  });
  samples.push({ metricName: `${HISTOGRAM}_sum`, labels: { account }, value: latency.sum });
  samples.push({ metricName: `${HISTOGRAM}_count`, labels: { account }, value: latency.count });
  return samples;
}
