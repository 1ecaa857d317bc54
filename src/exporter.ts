import type { Registry } from 'prom-client';
import { createAccount, type Account } from './account';
import type { CacheOptions } from './cache';
import type { Deadline } from './deadline';
import { Limiter } from './limiter';
import type { Logger } from './logger';
import { createMetrics, type BuildInfo, type ExporterMetrics } from './metrics';
import { createBalanceClient } from './tensorpix/client';
import type { TokenSource } from './token';

/** AccountSpec is one account to watch: its label value, API, request timeout and token. */
export interface AccountSpec {
  name: string;
  apiUrl: string;
  timeoutMs: number;
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
  caCert?: string;
  /** lookup replaces DNS resolution of the API's host (tests only). */
  lookup?: import('node:net').LookupFunction;
  /** monotonicNow times upstream requests; tests pass a fixed clock for golden output. */
  monotonicNow?: () => number;
}

/** Exporter is every watched account behind one upstream client, one limiter and one registry. */
export interface Exporter {
  accounts(): readonly Account[];
  /** refresh brings every account up to date, in parallel, by the time the deadline answers. */
  refresh(deadline: Deadline): Promise<void>;
  /** maxTimeoutMs is the longest account timeout: a scrape without a deadline of its own gets that. */
  maxTimeoutMs(): number;
  /**
   * setAccounts applies a new account list: an unchanged account keeps its cache and
   * counters, a removed one loses its series, an added one starts with its error
   * counters at 0. A changed account (same name, other URL, token or timeout) starts anew.
   */
  setAccounts(specs: readonly AccountSpec[]): void;
  /** retryNow lets every failing account try the upstream again at the next scrape. */
  retryNow(): void;
  metrics: ExporterMetrics;
  /** close aborts upstream calls in flight (destroying the client's sockets rejects them) and closes the client. */
  close(): Promise<void>;
}

const identity = (spec: AccountSpec) => JSON.stringify([spec.apiUrl, spec.timeoutMs, spec.token]);

export function createExporter(options: ExporterOptions): Exporter {
  const client = createBalanceClient({
    userAgent: `tensorpix-exporter/${options.buildInfo.version}`,
    ...(options.caCert !== undefined && { caCert: options.caCert }),
    now: options.cache.now,
    ...(options.lookup && { lookup: options.lookup }),
  });
  const limiter = new Limiter(options.concurrency);
  let accounts: Array<{ account: Account; spec: AccountSpec }> = [];
  let views: Account[] = [];
  const metrics = createMetrics(options.registry, {
    exporterMetrics: options.exporterMetrics,
    buildInfo: options.buildInfo,
    accounts: () => views,
    now: options.cache.now,
  });

  const build = (spec: AccountSpec) =>
    createAccount({
      ...spec,
      client,
      limiter,
      recorder: metrics.forAccount(spec.name),
      logger: options.logger,
      cache: { ...options.cache, onChange: metrics.changed },
      ...(options.monotonicNow && { monotonicNow: options.monotonicNow }),
    });

  const setAccounts = (specs: readonly AccountSpec[]) => {
    const previous = new Map(accounts.map((entry) => [entry.spec.name, entry]));
    const next = specs.map((spec) => {
      const kept = previous.get(spec.name);
      if (kept && identity(kept.spec) === identity(spec)) return kept;
      if (kept) metrics.removeAccount(spec.name);
      return { account: build(spec), spec };
    });
    const names = new Set(specs.map((spec) => spec.name));
    for (const name of previous.keys()) if (!names.has(name)) metrics.removeAccount(name);
    accounts = next;
    views = next.map((entry) => entry.account);
    metrics.changed();
  };
  setAccounts(options.accounts);
  // The configuration this exporter starts with was loaded whole: that is a successful load.
  metrics.reloadOutcome(true, options.cache.now());

  return {
    accounts: () => views,
    metrics,
    maxTimeoutMs: () => Math.max(0, ...accounts.map((entry) => entry.spec.timeoutMs)),
    async refresh(deadline) {
      await Promise.all(views.map((account) => account.refresh(deadline)));
    },
    setAccounts,
    retryNow() {
      for (const account of views) account.retryNow();
    },
    async close() {
      await client.close();
    },
  };
}
