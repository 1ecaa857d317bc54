import type { AccountSpec } from '../accounts/account-spec';
import type { LogFormat, LogLevel } from '../log/logger';
import type { ListenAddress } from './listen-address';
import type { ProxyDefaults } from './proxy-settings';
import type { WebConfig } from './web-config';

/** Config is the whole, checked configuration of one run. It is frozen. */
export interface Config {
  listen: ListenAddress;
  telemetryPath: string;
  timeoutOffsetMs: number;
  /** maxConnections is --web.max-connections: client connections open at once. */
  maxConnections: number;
  enableLifecycle: boolean;
  /** web is the parsed --web.config.file, absent without one. */
  web?: WebConfig;
  exporterMetrics: boolean;
  apiUrl: string;
  upstreamTimeoutMs: number;
  /** accountName is the account label under --demo and with a single token. */
  accountName: string;
  /** accounts are the accounts to watch; empty under --demo, which makes its own. */
  accounts: AccountSpec[];
  /** configFile is --config.file, read again on each reload. */
  configFile?: string;
  /** proxy is the flags' proxy setting and the proxy variables, read once; reloads start from it. */
  proxy?: ProxyDefaults;
  caCert?: string;
  concurrency: number;
  cacheTtlMs: number;
  cacheMaxStaleMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  demo: boolean;
  /** check is --config.check (or --config.check.api): check, print and exit instead of running. */
  check: boolean;
  /** checkApi is --config.check.api: the check also asks the API once per account. */
  checkApi: boolean;
}
