import type { Logger } from '../log/logger';
import type { AccountSet } from '../accounts/account-set';
import { readAccountsFile } from './accounts-file';
import type { Config, FileReader } from './load-config';

/** ReloadStatus is the outcome of the last (re)load of the configuration, as the metrics show it. */
export interface ReloadStatus {
  successful: boolean;
  /** lastSuccessMs is the wall-clock time of the last successful (re)load. */
  lastSuccessMs: number;
  /** version goes up with every change, so the exposition text is rendered anew. */
  version: number;
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
  readFile: FileReader;
  now: () => number;
}

/**
 * createReloader is what SIGHUP and POST /-/reload do, as in Prometheus: read
 * --config.file and its token files again and apply the new account list whole, or keep
 * the running one whole when anything is wrong with the new one. Without a config file
 * there is nothing to re-read (token files are read on every attempt), so a reload only
 * lets failing accounts retry at once.
 */
export function createReloader(options: ReloaderOptions): () => ReloadResult {
  const { config, accounts, status, logger } = options;
  return () => {
    status.version++;
    if (config.configFile !== undefined) {
      const parsed = readAccountsFile(config.configFile, options.readFile, {
        apiUrl: config.apiUrl,
        timeoutMs: config.upstreamTimeoutMs,
        ...(config.proxy && { proxy: config.proxy }),
      });
      if (!parsed.ok) {
        const problems = parsed.problems.map((problem) => `--config.file: ${problem}`);
        status.successful = false;
        logger.error({ problems }, 'reload failed, the running configuration is kept');
        return { ok: false, problems };
      }
      accounts.replace(parsed.value);
    }
    accounts.retryNow();
    status.successful = true;
    status.lastSuccessMs = options.now();
    logger.info({ accounts: accounts.accounts().map((account) => account.name) }, 'configuration reloaded');
    return { ok: true, problems: [] };
  };
}
