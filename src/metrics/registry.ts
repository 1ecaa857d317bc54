import { collectDefaultMetrics, Registry, type RegistryContentType } from 'prom-client';
import type { AccountSet } from '../accounts/account-set';
import type { ReloadStatus } from '../config/reload';
import type { Logger } from '../log/logger';
import { registerAccountFamilies, registerMoneyFamilies } from './account-families';
import { registerExporterFamilies, type BuildInfo } from './exporter-families';
import { CONTENT_TYPES, type ExpositionFormat } from './formats';
import { registerLatencyFamily } from './latency-family';

export interface RegistrySources {
  accounts: AccountSet;
  reload: ReloadStatus;
  buildInfo: BuildInfo;
  /** now is the monotonic clock the balances expire on. */
  now: () => number;
  logger: Logger;
  /** defaultMetrics adds prom-client's process_* and nodejs_* metrics (off with --web.disable-exporter-metrics). */
  defaultMetrics: boolean;
}

/**
 * createRegistry builds the prom-client Registry that renders /metrics in one format: every
 * tensorpix_* family, filled from the accounts' state in collect(), then, unless switched
 * off, prom-client's default metrics exactly as collectDefaultMetrics() makes them.
 *
 * One registry renders one format. prom-client 15 renames a counter in place when it
 * renders OpenMetrics (its name loses `_total` for good), so a registry switched back to
 * the classic format writes `tensorpix_upstream_requests` where `_total` belongs; a merged
 * registry shares the same metric objects. The app therefore holds one registry per
 * format, each with metrics of its own; the OpenMetrics one is built with prom-client's
 * OpenMetrics content type.
 */
export function createRegistry(
  format: ExpositionFormat,
  sources: RegistrySources,
): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(CONTENT_TYPES[format]);
  const onFailure = (family: string, error: unknown) => {
    try {
      sources.logger.error(
        { err: error, metric: family },
        'collecting a metric failed; its series are left out',
      );
    } catch {
      // Nothing a collect does may fail the scrape, logging included.
    }
  };
  const accountSources = { accounts: sources.accounts, now: sources.now, onFailure };
  // Registration order is the order of the exposition.
  registerAccountFamilies(registry, accountSources);
  registerLatencyFamily(registry, accountSources);
  registerMoneyFamilies(registry, accountSources);
  registerExporterFamilies(registry, { buildInfo: sources.buildInfo, reload: sources.reload, onFailure });
  if (sources.defaultMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}
