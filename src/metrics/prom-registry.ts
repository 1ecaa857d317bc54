import type { Registry as RegistryType, RegistryContentType } from 'prom-client';

/**
 * Registry is prom-client's registry class, loaded on its own: prom-client's index also
 * loads its default metrics, summaries, push gateway and cluster aggregator, about 12 MB
 * of resident memory the exporter never uses (its process metrics are its own).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const Registry = require('prom-client/lib/registry') as typeof RegistryType;
export type Registry<T extends RegistryContentType = RegistryContentType> = RegistryType<T>;
