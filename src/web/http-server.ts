import { createServer as createPlainServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TlsSettings } from '../config/web-tls-settings';

/** ServerLimits cut off slow or oversized clients (slowloris, header floods) early. */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderSize: number;
  /** checkIntervalMs is how often Node looks for connections past their timeouts. */
  checkIntervalMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Above Prometheus' idle timeout, so Prometheus closes idle connections, not us mid-scrape.
  keepAliveTimeoutMs: 65_000,
  maxHeaderSize: 8192,
  checkIntervalMs: 1000,
};

function sansOf(socket: TLSSocket): string[] {
  const altNames = socket.getPeerCertificate().subjectaltname ?? '';
  return altNames
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address|email|URI):/, ''))
    .filter(Boolean);
}

/**
 * clientCertRejected applies the client_auth_type policies that Node's own
 * `rejectUnauthorized` cannot express, and client_allowed_sans, after the handshake.
 */
function clientCertRejected(socket: TLSSocket, tls: TlsSettings): boolean {
  const hasCert = Object.keys(socket.getPeerCertificate()).length > 0;
  if (tls.clientAuth === 'RequireAnyClientCert' && !hasCert) return true;
  if (tls.clientAuth === 'VerifyClientCertIfGiven' && hasCert && !socket.authorized) return true;
  if (tls.allowedSans.length > 0 && !sansOf(socket).some((san) => tls.allowedSans.includes(san))) return true;
  return false;
}

/** createHttpServer makes the plain or TLS server for `app`, with limits; it does not listen. */
export function createHttpServer(
  app: RequestListener,
  tls?: TlsSettings,
  limits: ServerLimits = DEFAULT_LIMITS,
): Server {
  const common = {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
  if (!tls) return createPlainServer(common, app);
  const server = createTlsServer(
    {
      ...common,
      cert: tls.cert,
      key: tls.key,
      ...(tls.clientCa !== undefined && { ca: tls.clientCa }),
      requestCert: tls.clientAuth !== 'NoClientCert',
      rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
      minVersion: tls.minVersion,
      maxVersion: tls.maxVersion,
      honorCipherOrder: tls.honorCipherOrder,
      ...(tls.ciphers !== undefined && { ciphers: tls.ciphers }),
      ...(tls.ecdhCurve !== undefined && { ecdhCurve: tls.ecdhCurve }),
    },
    app,
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    if (clientCertRejected(socket, tls)) socket.destroy();
  });
  return server;
}
