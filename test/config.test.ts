import { loadConfig } from '../src/config/load-config';
import type { ConfigSources } from '../src/config/sources';
import { makeTestCerts, type TestCerts } from './helpers/certs';
import { corruptPem } from './helpers/corrupt-pem';

const SECRET = 'tpx-secret-value-0042';
const files: Record<string, string> = {
  '/run/token': `${SECRET}\n`,
  '/run/empty-token': '\n',
  '/run/spaced-token': 'two words\n',
  '/run/crlf-token': `${SECRET}\r\n\r\n`,
  '/run/not-a-ca': 'hello',
  '/run/unterminated-ca': '-----BEGIN CERTIFICATE-----\nMIIB\n',
};

// The CA files are real certificates: --tensorpix.ca-file must parse every one it holds.
let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
  files['/run/ca.pem'] = certs.ca.cert;
  files['/run/bundle.pem'] = `# two CAs\n${certs.ca.cert}\n${certs.selfSigned.cert}`;
  files['/run/corrupt-ca.pem'] = corruptPem(certs.ca.cert);
  files['/run/corrupt-second.pem'] = certs.ca.cert + corruptPem(certs.selfSigned.cert);
});
afterAll(() => certs.cleanup());

function load(argv: string[], env: Record<string, string> = {}) {
  const sources: ConfigSources = {
    argv,
    env,
    readFile: (path: string) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
  };
  return loadConfig(sources);
}

function problemsOf(argv: string[], env: Record<string, string> = {}): string[] {
  const result = load(argv, env);
  if (result.kind !== 'invalid') throw new Error(`expected problems, got ${result.kind}`);
  return result.problems;
}

test('defaults with a token from the environment', () => {
  const result = load([], { TENSORPIX_API_TOKEN: SECRET });
  expect(result.kind).toBe('run');
  if (result.kind !== 'run') return;
  expect(result.config).toMatchObject({
    listen: { port: 10863 },
    telemetryPath: '/metrics',
    timeoutOffsetMs: 500,
    apiUrl: 'https://backend.tensorpix.ai',
    upstreamTimeoutMs: 5000,
    accountName: 'default',
    accounts: [
      {
        name: 'default',
        apiUrl: 'https://backend.tensorpix.ai',
        timeoutMs: 5000,
        token: { kind: 'value', value: SECRET },
      },
    ],
    concurrency: 4,
    maxConnections: 256,
    cacheTtlMs: 60_000,
    cacheMaxStaleMs: 900_000,
    logLevel: 'info',
    logFormat: 'json',
    demo: false,
    exporterMetrics: true,
  });
  expect(Object.isFrozen(result.config)).toBe(true);
});

test('a flag wins over its environment variable, which wins over the default', () => {
  const result = load(['--cache.ttl=30s'], {
    TENSORPIX_EXPORTER_CACHE_TTL: '10s',
    TENSORPIX_EXPORTER_CACHE_MAX_STALE: '1h',
    TENSORPIX_API_URL: 'http://127.0.0.1:8080/',
    TENSORPIX_API_TOKEN_FILE: '/run/token',
  });
  expect(result).toMatchObject({
    kind: 'run',
    config: {
      cacheTtlMs: 30_000,
      cacheMaxStaleMs: 3_600_000,
      apiUrl: 'http://127.0.0.1:8080',
      accounts: [{ token: { kind: 'file', path: '/run/token' } }],
    },
  });
});

test('space-separated values, booleans and --demo', () => {
  const result = load([
    '--web.listen-address',
    '127.0.0.1:0',
    '--demo',
    '--web.enable-lifecycle',
    '--tensorpix.ca-file=/run/ca.pem',
  ]);
  expect(result).toMatchObject({
    kind: 'run',
    config: {
      listen: { host: '127.0.0.1', port: 0 },
      demo: true,
      accountName: 'demo',
      enableLifecycle: true,
    },
  });
});

test('--help and --version answer instead of running', () => {
  expect(load(['--help']).kind).toBe('help');
  expect(load(['-h']).kind).toBe('help');
  expect(load(['--version']).kind).toBe('version');
});

test.each<[string, string[], Record<string, string>, string[]]>([
  [
    'no credentials',
    [],
    {},
    [
      'no credentials: set TENSORPIX_API_TOKEN, TENSORPIX_API_TOKEN_FILE or --tensorpix.token-file, list accounts in --config.file, or run with --demo',
    ],
  ],
  [
    'two credential sources',
    ['--tensorpix.token-file=/run/token'],
    { TENSORPIX_API_TOKEN: SECRET },
    [
      'give exactly one source of credentials, not TENSORPIX_API_TOKEN and --tensorpix.token-file (or TENSORPIX_API_TOKEN_FILE)',
    ],
  ],
  [
    'demo and a token',
    ['--demo'],
    { TENSORPIX_API_TOKEN: SECRET },
    ['give exactly one source of credentials, not TENSORPIX_API_TOKEN and --demo'],
  ],
  ['an empty token', [], { TENSORPIX_API_TOKEN: '' }, ['TENSORPIX_API_TOKEN is empty']],
  [
    'a token with a space',
    [],
    { TENSORPIX_API_TOKEN: `${SECRET} x` },
    [
      'TENSORPIX_API_TOKEN holds characters a token cannot have (whitespace, control or non-ASCII) or is over 4096 bytes',
    ],
  ],
  [
    'a missing token file',
    ['--tensorpix.token-file=/run/missing'],
    {},
    ['token file /run/missing cannot be read (ENOENT)'],
  ],
  [
    'a token file holding two words',
    ['--tensorpix.token-file=/run/spaced-token'],
    {},
    [
      'token file /run/spaced-token holds characters a token cannot have (whitespace, control or non-ASCII) or is over 4096 bytes',
    ],
  ],
  [
    'an empty token file',
    ['--tensorpix.token-file=/run/empty-token'],
    {},
    ['token file /run/empty-token is empty'],
  ],
  [
    'a token as a flag',
    [`--tensorpix.token=${SECRET}`, '--demo'],
    {},
    [
      'unknown flag --tensorpix.token (a token is never a flag: use TENSORPIX_API_TOKEN or --tensorpix.token-file)',
    ],
  ],
  [
    'a stray argument',
    ['--demo', SECRET],
    {},
    ['unexpected argument at position 2: flags take the form --name=value or --name value'],
  ],
  ['an unknown flag', ['--demo', '--web.listen-adress=:1'], {}, ['unknown flag --web.listen-adress']],
  ['a flag without its value', ['--demo', '--cache.ttl'], {}, ['flag --cache.ttl needs a value']],
  [
    'a bad duration',
    ['--demo', '--cache.ttl=5 minutes'],
    {},
    ['--cache.ttl must be a duration such as 500ms, 30s, 5m or 1h, not "5 minutes"'],
  ],
  [
    'a zero timeout',
    ['--demo', '--tensorpix.timeout=0'],
    {},
    ['--tensorpix.timeout must be from 10ms to 5m, not "0"'],
  ],
  [
    'max-stale below ttl',
    ['--demo', '--cache.ttl=10m', '--cache.max-stale=5m'],
    {},
    ['--cache.max-stale must not be shorter than --cache.ttl'],
  ],
  [
    'a bad listen address',
    ['--demo', '--web.listen-address=10863'],
    {},
    ['--web.listen-address must be HOST:PORT or :PORT with a port up to 65535, not "10863"'],
  ],
  [
    'a bad telemetry path',
    ['--demo', '--web.telemetry-path=/-/ready'],
    {},
    ['--web.telemetry-path must be a path such as /metrics, other than / and /-/*, not "/-/ready"'],
  ],
  [
    'a telemetry path under /-/, even one no endpoint takes yet',
    ['--demo', '--web.telemetry-path=/-/x'],
    {},
    ['--web.telemetry-path must be a path such as /metrics, other than / and /-/*, not "/-/x"'],
  ],
  [
    'the bare /-/ as telemetry path',
    ['--demo', '--web.telemetry-path=/-/'],
    {},
    ['--web.telemetry-path must be a path such as /metrics, other than / and /-/*, not "/-/"'],
  ],
  [
    'a bad API URL',
    ['--demo', '--tensorpix.api-url=ftp://example.invalid'],
    {},
    [
      '--tensorpix.api-url must be an http:// or https:// URL without credentials, query or fragment: its scheme is ftp:',
    ],
  ],
  [
    'an API URL with credentials',
    ['--demo', '--tensorpix.api-url=https://user:pw@example.invalid'],
    {},
    [
      '--tensorpix.api-url must be an http:// or https:// URL without credentials, query or fragment: it holds credentials ("@")',
    ],
  ],
  [
    'too few connections',
    ['--demo', '--web.max-connections=2'],
    {},
    ['--web.max-connections must be a whole number from 8 to 65536, not "2"'],
  ],
  [
    'a bad concurrency',
    ['--demo', '--tensorpix.concurrency=0'],
    {},
    ['--tensorpix.concurrency must be a whole number from 1 to 256, not "0"'],
  ],
  [
    'a bad account name',
    ['--demo', '--tensorpix.account-name=team a'],
    {},
    [
      '--tensorpix.account-name must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit',
    ],
  ],
  [
    'a bad log level',
    ['--demo', '--log.level=verbose'],
    {},
    ['--log.level must be one of debug, info, warn, error, not "verbose"'],
  ],
  [
    'a bad log format',
    ['--demo'],
    { TENSORPIX_EXPORTER_LOG_FORMAT: 'xml' },
    ['--log.format must be one of json, logfmt, not "xml"'],
  ],
  [
    'a bad boolean',
    ['--demo=maybe'],
    {},
    [
      '--demo must be true or false, not "maybe"',
      'no credentials: set TENSORPIX_API_TOKEN, TENSORPIX_API_TOKEN_FILE or --tensorpix.token-file, list accounts in --config.file, or run with --demo',
    ],
  ],
  [
    'a bad --config.check.api, named once',
    ['--demo', '--config.check.api=maybe'],
    {},
    ['--config.check.api must be true or false, not "maybe"'],
  ],
  [
    'a missing CA file',
    ['--demo', '--tensorpix.ca-file=/run/nope.pem'],
    {},
    ['--tensorpix.ca-file: cannot read /run/nope.pem (ENOENT)'],
  ],
  [
    'a CA file without a certificate',
    ['--demo', '--tensorpix.ca-file=/run/not-a-ca'],
    {},
    ['--tensorpix.ca-file: /run/not-a-ca holds no PEM certificate'],
  ],
  [
    'a CA file whose only certificate has no END line',
    ['--demo', '--tensorpix.ca-file=/run/unterminated-ca'],
    {},
    ['--tensorpix.ca-file: /run/unterminated-ca holds no PEM certificate'],
  ],
  [
    'durations out of their ranges',
    [
      '--demo',
      '--tensorpix.timeout=60d',
      '--web.timeout-offset=2m',
      '--cache.ttl=2d',
      '--cache.max-stale=31d',
    ],
    {},
    [
      '--cache.ttl must be from 0s to 1d, not "2d"',
      '--cache.max-stale must be from 1s to 30d, not "31d"',
      '--tensorpix.timeout must be from 10ms to 5m, not "60d"',
      '--web.timeout-offset must be from 0s to 1m, not "2m"',
    ],
  ],
  [
    'a max-stale of 0: a balance that is never exported',
    ['--demo', '--cache.ttl=0s', '--cache.max-stale=0s'],
    {},
    ['--cache.max-stale must be from 1s to 30d, not "0s"'],
  ],
  [
    'an empty TENSORPIX_API_TOKEN beside another source is no second source',
    ['--demo'],
    { TENSORPIX_API_TOKEN: '', TENSORPIX_EXPORTER_CACHE_TTL: 'soon' },
    ['--cache.ttl must be a duration such as 500ms, 30s, 5m or 1h, not "soon"'],
  ],
  [
    'a sub-millisecond timeout',
    ['--demo', '--tensorpix.timeout=1.5ms'],
    {},
    ['--tensorpix.timeout must be from 10ms to 5m, not "1.5ms"'],
  ],
  [
    'a max-stale shorter than the TTL',
    ['--demo', '--cache.ttl=10m', '--cache.max-stale=5m'],
    {},
    ['--cache.max-stale must not be shorter than --cache.ttl'],
  ],
  [
    'several problems at once',
    ['--cache.ttl=x', '--log.level=loud', '--bogus'],
    {},
    [
      'unknown flag --bogus',
      '--cache.ttl must be a duration such as 500ms, 30s, 5m or 1h, not "x"',
      '--log.level must be one of debug, info, warn, error, not "loud"',
      'no credentials: set TENSORPIX_API_TOKEN, TENSORPIX_API_TOKEN_FILE or --tensorpix.token-file, list accounts in --config.file, or run with --demo',
    ],
  ],
])('%s → exact problems', (_name, argv, env, expected) => {
  const problems = problemsOf(argv, env);
  expect(problems).toEqual(expected);
  for (const problem of problems) expect(problem).not.toContain(SECRET);
});

const NO_CREDENTIALS =
  'no credentials: set TENSORPIX_API_TOKEN, TENSORPIX_API_TOKEN_FILE or --tensorpix.token-file, list accounts in --config.file, or run with --demo';

// What people type by habit: Go's one-dash flags, kingpin's --no-, a stray `--` or `-`.
test.each<[string, string[], string[]]>([
  [
    "Go's one-dash form names the flag meant, in one line",
    ['--demo', '-web.listen-address=:10864'],
    ['unknown flag -web.listen-address (flags take two dashes: --web.listen-address)'],
  ],
  [
    "Go's one-dash form with its value apart: the value goes with it",
    ['-web.listen-address', ':10864', '--demo'],
    ['unknown flag -web.listen-address (flags take two dashes: --web.listen-address)'],
  ],
  [
    'a one-dash negation',
    ['-no-web.enable-lifecycle', '--demo'],
    ['unknown flag -no-web.enable-lifecycle (flags take two dashes: --no-web.enable-lifecycle)'],
  ],
  [
    'a one-dash token flag',
    ['--demo', `-tensorpix.token=${SECRET}`],
    [
      'unknown flag -tensorpix.token (a token is never a flag: use TENSORPIX_API_TOKEN or --tensorpix.token-file)',
    ],
  ],
  [
    'a one-dash word that names no flag is not repeated (it may be a token)',
    ['--demo', `-${SECRET}`],
    [
      'unexpected argument at position 2: it starts with one dash; flags take the form --name=value or --name value',
    ],
  ],
  ['an unknown one-letter flag', ['--demo', '-v'], ['unknown flag -v']],
  [
    '-h among other letters',
    ['--demo', '-hv'],
    [
      'unexpected argument at position 2: it starts with one dash; flags take the form --name=value or --name value',
    ],
  ],
  [
    'after --, every argument is a stray one',
    ['--demo', '--', '--cache.ttl=1s'],
    ['unexpected argument at position 3: flags take the form --name=value or --name value'],
  ],
  [
    'a lone dash',
    ['--demo', '-'],
    ['unexpected argument at position 2: flags take the form --name=value or --name value'],
  ],
  ['a flag without a name', ['--=x', '--demo'], ['unexpected argument at position 1: a flag without a name']],
  ['three dashes', ['---demo'], ['unknown flag ---demo', NO_CREDENTIALS]],
  ['--no- alone', ['--no-', '--demo'], ['unknown flag --no-']],
  [
    '--no- before a flag that takes a value',
    ['--no-cache.ttl', '--demo'],
    ['unknown flag --no-cache.ttl (only a boolean flag can be negated; give --cache.ttl=VALUE)'],
  ],
  ['--no-<boolean> with a value', ['--no-demo=true'], ['flag --no-demo takes no value', NO_CREDENTIALS]],
  ['--no-demo after --demo: the last one wins', ['--demo', '--no-demo'], [NO_CREDENTIALS]],
  [
    'problems in the order of the arguments, whatever their kind',
    ['stray', '-web.listen-address=:1', '--bogus', '-x', '--demo'],
    [
      'unexpected argument at position 1: flags take the form --name=value or --name value',
      'unknown flag -web.listen-address (flags take two dashes: --web.listen-address)',
      'unknown flag --bogus',
      'unknown flag -x',
    ],
  ],
])('%s', (_name, argv, expected) => {
  const problems = problemsOf(argv);
  expect(problems).toEqual(expected);
  for (const problem of problems) expect(problem).not.toContain(SECRET);
});

test.each<[string, string[], Record<string, string>, Record<string, unknown>]>([
  ['--name value, as well as --name=value', ['--demo', '--cache.ttl', '2m'], {}, { cacheTtlMs: 120_000 }],
  [
    'a flag given twice: the last one wins',
    ['--demo', '--cache.ttl', '2m', '--cache.ttl=3m'],
    {},
    { cacheTtlMs: 180_000 },
  ],
  [
    '--no-<boolean> turns off its variable',
    ['--demo', '--no-web.enable-lifecycle'],
    { TENSORPIX_EXPORTER_WEB_ENABLE_LIFECYCLE: 'true' },
    { enableLifecycle: false },
  ],
  ['--no-demo, then --demo', ['--no-demo', '--demo'], {}, { demo: true }],
  [
    '--no-web.disable-exporter-metrics',
    ['--demo', '--no-web.disable-exporter-metrics'],
    { TENSORPIX_EXPORTER_WEB_DISABLE_EXPORTER_METRICS: '1' },
    { exporterMetrics: true },
  ],
  [
    'a value holding =',
    ['--demo', '--tensorpix.api-url=http://127.0.0.1:1/a=b'],
    {},
    { apiUrl: 'http://127.0.0.1:1/a=b' },
  ],
  [
    'a value that starts with a dash is a value',
    ['--demo', '--web.telemetry-path', '/-metrics'],
    {},
    { telemetryPath: '/-metrics' },
  ],
  ['port 0', ['--demo', '--web.listen-address=:0'], {}, { listen: { port: 0 } }],
  ['an IPv6 address', ['--demo', '--web.listen-address=[::1]:80'], {}, { listen: { host: '::1', port: 80 } }],
])('%s', (_name, argv, env, expected) => {
  expect(load(argv, env)).toMatchObject({ kind: 'run', config: expected });
});

test('-h stays the help, after any flag', () => {
  expect(load(['--cache.ttl=1s', '-h']).kind).toBe('help');
});

test('a token file: its line ends are trimmed, and where it was set is kept for log lines', () => {
  expect(load(['--tensorpix.token-file=/run/crlf-token'])).toMatchObject({
    kind: 'run',
    config: {
      accounts: [
        {
          token: { kind: 'file', path: '/run/crlf-token' },
          tokenFrom: '--tensorpix.token-file=/run/crlf-token',
        },
      ],
    },
  });
  expect(load([], { TENSORPIX_EXPORTER_TENSORPIX_TOKEN_FILE: '/run/token' })).toMatchObject({
    config: { accounts: [{ tokenFrom: 'TENSORPIX_EXPORTER_TENSORPIX_TOKEN_FILE=/run/token' }] },
  });
  expect(load([], { TENSORPIX_API_TOKEN_FILE: '/run/token' })).toMatchObject({
    config: { accounts: [{ tokenFrom: 'TENSORPIX_API_TOKEN_FILE=/run/token' }] },
  });
  expect(load([], { TENSORPIX_API_TOKEN: SECRET })).toMatchObject({
    config: { accounts: [{ tokenFrom: 'TENSORPIX_API_TOKEN' }] },
  });
});

// OpenSSL skips what it cannot read in a CA bundle without a word: the check passed, and
// then every request failed `tls` with advice to give the flag already given.
test.each([
  ['/run/corrupt-ca.pem', 1],
  ['/run/corrupt-second.pem', 2],
])('a CA file with a certificate no parser can read (%s) is refused, naming which', (path, index) => {
  expect(problemsOf(['--demo', `--tensorpix.ca-file=${path}`])).toEqual([
    expect.stringMatching(
      new RegExp(
        `^--tensorpix\\.ca-file: ${path}: certificate ${index} cannot be read \\(ERR_OSSL_[A-Z0-9_]+\\)$`,
      ),
    ),
  ]);
});

test('a CA bundle of readable certificates, with text between them, is taken whole', () => {
  expect(load(['--demo', '--tensorpix.ca-file=/run/bundle.pem'])).toMatchObject({
    kind: 'run',
    config: { caCert: files['/run/bundle.pem'] },
  });
});
