import type { SecureContextOptions } from 'node:tls';
import type { TlsSettings } from '../config/web-tls-settings';

/** secureContextOptions are what the server's TLS context is made of, at start and at each renewal. */
export function secureContextOptions(tls: TlsSettings): SecureContextOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa !== undefined && { ca: tls.clientCa }),
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    honorCipherOrder: tls.honorCipherOrder,
    ...(tls.ciphers !== undefined && { ciphers: tls.ciphers }),
    ...(tls.ecdhCurve !== undefined && { ecdhCurve: tls.ecdhCurve }),
  };
}
