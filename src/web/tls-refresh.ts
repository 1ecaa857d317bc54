import { X509Certificate } from 'node:crypto';
import type { Server } from 'node:https';
import type { TlsRenewal } from '../config/tls-renewal';
import type { TlsSettings } from '../config/web-tls-settings';
import type { Logger } from '../log/logger';
import { secureContextOptions } from '../config/tls-material';

/** TLS_CHECK_INTERVAL_MS is how often the TLS files are looked at: a stat of each, a read only when one changed. */
const TLS_CHECK_INTERVAL_MS = 5000;

const notAfter = (cert: string) => {
  try {
    return new Date(new X509Certificate(cert).validTo).toISOString();
  } catch {
    return undefined;
  }
};

/**
 * refreshTls looks at the TLS files every `intervalMs` (`look`, see config/tls-renewal)
 * and gives a renewed certificate, key and client CA to `server` for the handshakes that
 * follow; connections already open keep theirs. What cannot be used leaves the running
 * ones in place, and is logged once. The client certificate policy (client_auth_type,
 * client_allowed_sans) is the one the server started with. It stops with the server.
 */
export function refreshTls(
  server: Server,
  running: TlsSettings,
  look: () => Promise<TlsRenewal>,
  logger: Logger,
  intervalMs = TLS_CHECK_INTERVAL_MS,
): void {
  let looking = false;
  const check = async () => {
    if (looking) return;
    looking = true;
    try {
      const renewal = await look();
      if (renewal.kind === 'unusable') {
        logger.warn(
          { problems: renewal.problems },
          'TLS files changed but cannot be used; the running certificate is kept',
        );
      } else if (renewal.kind === 'renewed') {
        const { tls } = renewal;
        server.setSecureContext(secureContextOptions(tls));
        logger.info(
          {
            cert_file: tls.files.cert,
            key_file: tls.files.key,
            client_ca_file: tls.files.clientCa,
            not_after: notAfter(tls.cert),
          },
          'TLS certificate reloaded',
        );
        if (tls.clientAuth !== running.clientAuth || tls.allowedSans.join() !== running.allowedSans.join())
          logger.warn('client_auth_type and client_allowed_sans changed: they take effect at a restart');
      }
    } catch (error) {
      // setSecureContext refusing what the check accepted: the old context stays.
      logger.warn({ err: error }, 'TLS files could not be reloaded; the running certificate is kept');
    } finally {
      looking = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs).unref();
  server.on('close', () => clearInterval(timer));
}
