import { Gauge, type Registry, type RegistryContentType } from 'prom-client';
import type { ReloadStatus } from '../config/reload';
import type { CollectFailure } from './state-family';

export interface BuildInfo {
  version: string;
  revision: string;
  nodejs_version: string;
}

/**
 * registerExporterFamilies registers the exporter's own families: its build, and how the
 * last configuration reload went, read from the reload status at scrape time.
 */
export function registerExporterFamilies(
  registry: Registry<RegistryContentType>,
  sources: { buildInfo: BuildInfo; reload: ReloadStatus; onFailure: CollectFailure },
): void {
  const { buildInfo, reload, onFailure } = sources;
  new Gauge({
    name: 'tensorpix_exporter_build_info',
    help: 'A metric with a constant 1 value labelled by version, revision and Node.js version of the exporter.',
    labelNames: ['version', 'revision', 'nodejs_version'],
    registers: [registry],
  }).set({ ...buildInfo }, 1);
  const statusGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        try {
          this.set(read());
        } catch (error) {
          // Without labels, reset() would read 0: the series is removed instead.
          this.remove();
          onFailure(name, error);
        }
      },
    });
  statusGauge(
    'tensorpix_exporter_config_last_reload_successful',
    'Whether the last configuration reload succeeded (1) or was rejected (0).',
    () => (reload.successful ? 1 : 0),
  );
  statusGauge(
    'tensorpix_exporter_config_last_reload_success_timestamp_seconds',
    'Unix time of the last successful configuration load.',
    () => reload.lastSuccessMs / 1000,
  );
}
