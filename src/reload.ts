import { parseAccountsFile } from './accounts-file';
import type { Config } from './config';
import type { Exporter } from './exporter';
import type { Logger } from './logger';

export interface ReloadResult {
  ok: boolean;
  problems: string[];
}

export interface ReloaderOptions {
  config: Pick<Config, 'configFile' | 'apiUrl' | 'upstreamTimeoutMs'>;
  exporter: Exporter;
  logger: Logger;
  readFile: (path: string) => string;
  now: () => number;
}

/**
 * createReloader is what SIGHUP and POST /-/reload do, as in Prometheus: read
 * --config.file and its token files again and apply the new account list whole, or keep
 * the running one whole when anything is wrong with the new one. Without a config file
 * there is nothing to re-read (token files are read on every request), so a reload only
 * lets failing accounts retry at once.
 */
export function createReloader(options: ReloaderOptions): () => ReloadResult {
  const { config, exporter, logger } = options;
  return () => {
    if (config.configFile !== undefined) {
      const parsed = parseAccountsFile(config.configFile, options.readFile, {
        apiUrl: config.apiUrl,
        timeoutMs: config.upstreamTimeoutMs,
      });
      if (typeof parsed[0] === 'string') {
        const problems = (parsed as string[]).map((problem) => `--config.file: ${problem}`);
        exporter.metrics.reloadOutcome(false, options.now());
        logger.error({ problems }, 'reload failed, the running configuration is kept');
        return { ok: false, problems };
      }
      exporter.setAccounts(parsed as Exclude<typeof parsed, string[]>);
    }
    exporter.retryNow();
    exporter.metrics.reloadOutcome(true, options.now());
    logger.info({ accounts: exporter.accounts().map((account) => account.name) }, 'configuration reloaded');
    return { ok: true, problems: [] };
  };
}
