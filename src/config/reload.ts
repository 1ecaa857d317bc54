import { performance } from 'node:perf_hooks';
import type { Logger } from '../log/logger';
import type { AccountSet } from '../accounts/account-set';
import { readAccountsFile } from './accounts-file';
import type { Config } from './config';
import { parseWithPrefetch } from './prefetch-reader';

/** ReloadStatus is the outcome of the last (re)load of the configuration, as the metrics show it. */
export interface ReloadStatus {
  successful: boolean;
  /** lastSuccessMs is the wall-clock time of the last successful (re)load. */
  lastSuccessMs: number;
}

export interface ReloadResult {
  ok: boolean;
  problems: string[];
}

export interface ReloaderOptions {
  config: Pick<Config, 'configFile' | 'apiUrl' | 'upstreamTimeoutMs' | 'proxy'>;
  accounts: AccountSet;
  status: ReloadStatus;
  logger: Logger;
  now: () => number;
  /** readDeadlineMs bounds the reading of a reload's files (tests shorten it). */
  readDeadlineMs?: number;
  /** spacingMs is the least time between the end of a reload and the start of the next one. */
  spacingMs?: number;
}

/**
 * RELOAD_READ_DEADLINE_MS bounds the reading of the accounts file and every file it names:
 * ten thousand token files take seconds, more on a loaded machine with scrapes going on; a
 * file still unread then (a hung mount) fails the reload, and the running configuration is kept.
 */
const RELOAD_READ_DEADLINE_MS = 60_000;

/**
 * RELOAD_SPACING_MS keeps a second between reloads: a client posting /-/reload in a loop
 * (or a burst of SIGHUPs) gets one reload a second at most, each merged with every request
 * that came meanwhile, and the scrapes the rest of the time.
 */
const RELOAD_SPACING_MS = 1000;

/**
 * reloadOnceNow is one reload: the accounts file read again and the accounts replaced (or
 * the running ones kept, and every problem returned), then every account may retry at once.
 */
async function reloadOnceNow(options: ReloaderOptions, readDeadlineMs: number): Promise<ReloadResult> {
  const { config, accounts, status, logger } = options;
  if (config.configFile !== undefined) {
    const { configFile } = config;
    const defaults = {
      apiUrl: config.apiUrl,
      timeoutMs: config.upstreamTimeoutMs,
      ...(config.proxy && { proxy: config.proxy }),
    };
    const parsed = await parseWithPrefetch(
      (readFile) => readAccountsFile(configFile, readFile, defaults),
      AbortSignal.timeout(readDeadlineMs),
    );
    if (!parsed.ok) {
      const problems = parsed.problems.map((problem) => `--config.file: ${problem}`);
      status.successful = false;
      logger.error({ problems }, 'reload failed, the running configuration is kept');
      return { ok: false, problems };
    }
    await accounts.replaceInSteps(parsed.value);
  }
  accounts.retryNow();
  status.successful = true;
  status.lastSuccessMs = options.now();
  logger.info({ accounts: accounts.accounts().length }, 'configuration reloaded');
  return { ok: true, problems: [] };
}

/**
 * createReloader is what SIGHUP and POST /-/reload do, as in Prometheus: read
 * --config.file and its token files again and apply the new account list whole, or keep
 * the running one whole when anything is wrong with the new one. Without a config file
 * there is nothing to re-read (token files are read on every attempt), so a reload only
 * lets failing accounts retry at once.
 *
 * Reloads never queue: while one runs, every request merges into a single next one, which
 * starts after it (and RELOAD_SPACING_MS) and whose result they all get — so a request
 * always gets a reload that read the files after it came, and a storm of any size costs
 * two. Files are read off the event loop (parseWithPrefetch) and new accounts are built
 * in steps, so scrapes are served throughout.
 */
export function createReloader(options: ReloaderOptions): () => Promise<ReloadResult> {
  const { config, logger } = options;
  const readDeadlineMs = options.readDeadlineMs ?? RELOAD_READ_DEADLINE_MS;
  // Without an accounts file a reload costs next to nothing: nothing to space.
  const spacingMs = options.spacingMs ?? (config.configFile === undefined ? 0 : RELOAD_SPACING_MS);

  const guarded = () =>
    reloadOnceNow(options, readDeadlineMs).catch((error: unknown) => {
      logger.error({ err: error }, 'reload failed, the running configuration is kept');
      return { ok: false, problems: ['the reload failed unexpectedly; see the log'] };
    });

  let running: Promise<ReloadResult> | undefined;
  let next: Promise<ReloadResult> | undefined;
  let endedAtMs = -Infinity;
  const start = () => {
    running = guarded().finally(() => {
      running = undefined;
      endedAtMs = performance.now();
    });
    return running;
  };
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
  return () => {
    const idleFor = performance.now() - endedAtMs;
    if (!running && !next && idleFor >= spacingMs) return start();
    next ??= (running ?? Promise.resolve())
      .then(() => wait(spacingMs - (performance.now() - endedAtMs)))
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
