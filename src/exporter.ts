import type { Registry } from 'prom-client';
import { createAccount, type Account } from './account';
import type { CacheOptions } from './cache';
import { Limiter } from './limiter';
import type { Logger } from './logger';
import { createMetrics, type BuildInfo } from './metrics';
import { createBalanceClient } from './tensorpix/client';
import type { TokenSource } from './token';

/** AccountSpec is one account to watch: its label value, API and token. */
export interface AccountSpec {
  name: string;
  apiUrl: string;
  token: TokenSource;
}

export interface ExporterOptions {
  accounts: readonly AccountSpec[];
  registry: Registry;
  logger: Logger;
  buildInfo: BuildInfo;
  exporterMetrics: boolean;
  cache: CacheOptions;
  concurrency: number;
  upstreamTimeoutMs: number;
  caCert?: string;
  /** lookup replaces DNS resolution of the API's host (tests only). */
  lookup?: import('node:net').LookupFunction;
  /** monotonicNow times upstream requests; tests pass a fixed clock for golden output. */
  monotonicNow?: () => number;
}

/** Exporter is every watched account behind one upstream client and one registry. */
export interface Exporter {
  accounts(): readonly Account[];
  /** refresh brings every account up to date, in parallel, by the time `deadline` aborts. */
  refresh(deadline: AbortSignal): Promise<void>;
  /** upstreamTimeoutMs bounds one upstream request when the scrape sets no tighter deadline. */
  readonly upstreamTimeoutMs: number;
  /** retryNow lets every failing account try the upstream again at the next scrape. */
  retryNow(): void;
  /** close aborts upstream calls in flight and closes the client's sockets. */
  close(): Promise<void>;
}

export function createExporter(options: ExporterOptions): Exporter {
  const stopping = new AbortController();
  const client = createBalanceClient({
    userAgent: `tensorpix-exporter/${options.buildInfo.version}`,
    ...(options.caCert !== undefined && { caCert: options.caCert }),
    now: options.cache.now,
    ...(options.lookup && { lookup: options.lookup }),
  });
  const limiter = new Limiter(options.concurrency);
  let accounts: Account[] = [];
  const metrics = createMetrics(options.registry, {
    exporterMetrics: options.exporterMetrics,
    buildInfo: options.buildInfo,
    accounts: () => accounts,
  });
  accounts = options.accounts.map((spec) =>
    createAccount({
      ...spec,
      client,
      limiter,
      recorder: metrics.forAccount(spec.name),
      logger: options.logger,
      cache: options.cache,
      stopping: stopping.signal,
      ...(options.monotonicNow && { monotonicNow: options.monotonicNow }),
    }),
  );

  return {
    accounts: () => accounts,
    upstreamTimeoutMs: options.upstreamTimeoutMs,
    async refresh(deadline) {
      await Promise.all(accounts.map((account) => account.refresh(deadline)));
    },
    retryNow() {
      for (const account of accounts) account.retryNow();
    },
    async close() {
      stopping.abort();
      await client.close();
    },
  };
}
