import { createPrivateKey } from 'node:crypto';
import type { SecureVersion } from 'node:tls';

/** SIGNER is the TLS 1.2 suites' name for what a key of each type signs with (EdDSA goes with ECDSA's suites). */
const SIGNER: Record<string, string | undefined> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA',
  ec: 'ECDSA',
  ed25519: 'ECDSA',
  ed448: 'ECDSA',
};

/**
 * cipherFitProblem names a cipher_suites list that Node takes but no handshake can use:
 * OpenSSL makes the context and then refuses every client (ERR_SSL_NO_CIPHERS_AVAILABLE,
 * ERR_SSL_NO_SHARED_CIPHER), so the exporter would listen and serve nobody. That happens
 * only without TLS 1.3, whose suites stay on whatever cipher_suites lists (as in Go): when
 * max_version is below TLS13 and the list holds no TLS 1.2 suite, or none for the key's
 * type (an RSA key with ECDSA suites only). `keyWhere` names the key for the message.
 */
export function cipherFitProblem(
  material: { key: string; ciphers?: string; maxVersion?: SecureVersion },
  keyWhere: string,
): string | undefined {
  if (
    material.ciphers === undefined ||
    material.maxVersion === undefined ||
    material.maxVersion === 'TLSv1.3'
  )
    return undefined;
  const tls12 = material.ciphers.split(':').filter((name) => !name.startsWith('TLS_'));
  if (tls12.length === 0)
    return 'tls_server_config.cipher_suites lists only TLS 1.3 suites, and max_version is below TLS13: no handshake could succeed';
  const signer = SIGNER[createPrivateKey(material.key).asymmetricKeyType ?? ''];
  if (signer !== undefined && !tls12.some((name) => name.includes(`-${signer}-`)))
    return `tls_server_config.cipher_suites has no TLS 1.2 suite for the ${signer} key of ${keyWhere}, and max_version is below TLS13: no handshake could succeed`;
  return undefined;
}
