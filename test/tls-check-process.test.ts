import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { makeTestCerts, type TestCerts } from './helpers/certs';
import { runToExit, startExporter } from './helpers/child';
import { corruptPem } from './helpers/corrupt-pem';
import { makeKeyTypeCerts } from './helpers/key-type-certs';

// The hostile review's TLS setups that --config.check called valid (exit 0) and that then
// failed at run time: the server listened and refused every handshake, or every request to
// the API failed `tls`. Both the check and the start must now exit 2 before listening, each
// problem in one line.
let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
  makeKeyTypeCerts(certs.dir);
  writeFileSync(join(certs.dir, 'token'), 'tpx-tls-check-process\n');
  writeFileSync(join(certs.dir, 'corrupt-ca.pem'), corruptPem(certs.ca.cert));
}, 30_000);
afterAll(() => certs.cleanup());

const token = () => `--tensorpix.token-file=${join(certs.dir, 'token')}`;
const webConfig = (name: string, tls: string) => {
  writeFileSync(join(certs.dir, name), `tls_server_config:\n  ${tls}\n`);
  return `--web.config.file=${join(certs.dir, name)}`;
};
const P = '^tensorpix-exporter: --web\\.config\\.file: tls_server_config';
const OLD_TLS = `${P}\\.max_version TLS11 is below TLS12: Node's OpenSSL does not offer TLS 1\\.0 or 1\\.1 at its default security level, so no handshake could succeed; use TLS12 or TLS13$`;

type Row = [string, () => string[], RegExp];

/** keyMismatch is a web config whose key file is not the private key of its certificate. */
const keyMismatch = (label: string, cert: string, key: string): Row => [
  label,
  () => [webConfig(`${cert}-${key}.yml`, `cert_file: ${cert}.crt\n  key_file: ${key}.key`)],
  new RegExp(
    `${P}\\.key_file: .*/${key}\\.key is not the private key of the certificate in .*/${cert}\\.crt$`,
    'm',
  ),
];

/** oldTls is a web config for server.crt whose `settings` cap TLS below 1.2. */
const oldTls = (label: string, file: string, settings: string): Row => [
  label,
  () => [webConfig(file, `cert_file: server.crt\n  key_file: server.key\n  ${settings}`)],
  new RegExp(OLD_TLS, 'm'),
];

test.each<Row>([
  keyMismatch('an RSA certificate with an EC key', 'rsa', 'ec'),
  keyMismatch('an EC certificate with an RSA key', 'ec', 'rsa'),
  keyMismatch('an Ed25519 certificate with an EC key', 'ed25519', 'ec'),
  oldTls('min_version TLS10, max_version TLS11', 'tls10-11.yml', 'min_version: TLS10\n  max_version: TLS11'),
  oldTls('TLS11 only', 'tls11.yml', 'min_version: TLS11\n  max_version: TLS11'),
  oldTls(
    'a TLS 1.2 suite with max_version TLS11',
    'tls11-suite.yml',
    'max_version: TLS11\n  min_version: TLS10\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]',
  ),
  [
    '--tensorpix.ca-file with a certificate no parser can read',
    () => [`--tensorpix.ca-file=${join(certs.dir, 'corrupt-ca.pem')}`],
    /^tensorpix-exporter: --tensorpix\.ca-file: .*\/corrupt-ca\.pem: certificate 1 cannot be read \(ERR_OSSL_[A-Z0-9_]+\)$/m,
  ],
  [
    '--tensorpix.ca-file with no certificate',
    () => [`--tensorpix.ca-file=${join(certs.dir, 'token')}`],
    /^tensorpix-exporter: --tensorpix\.ca-file: .*\/token holds no PEM certificate$/m,
  ],
])('%s: --config.check and the start both exit 2 with one line', async (_name, args, line) => {
  for (const extra of [['--config.check'], []]) {
    const run = await runToExit([token(), '--web.listen-address=127.0.0.1:0', ...args(), ...extra]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(line);
    expect(run.stderr).not.toMatch(/"level"|BEGIN|listening|configuration is valid/);
  }
});

/** handshake connects to the exporter and says which TLS version it agreed on, or the error's code. */
function handshake(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      resolve(socket.getProtocol() ?? 'none');
      socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

test.each([
  ['min_version TLS10', 'min_version: TLS10'],
  ['min_version TLS11, max_version TLS12', 'min_version: TLS11\n  max_version: TLS12'],
])(
  'a config that also allows TLS 1.2 (%s) is accepted, and a TLS 1.2 client is served',
  async (_name, versions) => {
    const web = webConfig('tls-old-min.yml', `cert_file: server.crt\n  key_file: server.key\n  ${versions}`);
    const check = await runToExit([token(), web, '--config.check']);
    expect(check.code).toBe(0);
    const exporter = await startExporter([web, '--demo']);
    try {
      const port = Number(new URL(exporter.url).port);
      expect(await handshake(port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
      // Why max_version must reach TLS12: even a client that offers TLS 1.0 and 1.1 at
      // OpenSSL's lowest security level gets no handshake from Node's OpenSSL.
      expect(
        await handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
      ).toMatch(/^ERR_SSL_/);
    } finally {
      exporter.child.kill('SIGKILL');
    }
  },
  20_000,
);
