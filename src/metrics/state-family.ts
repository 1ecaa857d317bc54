import type { Metric } from 'prom-client';

/** Sample is one line of a metric family: its labels and value, and a suffixed name for histogram parts. */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
  metricName?: string;
}

/**
 * StateFamily is a metric family whose samples are read from state at collect time, as
 * Go's MustNewConstMetric does: prom-client's registry formats it like its own metrics,
 * but it holds no values of its own that could drift from their owner or outlive it.
 */
class StateFamily {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter' | 'histogram',
    private readonly read: () => Sample[],
  ) {}

  get() {
    const { name, help, type, aggregator } = this;
    return { name, help, type, aggregator, values: this.read() };
  }
}

/**
 * stateFamily makes a family for Registry.registerMetric. prom-client types registerMetric
 * for its own classes only; its registry needs no more than the name, type and get() above.
 */
export const stateFamily = (...args: ConstructorParameters<typeof StateFamily>) =>
  new StateFamily(...args) as unknown as Metric;
