import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import { certificateBundleProblems } from './pem-certificates';
import { cipherFitProblem } from './tls-cipher-fit';

/** PemOrigin says where a PEM came from, for messages: its key, and its file if it was read from one. */
export interface PemOrigin {
  key: string;
  path?: string;
}

/**
 * TlsMaterial is what a TLS server context is made of, as tls_server_config gave it; the
 * versions, ciphers and curves only where the rest of the section was sound.
 */
export interface TlsMaterial {
  cert: string;
  key: string;
  clientCa?: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  ecdhCurve?: string;
  honorCipherOrder?: boolean;
}

/**
 * secureContextOptions are what a TLS context is made of: the server's, at start and at
 * each renewal, and the trial one that checks a web config, so both are made alike.
 */
export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.clientCa !== undefined && { ca: material.clientCa }),
    ...(material.minVersion !== undefined && { minVersion: material.minVersion }),
    ...(material.maxVersion !== undefined && { maxVersion: material.maxVersion }),
    ...(material.honorCipherOrder !== undefined && { honorCipherOrder: material.honorCipherOrder }),
    ...(material.ciphers !== undefined && { ciphers: material.ciphers }),
    ...(material.ecdhCurve !== undefined && { ecdhCurve: material.ecdhCurve }),
  };
}

const where = (origin: PemOrigin) =>
  origin.path === undefined
    ? `tls_server_config.${origin.key}`
    : `tls_server_config.${origin.key}: ${origin.path}`;
const fileOf = (origin: PemOrigin) => origin.path ?? `tls_server_config.${origin.key}`;
const codeOf = (error: unknown) => (error as { code?: unknown }).code ?? 'error';

/**
 * tlsMaterialProblems makes the server's TLS context once, as the server will, so that a
 * key that is not the certificate's (of its type or another) or a file that holds no PEM
 * fails `--config.check`, the start and a renewal alike (exit 2, or the running certificate
 * kept) instead of the listen (exit 1) or every handshake. Problems name the key and file,
 * never what the file holds, and OpenSSL's own code only where no plainer words fit.
 */
export function tlsMaterialProblems(
  material: TlsMaterial,
  origins: { cert: PemOrigin; key: PemOrigin; clientCa?: PemOrigin },
): string[] {
  const problems: string[] = [];
  // Each part alone first, so that a problem names the file it is about.
  let certOk = true;
  try {
    new X509Certificate(material.cert);
    createSecureContext({ cert: material.cert });
  } catch (error) {
    certOk = false;
    problems.push(`${where(origins.cert)} holds no PEM certificate that can be read (${codeOf(error)})`);
  }
  let keyOk = true;
  try {
    createPrivateKey(material.key);
  } catch (error) {
    keyOk = false;
    problems.push(
      /ENCRYPTED/.test(material.key)
        ? `${where(origins.key)} holds an encrypted private key; give it unencrypted (no passphrase can be given)`
        : `${where(origins.key)} holds no PEM private key that can be read (${codeOf(error)})`,
    );
  }
  if (material.clientCa !== undefined && origins.clientCa)
    problems.push(...certificateBundleProblems(material.clientCa, where(origins.clientCa)));
  if (!certOk || !keyOk || problems.length > 0) return problems;

  const notTheKey = `${where(origins.key)} is not the private key of the certificate in ${fileOf(origins.cert)}`;
  // OpenSSL refuses a key of another certificate of the same type, but puts a key of another
  // type (an EC key with an RSA certificate) in that type's slot and makes the context: every
  // handshake then fails. The certificate itself says whether the key is its own.
  if (!new X509Certificate(material.cert).checkPrivateKey(createPrivateKey(material.key))) return [notTheKey];
  try {
    createSecureContext(secureContextOptions(material));
    const unfit = cipherFitProblem(material, where(origins.key));
    if (unfit) problems.push(unfit);
  } catch (error) {
    problems.push(
      codeOf(error) === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
        ? notTheKey
        : `tls_server_config: the certificate, key and settings cannot make a TLS context (${codeOf(error)})`,
    );
  }
  return problems;
}
