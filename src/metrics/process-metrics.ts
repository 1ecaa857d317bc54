import { collectDefaultMetrics, Registry } from 'prom-client';

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * createProcessRegistry holds the process_* and nodejs_* metrics, read fresh on every
 * scrape. They live apart from the tensorpix_* ones so that the accounts' text can be kept.
 */
export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // These are gauges named like counters, which `promtool check metrics` rejects; their
  // per-type twins (nodejs_active_handles etc.) carry the same information.
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  return registry;
}
