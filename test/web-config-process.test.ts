import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToExit } from './helpers/child';
import { makeTestCerts, type TestCerts } from './helpers/certs';

// The hostile review's web configs that --config.check passed (exit 0) and the start then
// failed on with exit 1 and a raw fatal line, or that left no handshake possible: both must
// now stop with exit 2 before listening and name every problem in one line each.
let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
  writeFileSync(join(certs.dir, 'token'), 'tpx-web-config-process\n');
  writeFileSync(join(certs.dir, 'garbage.pem'), 'not a certificate\n');
});
afterAll(() => certs.cleanup());

const flags = (file: string) => [
  `--tensorpix.token-file=${join(certs.dir, 'token')}`,
  '--web.listen-address=127.0.0.1:0',
  `--web.config.file=${file}`,
];

test.each<[string, () => string, RegExp[]]>([
  [
    "a key that is not the certificate's",
    () => `cert_file: server.crt\n  key_file: client.key`,
    [
      /^tensorpix-exporter: --web\.config\.file: tls_server_config\.key_file: .*\/client\.key is not the private key of the certificate in .*\/server\.crt$/m,
    ],
  ],
  [
    'a certificate file that holds no PEM',
    () => `cert_file: garbage.pem\n  key_file: server.key`,
    [
      /^tensorpix-exporter: --web\.config\.file: tls_server_config\.cert_file: .*\/garbage\.pem holds no PEM certificate/m,
    ],
  ],
  [
    'min_version above max_version, and a key of another certificate',
    () => `cert_file: server.crt\n  key_file: client.key\n  min_version: TLS13\n  max_version: TLS12`,
    [
      /^tensorpix-exporter: --web\.config\.file: tls_server_config\.min_version TLS13 is above max_version TLS12: no handshake could succeed$/m,
      /is not the private key of the certificate/,
    ],
  ],
])(
  'web config with %s: --config.check and the start both exit 2, naming every problem',
  async (_name, tls, lines) => {
    const file = join(certs.dir, 'web.yml');
    writeFileSync(file, `tls_server_config:\n  ${tls()}\n`);
    for (const extra of [['--config.check'], []]) {
      const run = await runToExit([...flags(file), ...extra]);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      for (const line of lines) expect(run.stderr).toMatch(line);
      expect(run.stderr).not.toMatch(/"level"|BEGIN|listening/);
    }
  },
);
