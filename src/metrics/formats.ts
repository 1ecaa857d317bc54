import { Registry } from 'prom-client';

/**
 * ExpositionFormat is what a scrape asked for: the classic Prometheus text format
 * (0.0.4, the default) or OpenMetrics 1.0.0, negotiated from the Accept header.
 */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** CONTENT_TYPES are prom-client's own content types, one per format. */
export const CONTENT_TYPES = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
} as const;
