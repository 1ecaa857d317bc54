import { createPrivateKey } from 'node:crypto';
import { parseWebConfig } from '../src/config/web-config';
import { makeTestCerts, type TestCerts } from './helpers/certs';
import { corruptPem } from './helpers/corrupt-pem';
import { makeKeyTypeCerts } from './helpers/key-type-certs';

const HASH = '$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze';

let certs: TestCerts;
/** files are the PEM files every parse may read, under /etc/tpx/: real ones, and bad ones. */
let files: Record<string, string>;
beforeAll(() => {
  certs = makeTestCerts();
  const encrypted = createPrivateKey(certs.server.key).export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: 'secret',
  }) as string;
  const types = makeKeyTypeCerts(certs.dir);
  files = {
    '/etc/tpx/rsa.crt': types.rsa.cert,
    '/etc/tpx/rsa.key': types.rsa.key,
    '/etc/tpx/ec.crt': types.ec.cert,
    '/etc/tpx/ec.key': types.ec.key,
    '/etc/tpx/ed25519.crt': types.ed25519.cert,
    '/etc/tpx/ed25519.key': types.ed25519.key,
    '/etc/tpx/corrupt-ca.crt': corruptPem(certs.ca.cert),
    '/etc/tpx/server.crt': certs.server.cert,
    '/etc/tpx/server.key': certs.server.key,
    '/etc/tpx/client.key': certs.client.key,
    '/etc/tpx/ca.crt': certs.ca.cert,
    '/etc/tpx/encrypted.key': encrypted,
    '/etc/tpx/garbage.pem': 'not a certificate\n',
    '/etc/tpx/empty.pem': '',
  };
});
afterAll(() => certs.cleanup());

function parse(yaml: string) {
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
  const config = parse(example);
  expect(Array.isArray(config)).toBe(false);
  if (Array.isArray(config)) return;
  expect(config.tls).toMatchObject({
    cert: certs.server.cert,
    key: certs.server.key,
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
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  certfile: z\nhttp_server_config:\n  header: {}\n',
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
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Always\n',
    [
      'tls_server_config.client_auth_type must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert',
    ],
  ],
  [
    'verify without a client CA',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n',
    ['tls_server_config.client_ca_file is required with client_auth_type RequireAndVerifyClientCert'],
  ],
  [
    'a bad TLS version',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS14\n',
    ['tls_server_config.min_version must be one of TLS10, TLS11, TLS12, TLS13'],
  ],
  [
    'an unknown cipher suite',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n',
    ['tls_server_config.cipher_suites: TLS_RSA_WITH_RC4_128_SHA is not supported'],
  ],
  [
    'an Object member as TLS version (toString)',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: toString\n',
    ['tls_server_config.min_version must be one of TLS10, TLS11, TLS12, TLS13'],
  ],
  [
    'Object members as cipher suite and curve (constructor, __proto__)',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [constructor]\n  curve_preferences: [__proto__]\n',
    [
      'tls_server_config.cipher_suites: constructor is not supported',
      'tls_server_config.curve_preferences: __proto__ is not supported',
    ],
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
    ['http_server_config.headers: X-Frame-Options has an invalid value (allowed: deny or sameorigin)'],
  ],
  [
    'a bad rate limit',
    'rate_limit:\n  interval: fast\n  burst: -1\n',
    [
      'rate_limit.interval must be a duration such as 500ms, 30s, 5m or 1h, not "fast"',
      'rate_limit.burst must be a whole number of at least 1',
    ],
  ],
  ['not YAML', 'basic_auth_users: [\n', ['/etc/tpx/web.yml is not valid YAML (BAD_INDENT)']],
  [
    'duplicate keys',
    'basic_auth_users: {}\nbasic_auth_users: {}\n',
    ['/etc/tpx/web.yml is not valid YAML (DUPLICATE_KEY)'],
  ],
  ['a list instead of a mapping', '- a\n', ['/etc/tpx/web.yml must hold a YAML mapping']],
  // What --config.check once passed and the start then failed on (exit 1), or that no handshake survived.
  [
    "a key that is not the certificate's",
    'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n',
    [
      'tls_server_config.key_file: /etc/tpx/client.key is not the private key of the certificate in /etc/tpx/server.crt',
    ],
  ],
  [
    'a certificate file that holds no PEM',
    'tls_server_config:\n  cert_file: garbage.pem\n  key_file: server.key\n',
    [
      'tls_server_config.cert_file: /etc/tpx/garbage.pem holds no PEM certificate that can be read (ERR_OSSL_PEM_NO_START_LINE)',
    ],
  ],
  [
    'certificate and key swapped',
    'tls_server_config:\n  cert_file: server.key\n  key_file: server.crt\n',
    [
      'tls_server_config.cert_file: /etc/tpx/server.key holds no PEM certificate that can be read (ERR_OSSL_PEM_NO_START_LINE)',
      'tls_server_config.key_file: /etc/tpx/server.crt holds no PEM private key that can be read (ERR_OSSL_UNSUPPORTED)',
    ],
  ],
  [
    'an encrypted key',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: encrypted.key\n',
    [
      'tls_server_config.key_file: /etc/tpx/encrypted.key holds an encrypted private key; give it unencrypted (no passphrase can be given)',
    ],
  ],
  [
    'an empty key given inline',
    'tls_server_config:\n  cert_file: server.crt\n  key: ""\n',
    ['tls_server_config.key holds no PEM private key that can be read (ERR_OSSL_UNSUPPORTED)'],
  ],
  [
    'min_version above max_version',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n',
    ['tls_server_config.min_version TLS13 is above max_version TLS12: no handshake could succeed'],
  ],
  [
    'a client CA file that holds no certificate',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: empty.pem\n',
    ['tls_server_config.client_ca_file: /etc/tpx/empty.pem holds no PEM certificate'],
  ],
  [
    'every problem at once: versions, a file that holds no PEM, a key of another certificate elsewhere',
    'tls_server_config:\n  cert_file: garbage.pem\n  key_file: client.key\n  min_version: TLS13\n  max_version: TLS10\n',
    [
      "tls_server_config.max_version TLS10 is below TLS12: Node's OpenSSL does not offer TLS 1.0 or 1.1 at its default security level, so no handshake could succeed; use TLS12 or TLS13",
      'tls_server_config.min_version TLS13 is above max_version TLS10: no handshake could succeed',
      'tls_server_config.cert_file: /etc/tpx/garbage.pem holds no PEM certificate that can be read (ERR_OSSL_PEM_NO_START_LINE)',
    ],
  ],
  // Node makes the context from these, and then OpenSSL refuses every client (measured:
  // ERR_SSL_NO_CIPHERS_AVAILABLE, ERR_SSL_NO_SHARED_CIPHER).
  [
    'TLS 1.3 suites only, with TLS 1.3 off',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  max_version: TLS12\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n',
    [
      'tls_server_config.cipher_suites lists only TLS 1.3 suites, and max_version is below TLS13: no handshake could succeed',
    ],
  ],
  [
    'RSA suites only for an ECDSA key, with TLS 1.3 off',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n',
    [
      'tls_server_config.cipher_suites has no TLS 1.2 suite for the ECDSA key of tls_server_config.key_file: /etc/tpx/server.key, and max_version is below TLS13: no handshake could succeed',
    ],
  ],
  // Node makes the context, and then its OpenSSL offers no version the config allows.
  ...['min_version: TLS10\n  max_version: TLS11', 'min_version: TLS11\n  max_version: TLS11'].map(
    (versions): [string, string, string[]] => [
      `TLS 1.0/1.1 only (${versions.replace(/\n\s*/, ', ')})`,
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  ${versions}\n`,
      [
        "tls_server_config.max_version TLS11 is below TLS12: Node's OpenSSL does not offer TLS 1.0 or 1.1 at its default security level, so no handshake could succeed; use TLS12 or TLS13",
      ],
    ],
  ),
  [
    'a TLS 1.2 suite with max_version TLS11',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS10\n  max_version: TLS11\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n',
    [
      "tls_server_config.max_version TLS11 is below TLS12: Node's OpenSSL does not offer TLS 1.0 or 1.1 at its default security level, so no handshake could succeed; use TLS12 or TLS13",
    ],
  ],
  // A certificate and a key of different types: OpenSSL puts the key in the slot of its
  // type and the context is made, and then every handshake fails.
  ...(
    [
      ['rsa', 'ec'],
      ['rsa', 'ed25519'],
      ['ec', 'rsa'],
      ['ec', 'ed25519'],
      ['ed25519', 'rsa'],
      ['ed25519', 'ec'],
    ] as const
  ).map(([cert, key]): [string, string, string[]] => [
    `a certificate and a key of different types: ${cert} certificate, ${key} key`,
    `tls_server_config:\n  cert_file: ${cert}.crt\n  key_file: ${key}.key\n`,
    [
      `tls_server_config.key_file: /etc/tpx/${key}.key is not the private key of the certificate in /etc/tpx/${cert}.crt`,
    ],
  ]),
])('%s', (_name, yaml, problems) => {
  expect(parse(yaml)).toEqual(problems);
});

test.each(['rsa', 'ec', 'ed25519'])('a %s certificate with its own key is accepted', (type) => {
  expect(parse(`tls_server_config:\n  cert_file: ${type}.crt\n  key_file: ${type}.key\n`)).toMatchObject({
    tls: { cert: files[`/etc/tpx/${type}.crt`] },
  });
});

test('a client CA file with a certificate no parser can read is refused, naming the file and the certificate', () => {
  expect(
    parse(
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: corrupt-ca.crt\n',
    ),
  ).toEqual([
    expect.stringMatching(
      /^tls_server_config\.client_ca_file: \/etc\/tpx\/corrupt-ca\.crt: certificate 1 cannot be read \(ERR_OSSL_[A-Z0-9_]+\)$/,
    ),
  ]);
});

test.each(['TLS10', 'TLS11'])(
  'min_version %s with max_version TLS12 or more is accepted: a handshake at TLS 1.2 can succeed',
  (min) => {
    expect(
      parse(`tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: ${min}\n`),
    ).toMatchObject({ tls: { minVersion: min === 'TLS10' ? 'TLSv1' : 'TLSv1.1', maxVersion: 'TLSv1.3' } });
  },
);

test('a sound TLS section with a client CA is accepted', () => {
  const config = parse(
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  min_version: TLS13\n',
  );
  expect(config).toMatchObject({
    tls: { clientCa: certs.ca.cert, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
  });
});

test.each([
  [
    'suites for the key, TLS 1.3 off',
    'max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]',
  ],
  [
    'suites of the other key type, TLS 1.3 on (its own suites stay)',
    'cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]',
  ],
])('cipher suites a handshake can use are accepted: %s', (_name, lines) => {
  expect(
    parse(`tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  ${lines}\n`),
  ).toMatchObject({
    tls: { cert: certs.server.cert },
  });
});

test('problems about PEM files never repeat what the files hold', () => {
  files['/etc/tpx/secret.pem'] = 'SECRET-CONTENT-1234\n';
  const problems = parse('tls_server_config:\n  cert_file: secret.pem\n  key_file: secret.pem\n');
  expect(problems).toHaveLength(2);
  expect(JSON.stringify(problems)).not.toContain('SECRET-CONTENT');
});

test('the problem about a bad hash never repeats the value', () => {
  const problems = parse('basic_auth_users:\n  alice: not-a-hash-but-a-secret\n');
  expect(JSON.stringify(problems)).not.toContain('not-a-hash-but-a-secret');
});
