// TLS renewal, whole: watchTlsFiles notices that the certificate files changed and reads them
// again as at start; refreshTls hands what it read to the running server.

import { X509Certificate } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Server } from 'node:https';
import type { Logger } from '../log/logger';
import type { FileReader } from './sources';
import { secureContextOptions } from './tls-material';
import { parseWebConfig } from './web-config';
import type { TlsFiles, TlsSettings } from './web-tls-settings';

/** TlsRenewal is what a look at the TLS files found. */
export type TlsRenewal =
  { kind: 'unchanged' } | { kind: 'renewed'; tls: TlsSettings } | { kind: 'unusable'; problems: string[] };

const describe = (path: string, { dev, ino, size, mtimeMs, ctimeMs }: Stats) =>
  `${path}:${dev}:${ino}:${size}:${mtimeMs}:${ctimeMs}`;
const failed = (path: string, error: unknown) => `${path}:${(error as { code?: string }).code ?? 'error'}`;

/** fingerprint says which version of a file is there: a renewal writes anew or swaps a link (Kubernetes). */
async function fingerprint(path: string): Promise<string> {
  try {
    return describe(path, await stat(path));
  } catch (error) {
    return failed(path, error);
  }
}

/**
 * fingerprintNow is fingerprint at once, for the files just read: taken later (an await
 * away, behind a busy thread pool), it could already describe a renewal that came in
 * between, which would then never be seen.
 */
function fingerprintNow(path: string): string {
  try {
    return describe(path, statSync(path));
  } catch (error) {
    return failed(path, error);
  }
}

const watched = (files: TlsFiles) =>
  [files.webConfig, files.cert, files.key, files.clientCa].filter((path) => path !== undefined);

/**
 * watchTlsFiles returns a look at the web config file and the certificate, key and client
 * CA files it names, as exporter-toolkit re-reads them for every handshake: a certificate
 * renewed in place (cert-manager, certbot) is served without a restart. Each look stats
 * the files (without blocking the event loop); only when one of them changed is the web
 * config read and checked again, as at start. A change that cannot be used is reported
 * once, when it is still there at the next look, until the files change again.
 */
export function watchTlsFiles(running: TlsSettings, readFile: FileReader) {
  let files = running.files;
  let current: TlsSettings = running;
  let seen = Promise.resolve(watched(files).map(fingerprintNow).join('\n'));
  let unusableAt: string | undefined;
  return async (): Promise<TlsRenewal> => {
    const before = await seen;
    const now = (await Promise.all(watched(files).map(fingerprint))).join('\n');
    if (now === before) return { kind: 'unchanged' };
    const parsed = parseWebConfig(files.webConfig, readFile);
    const tls = parsed.ok ? parsed.value.tls : undefined;
    if (!tls) {
      // A renewal writes its files one after the other: what cannot be used is said only if
      // it is still so, the files unchanged, at the next look.
      if (unusableAt !== now) {
        unusableAt = now;
        return { kind: 'unchanged' };
      }
      seen = Promise.resolve(now);
      return {
        kind: 'unusable',
        problems: parsed.ok ? ['tls_server_config is gone: a restart serves without TLS'] : parsed.problems,
      };
    }
    seen = Promise.resolve(now);
    // Touched, or rewritten the same: nothing to renew.
    if (JSON.stringify(tls) === JSON.stringify(current)) return { kind: 'unchanged' };
    current = tls;
    if (watched(tls.files).join('\n') !== watched(files).join('\n')) {
      // Other files named: watch those from now on.
      files = tls.files;
      seen = Promise.resolve(watched(files).map(fingerprintNow).join('\n'));
    }
    return { kind: 'renewed', tls };
  };
}

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
 * refreshTls looks at the TLS files every `intervalMs` (`look`, a watchTlsFiles)
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
