import { EC_KEY, writeSelfSigned, type Pem } from './certs';

export type KeyType = 'rsa' | 'ec' | 'ed25519';

const NEW_KEY: Record<KeyType, string[]> = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: EC_KEY,
  ed25519: ['-newkey', 'ed25519'],
};

/**
 * makeKeyTypeCerts writes into `dir` one self-signed certificate for 127.0.0.1 of each key
 * type (`rsa.crt`/`rsa.key`, `ec.*`, `ed25519.*`), with the openssl command as makeTestCerts
 * does: a certificate of one type with the key of another is what OpenSSL takes into
 * another slot instead of refusing.
 */
export function makeKeyTypeCerts(dir: string): Record<KeyType, Pem> {
  const make = (type: KeyType) => writeSelfSigned(dir, type, NEW_KEY[type]);
  return { rsa: make('rsa'), ec: make('ec'), ed25519: make('ed25519') };
}
