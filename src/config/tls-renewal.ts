import { statSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FileReader } from './sources';
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
