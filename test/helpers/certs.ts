import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestCerts {
  dir: string;
  ca: Pem;
  /** server is signed by the CA for 127.0.0.1 and localhost. */
  server: Pem;
  /** addressesOnly is signed by the CA for 127.0.0.1 and ::1, and no name. */
  addressesOnly: Pem;
  /** wrongHost is signed by the CA for another name only. */
  wrongHost: Pem;
  /** selfSigned is its own issuer, for 127.0.0.1. */
  selfSigned: Pem;
  /** expired is signed by the CA for 127.0.0.1, and was valid for one day in 2020. */
  expired: Pem;
  /** client is a client certificate signed by the CA, with a DNS SAN of prometheus.test. */
  client: Pem;
  cleanup(): void;
}

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

/** EC_KEY are openssl req's options for a new P-256 key. */
export const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

/** readPem reads `<name>.crt` and `<name>.key` from `dir`. */
export function readPem(dir: string, name: string): Pem {
  return {
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    certFile: join(dir, `${name}.crt`),
    keyFile: join(dir, `${name}.key`),
  };
}

/**
 * writeSelfSigned writes `<name>.crt` and `<name>.key` into `dir`: a certificate for
 * 127.0.0.1, its own issuer, on a new key that `newKey` (openssl req's options) makes.
 */
export function writeSelfSigned(dir: string, name: string, newKey: string[]): Pem {
  openssl(
    [
      'req',
      '-x509',
      ...newKey,
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    dir,
  );
  return readPem(dir, name);
}

/** makeTestCerts generates throwaway certificates with the openssl command, in a temp folder. */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-certs-'));
  const pem = (name: string): Pem => readPem(dir, name);
  const ec = [...EC_KEY, '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=tensorpix test CA',
    ],
    dir,
  );
  const signed = (name: string, subject: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
  };
  signed('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  signed('addresses-only', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,IP:::1\n');
  signed(
    'wrong-host',
    '/CN=other.invalid',
    'subjectAltName=DNS:other.invalid\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  signed('client', '/CN=prometheus', 'subjectAltName=DNS:prometheus.test\nextendedKeyUsage=clientAuth\n');
  writeSelfSigned(dir, 'self-signed', EC_KEY);
  // `openssl x509` takes no dates in the past; `openssl ca` does, with a database of its own.
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = ca.srl\n' +
      'default_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n[any]\ncommonName = supplied\n',
  );
  writeFileSync(join(dir, 'index.txt'), '');
  openssl(
    [
      'req',
      ...ec,
      '-keyout',
      'expired.key',
      '-out',
      'expired.csr',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    dir,
  );
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      'expired.csr',
      '-out',
      'expired.crt',
      '-notext',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
    ],
    dir,
  );
  return {
    dir,
    ca: pem('ca'),
    expired: pem('expired'),
    server: pem('server'),
    addressesOnly: pem('addresses-only'),
    wrongHost: pem('wrong-host'),
    selfSigned: pem('self-signed'),
    client: pem('client'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
