import { parseWebConfig } from '../src/config/web-config';

const HASH = '$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function parse(yaml: string, files: Record<string, string> = {}) {
  const result = parseWebConfig('/etc/tpx/web.yml', (path: string) => {
    if (path === '/etc/tpx/web.yml') return yaml;
    if (path in files) return files[path]!;
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  return result.ok ? result.value : result.problems;
}

test("exporter-toolkit's documented example works unchanged, with paths relative to the file", () => {
  const example = [
    'tls_server_config:',
    '  cert_file: server.crt',
    '  key_file: server.key',
    'basic_auth_users:',
    `  alice: ${HASH}`,
    '  bob: $2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m',
    'basic_auth_excluded_paths:',
    '- /-/healthy',
    '- /-/ready',
  ].join('\n');
  const config = parse(example, { '/etc/tpx/server.crt': PEM, '/etc/tpx/server.key': 'KEY' });
  expect(Array.isArray(config)).toBe(false);
  if (Array.isArray(config)) return;
  expect(config.tls).toMatchObject({
    cert: PEM,
    key: 'KEY',
    clientAuth: 'NoClientCert',
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
  });
  expect([...config.users.keys()]).toEqual(['alice', 'bob']);
  expect(config.authExcludedPaths).toEqual(['/-/healthy', '/-/ready']);
});

test('an empty file means no TLS and no auth', () => {
  expect(parse('')).toEqual({ headers: {}, users: new Map(), authExcludedPaths: [] });
});

test.each<[string, string, string[]]>([
  [
    'unknown keys are named',
    'tls_server_confg: {}\nbasic_auth_users: {}\nfoo: 1\n',
    ['unknown key tls_server_confg', 'unknown key foo'],
  ],
  [
    'nested unknown keys are named with their path',
    'tls_server_config:\n  cert: x\n  key: y\n  certfile: z\nhttp_server_config:\n  header: {}\n',
    ['unknown key tls_server_config.certfile', 'unknown key http_server_config.header'],
  ],
  [
    'a password that is not a bcrypt hash',
    'basic_auth_users:\n  alice: hunter2\n',
    ['basic_auth_users: the password of alice is not a bcrypt hash'],
  ],
  [
    'a missing cert file',
    'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n',
    [
      'tls_server_config.cert_file: cannot read /etc/tpx/a.crt (ENOENT)',
      'tls_server_config.key_file: cannot read /etc/tpx/a.key (ENOENT)',
    ],
  ],
  ['no key at all', 'tls_server_config:\n  cert: x\n', ['tls_server_config.key_file is required']],
  [
    'inline and file both',
    'tls_server_config:\n  cert: x\n  cert_file: y\n  key: k\n',
    ['tls_server_config: give cert or cert_file, not both'],
  ],
  [
    'a bad client_auth_type',
    'tls_server_config:\n  cert: x\n  key: y\n  client_auth_type: Always\n',
    [
      'tls_server_config.client_auth_type must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert',
    ],
  ],
  [
    'verify without a client CA',
    'tls_server_config:\n  cert: x\n  key: y\n  client_auth_type: RequireAndVerifyClientCert\n',
    ['tls_server_config.client_ca_file is required with client_auth_type RequireAndVerifyClientCert'],
  ],
  [
    'a bad TLS version',
    'tls_server_config:\n  cert: x\n  key: y\n  min_version: TLS14\n',
    ['tls_server_config.min_version must be one of TLS10, TLS11, TLS12, TLS13'],
  ],
  [
    'an unknown cipher suite',
    'tls_server_config:\n  cert: x\n  key: y\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n',
    ['tls_server_config.cipher_suites: TLS_RSA_WITH_RC4_128_SHA is not supported'],
  ],
  [
    'a header that may not be set',
    'http_server_config:\n  headers:\n    Set-Cookie: a=b\n',
    [
      'http_server_config.headers: Set-Cookie cannot be set (allowed: Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security)',
    ],
  ],
  [
    'a bad header value',
    'http_server_config:\n  headers:\n    X-Frame-Options: allow\n',
    ['http_server_config.headers: X-Frame-Options has an invalid value'],
  ],
  [
    'a bad rate limit',
    'rate_limit:\n  interval: fast\n  burst: -1\n',
    [
      'rate_limit.interval must be a duration such as 500ms, 30s, 5m or 1h, not "fast"',
      'rate_limit.burst must be a whole number',
    ],
  ],
  ['not YAML', 'basic_auth_users: [\n', ['/etc/tpx/web.yml is not valid YAML (BAD_INDENT)']],
  [
    'duplicate keys',
    'basic_auth_users: {}\nbasic_auth_users: {}\n',
    ['/etc/tpx/web.yml is not valid YAML (DUPLICATE_KEY)'],
  ],
  ['a list instead of a mapping', '- a\n', ['/etc/tpx/web.yml must hold a YAML mapping']],
])('%s', (_name, yaml, problems) => {
  expect(parse(yaml)).toEqual(problems);
});

test('the problem about a bad hash never repeats the value', () => {
  const problems = parse('basic_auth_users:\n  alice: not-a-hash-but-a-secret\n');
  expect(JSON.stringify(problems)).not.toContain('not-a-hash-but-a-secret');
});
