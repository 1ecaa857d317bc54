/** FlagSpec declares one command-line flag; every flag is mirrored by an environment variable. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  default?: string;
  help: string;
  /** aliases are further environment variables read after the flag's own one. */
  envAliases?: string[];
}

/** envName is the variable that mirrors a flag: `--cache.ttl` ↔ `TENSORPIX_EXPORTER_CACHE_TTL`. */
export const envName = (flag: string) => `TENSORPIX_EXPORTER_${flag.replace(/[.-]/g, '_').toUpperCase()}`;

export const FLAGS: readonly FlagSpec[] = [
  {
    name: 'web.listen-address',
    type: 'string',
    default: ':10863',
    help: 'Address to listen on, HOST:PORT (port 0 picks a free one).',
  },
  {
    name: 'web.telemetry-path',
    type: 'string',
    default: '/metrics',
    help: 'Path under which to expose metrics.',
  },
  {
    name: 'web.timeout-offset',
    type: 'string',
    default: '0.5s',
    help: "Subtracted from Prometheus' X-Prometheus-Scrape-Timeout-Seconds: how long a scrape waits for the API (0s to 1m).",
  },
  {
    name: 'web.config.file',
    type: 'string',
    help: "exporter-toolkit web configuration file: TLS, basic auth, headers, rate limit (the same file as other Prometheus exporters').",
  },
  {
    name: 'web.max-connections',
    type: 'string',
    default: '256',
    help: 'Connections open at once (8 to 65536). At the limit a new connection closes the quietest one: idle, slow to send its request or to read its answer.',
  },
  {
    name: 'web.enable-lifecycle',
    type: 'boolean',
    help: 'Enable POST /-/reload, which re-reads --config.file as SIGHUP does.',
  },
  {
    name: 'web.disable-exporter-metrics',
    type: 'boolean',
    help: 'Exclude metrics about the exporter process itself (process_*, nodejs_*).',
  },
  {
    name: 'tensorpix.api-url',
    type: 'string',
    default: 'https://backend.tensorpix.ai',
    help: 'Base URL of the TensorPix API, http:// or https:// without credentials, query or fragment (a bare `?` or `#` included); a path prefix (an API behind a gateway) is kept.',
    envAliases: ['TENSORPIX_API_URL'],
  },
  {
    name: 'tensorpix.timeout',
    type: 'string',
    default: '5s',
    help: "Timeout of one attempt to read a balance, from its start to its end: waiting for a free slot, reading the token file, the request (10ms to 5m). Keep it below Prometheus' scrape timeout.",
  },
  {
    name: 'tensorpix.token-file',
    type: 'string',
    help: 'File holding the API token (a trailing newline is trimmed), re-read on every attempt. The token itself is never a flag: ps shows command lines to every user.',
    envAliases: ['TENSORPIX_API_TOKEN_FILE'],
  },
  {
    name: 'tensorpix.account-name',
    type: 'string',
    default: 'default',
    help: 'Value of the account label with a single token; "demo" under --demo.',
  },
  {
    name: 'tensorpix.ca-file',
    type: 'string',
    help: "Extra PEM CA bundle to trust for the API's TLS certificate (and an https:// proxy's).",
  },
  {
    name: 'tensorpix.proxy-url',
    type: 'string',
    help: 'HTTP proxy for API requests, http://HOST:PORT or https://HOST:PORT; the API is reached through a CONNECT tunnel. Empty (--tensorpix.proxy-url=) goes direct. Unset, HTTPS_PROXY, HTTP_PROXY and NO_PROXY are followed as Go programs do; NO_PROXY applies in both cases. Credentials are refused here on the command line (ps shows them): use --tensorpix.proxy-credentials-file.',
  },
  {
    name: 'tensorpix.proxy-credentials-file',
    type: 'string',
    help: 'File holding user:password for the proxy (Basic authentication), read at start.',
  },
  {
    name: 'tensorpix.concurrency',
    type: 'string',
    default: '4',
    help: 'API requests in flight at once, across accounts (1 to 256).',
  },
  {
    name: 'cache.ttl',
    type: 'string',
    default: '60s',
    help: 'How long a balance is served from cache before the API is asked again (0s to 1d).',
  },
  {
    name: 'cache.max-stale',
    type: 'string',
    default: '15m',
    help: 'How long the last good balance is still exported while the API fails (from --cache.ttl, and 1s at least, to 30d).',
  },
  {
    name: 'log.level',
    type: 'string',
    default: 'info',
    help: 'Only log messages with the given severity or above: debug, info, warn, error.',
  },
  {
    name: 'log.format',
    type: 'string',
    default: 'json',
    help: 'Output format of log messages: json or logfmt.',
  },
  {
    name: 'config.file',
    type: 'string',
    help: 'YAML file listing several accounts, each a name and a token file; re-read on SIGHUP and POST /-/reload.',
  },
  {
    name: 'demo',
    type: 'boolean',
    help: 'Run against a built-in simulated TensorPix account; no token needed.',
  },
  {
    name: 'config.check',
    type: 'boolean',
    help: 'Check the configuration (flags, environment, token, CA, web config and accounts files), print what was and was not checked, and exit: 0, or 2 naming every problem. A token is only checked to be well-formed; whether the API accepts it, only the API can say (see --config.check.api).',
  },
  {
    name: 'config.check.api',
    type: 'boolean',
    help: "As --config.check, then ask the API once for each account's balance, as the exporter would (its route, its token, within its timeout), and print each outcome: exit 0 when every account answered with a balance, 1 otherwise.",
  },
];

/** flagUsage is how a flag is written in the help: `--name=VALUE`, or `--[no-]name` for a boolean. */
const flagUsage = (flag: FlagSpec) =>
  flag.type === 'string' ? `--${flag.name}=VALUE` : `--[no-]${flag.name}`;

/**
 * helpText is the answer to --help, and the source of docs/configuration.md's flag table
 * (scripts/docs-flags.js reads it: keep its layout, one flag a paragraph of three lines).
 */
export function helpText(version: string): string {
  const lines = FLAGS.map((flag) => {
    const byDefault = flag.default === undefined ? '' : ` (default: ${flag.default})`;
    const env = [envName(flag.name), ...(flag.envAliases ?? [])].join(', ');
    return `  ${flagUsage(flag)}\n      ${flag.help}${byDefault}\n      env: ${env}`;
  });
  return [
    `usage: tensorpix-exporter [<flags>]`,
    ``,
    `Prometheus exporter for TensorPix credits balances (version ${version}).`,
    ``,
    `Credentials: exactly one of TENSORPIX_API_TOKEN (the token), TENSORPIX_API_TOKEN_FILE or --tensorpix.token-file (a file holding it), --config.file (accounts, each with its token file) or --demo.`,
    `Durations take Prometheus' forms: 500ms, 0.5s, 30s, 5m, 1h30m, 1d, 1w; each flag names its range.`,
    `Flags take the form --name=VALUE or --name VALUE; a boolean is --name or --no-name. Given twice, the last one wins. Each flag also reads its environment variable, and wins over it.`,
    ``,
    `Flags:`,
    `  -h, --help`,
    `      Show this help and exit.`,
    `  --version`,
    `      Show the version and exit.`,
    ...lines,
    ``,
  ].join('\n');
}
