import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pem } from './certs';

export type KeyType = 'rsa' | 'ec' | 'ed25519';

const NEW_KEY: Record<KeyType, string[]> = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ed25519: ['-newkey', 'ed25519'],
};

/**
 * makeKeyTypeCerts writes into `dir` one self-signed certificate for 127.0.0.1 of each key
 * type (`rsa.crt`/`rsa.key`, `ec.*`, `ed25519.*`), with the openssl command as makeTestCerts
 * does: a certificate of one type with the key of another is what OpenSSL takes into
 * another slot instead of refusing.
 */
export function makeKeyTypeCerts(dir: string): Record<KeyType, Pem> {
  const make = (type: KeyType): Pem => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...NEW_KEY[type],
        '-nodes',
        '-keyout',
        `${type}.key`,
        '-out',
        `${type}.crt`,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return {
      cert: readFileSync(join(dir, `${type}.crt`), 'utf8'),
      key: readFileSync(join(dir, `${type}.key`), 'utf8'),
      certFile: join(dir, `${type}.crt`),
      keyFile: join(dir, `${type}.key`),
    };
  };
  return { rsa: make('rsa'), ec: make('ec'), ed25519: make('ed25519') };
}
