import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_CODES, SUCCESS_CODE, type UpstreamCode } from './tensorpix/codes';
import type { Snapshot } from './cache';
import { createExposition } from './exposition';

/** AccountView is what the collector reads of an account at scrape time. */
export interface AccountView {
  name: string;
  snapshot(): Snapshot;
  /** balanceExpiresAtMs is when the cached balance goes past max-stale, if there is one. */
  balanceExpiresAtMs(): number | undefined;
}

export interface BuildInfo {
  version: string;
  revision: string;
  nodejs_version: string;
}

export interface MetricsOptions {
  /** exporterMetrics adds prom-client's process_* and nodejs_* metrics. */
  exporterMetrics: boolean;
  buildInfo: BuildInfo;
  accounts: () => Iterable<AccountView>;
  now: () => number;
}

/** AccountRecorder records the outcome of each upstream attempt of one account. */
export interface AccountRecorder {
  /** attempt counts one attempt; `seconds` is absent when nothing was sent (timed out in the queue). */
  attempt(code: UpstreamCode, seconds?: number): void;
  /** balanceChange counts a move between two successive good balances as spent or added. */
  balanceChange(previous: number, next: number): void;
}

export interface ExporterMetrics {
  registry: Registry;
  /** changed says that an account's state changed, so the cached exposition text is out of date. */
  changed(): void;
  /** render is the whole /metrics text. */
  render(): Promise<string>;
  forAccount(name: string): AccountRecorder;
  removeAccount(name: string): void;
  /** reloadOutcome records the result of loading the configuration, at start and on each reload. */
  reloadOutcome(ok: boolean, atMs: number): void;
}

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

// A change is rounded to the API's 4 decimals so float noise is never counted as spending.
const roundUsd = (value: number) => Math.round(value * 1e4) / 1e4;

/**
 * createMetrics declares every metric of the exporter on `registry`. Point-in-time values
 * (balance, up, last success) are read from the accounts in collect(), at scrape time;
 * counters and the histogram are updated as attempts happen.
 */
export function createMetrics(registry: Registry, options: MetricsOptions): ExporterMetrics {
  const { accounts } = options;
  const registers = [registry];

  new Gauge({
    name: 'tensorpix_credits_balance_usd',
    help: 'TensorPix credits balance in USD, as cached from the last successful API read (see tensorpix_last_success_timestamp_seconds).',
    labelNames: ['account'],
    registers,
    collect() {
      // Reset then set only good values: an account without one has no series, never a 0.
      this.reset();
      for (const account of accounts()) {
        const { balance } = account.snapshot();
        if (balance !== undefined) this.set({ account: account.name }, balance);
      }
    },
  });
  new Gauge({
    name: 'tensorpix_up',
    help: 'Whether the last TensorPix API request for the account succeeded (1) or not (0).',
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const account of accounts()) this.set({ account: account.name }, account.snapshot().up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tensorpix_last_success_timestamp_seconds',
    help: 'Unix time of the last successful read of the account balance.',
    labelNames: ['account'],
    registers,
    collect() {
      this.reset();
      for (const account of accounts()) {
        const { lastSuccessMs } = account.snapshot();
        if (lastSuccessMs !== undefined) this.set({ account: account.name }, lastSuccessMs / 1000);
      }
    },
  });
  const requests = new Counter({
    name: 'tensorpix_upstream_requests_total',
    help: 'TensorPix API requests, by outcome code.',
    labelNames: ['account', 'code'],
    registers,
  });
  const errors = new Counter({
    name: 'tensorpix_upstream_errors_total',
    help: 'Failed TensorPix API requests, by outcome code.',
    labelNames: ['account', 'code'],
    registers,
  });
  const duration = new Histogram({
    name: 'tensorpix_upstream_request_duration_seconds',
    help: 'Duration of TensorPix API requests.',
    labelNames: ['account'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const spent = new Counter({
    name: 'tensorpix_credits_spent_usd_total',
    help: 'Sum of observed decreases of the credits balance in USD.',
    labelNames: ['account'],
    registers,
  });
  const added = new Counter({
    name: 'tensorpix_credits_added_usd_total',
    help: 'Sum of observed increases of the credits balance in USD (top-ups, renewals).',
    labelNames: ['account'],
    registers,
  });
  new Gauge({
    name: 'tensorpix_exporter_build_info',
    help: 'A metric with a constant 1 value labelled by version, revision and Node.js version of the exporter.',
    labelNames: ['version', 'revision', 'nodejs_version'],
    registers,
  }).set({ ...options.buildInfo }, 1);

  const reloadSuccessful = new Gauge({
    name: 'tensorpix_exporter_config_last_reload_successful',
    help: 'Whether the last configuration reload succeeded (1) or was rejected (0).',
    registers,
  });
  const reloadTimestamp = new Gauge({
    name: 'tensorpix_exporter_config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful configuration load.',
    registers,
  });

  // Process metrics change on every scrape; they live apart so that the accounts' text can be kept.
  let processRegistry: Registry | undefined;
  if (options.exporterMetrics) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // These are gauges named like counters, which `promtool check metrics` rejects; their
    // per-type twins (nodejs_active_handles etc.) carry the same information.
    for (const name of LINT_FAILING_DEFAULTS) processRegistry.removeSingleMetric(name);
  }

  let generation = 0;
  const changed = () => {
    generation++;
  };
  const render = createExposition({
    accountsRegistry: registry,
    ...(processRegistry && { processRegistry }),
    generation: () => generation,
    nextExpiryMs: (nowMs) => {
      let next = Infinity;
      for (const account of accounts()) {
        const expiresAt = account.balanceExpiresAtMs();
        if (expiresAt !== undefined && expiresAt > nowMs && expiresAt < next) next = expiresAt;
      }
      return next;
    },
    now: options.now,
  });

  const perAccount = [spent, added, duration] as const;
  return {
    registry,
    changed,
    render,
    forAccount(account) {
      changed();
      // Pre-create series at 0 so increase() sees the very first failure or spend.
      requests.inc({ account, code: SUCCESS_CODE }, 0);
      for (const code of ERROR_CODES) errors.inc({ account, code }, 0);
      spent.inc({ account }, 0);
      added.inc({ account }, 0);
      duration.zero({ account });
      return {
        attempt(code, seconds) {
          changed();
          requests.inc({ account, code });
          if (code !== SUCCESS_CODE) errors.inc({ account, code });
          if (seconds !== undefined) duration.observe({ account }, seconds);
        },
        balanceChange(previous, next) {
          changed();
          const change = roundUsd(next - previous);
          if (change < 0) spent.inc({ account }, -change);
          else if (change > 0) added.inc({ account }, change);
        },
      };
    },
    reloadOutcome(ok, atMs) {
      changed();
      reloadSuccessful.set(ok ? 1 : 0);
      if (ok) reloadTimestamp.set(atMs / 1000);
    },
    removeAccount(account) {
      changed();
      for (const metric of perAccount) metric.remove({ account });
      for (const code of [SUCCESS_CODE, ...ERROR_CODES]) {
        requests.remove({ account, code });
        errors.remove({ account, code });
      }
    },
  };
}
