import { createServer as createPlainServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsSettings } from '../config/web-tls-settings';
import type { Logger } from '../log/logger';
import { ConnectionGuard, type GuardCounts, type GuardLimits } from './connection-guard';
import { secureContextOptions } from '../config/tls-material';

/**
 * ServerLimits cut off slow or oversized clients (slowloris, header floods) early, and
 * bound what clients may hold (see ConnectionGuard).
 */
export interface ServerLimits extends GuardLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderSize: number;
  /** checkIntervalMs is how often Node and the guard look for connections past their limits. */
  checkIntervalMs: number;
}

/** DEFAULT_MAX_CONNECTIONS is --web.max-connections' default: room for many Prometheus servers and people. */
const DEFAULT_MAX_CONNECTIONS = 256;

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Above Prometheus' idle timeout, so Prometheus closes idle connections, not us mid-scrape.
  keepAliveTimeoutMs: 65_000,
  maxHeaderSize: 8192,
  checkIntervalMs: 1000,
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  // Prometheus never pipelines; a client that queues more than this is not a scraper.
  maxQueuedRequests: 16,
  sendTimeoutMs: 30_000,
  unsentBudgetBytes: 32 * 1024 * 1024,
  // A newcomer's handshake and request take milliseconds; a second covers a loaded host.
  newcomerGraceMs: 1000,
  // Long beside any scrape interval, so a scraper's record stands well above a flood's.
  recordHalfLifeMs: 5 * 60_000,
};

/**
 * LISTEN_BACKLOG is how many connections the kernel may hold for the exporter to accept
 * (capped by net.core.somaxconn). Node's 511 overflowed under a burst of hostile connects,
 * and a SYN the kernel drops is sent again only after a second: the next scrape on a new
 * connection then took 1.1 s. Each held connection costs the kernel a few hundred bytes.
 */
export const LISTEN_BACKLOG = 4096;

/** GUARD_REPORT_MS is how often, at most, what the guard did is logged. */
const GUARD_REPORT_MS = 10_000;

function sansOf(altNames: string | undefined): string[] {
  return (altNames ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address|email|URI):/, ''))
    .filter(Boolean);
}

/**
 * clientCertRejected applies the client_auth_type policies that Node's own
 * `rejectUnauthorized` cannot express, and client_allowed_sans, after the handshake.
 */
function clientCertRejected(socket: TLSSocket, tls: TlsSettings): boolean {
  const cert = socket.getPeerCertificate();
  const hasCert = Object.keys(cert).length > 0;
  if (tls.clientAuth === 'RequireAnyClientCert' && !hasCert) return true;
  if (tls.clientAuth === 'VerifyClientCertIfGiven' && hasCert && !socket.authorized) return true;
  if (tls.allowedSans.length > 0 && !sansOf(cert.subjectaltname).some((san) => tls.allowedSans.includes(san)))
    return true;
  return false;
}

/**
 * checksAfterHandshake tells whether clientCertRejected can reject anything under `tls`
 * (the policy is fixed for the process): otherwise no connection pays for the check.
 */
const checksAfterHandshake = (tls: TlsSettings): boolean =>
  tls.clientAuth === 'RequireAnyClientCert' ||
  tls.clientAuth === 'VerifyClientCertIfGiven' ||
  tls.allowedSans.length > 0;

/** createHttpServer makes the plain or TLS server for `app`, with limits; it does not listen. */
export function createHttpServer(
  app: RequestListener,
  tls?: TlsSettings,
  limits: ServerLimits = DEFAULT_LIMITS,
  logger?: Logger,
): Server {
  const guard = new ConnectionGuard(limits);
  const server = createServer(guard.listener(app), tls, limits);
  // Registered after the TLS server's own listener, so the guard sees every TCP connection, handshakes included.
  if (!tls) server.on('connection', (socket: Socket) => guard.admit(socket));
  else {
    server.on('connection', (socket: Socket) => guard.admitTls(socket));
    // First, so the guard knows the TLS socket before the HTTP server reads from it.
    server.prependListener('secureConnection', (socket: TLSSocket) => guard.secured(socket));
  }
  const report = logger && setInterval(guardReporter(guard.counts, logger), GUARD_REPORT_MS).unref();
  server.on('close', () => {
    guard.close();
    clearInterval(report);
  });
  return server;
}

/** guardReporter logs what the guard did since its last call, if it did anything. */
function guardReporter(counts: Readonly<GuardCounts>, logger: Logger): () => void {
  let last = { ...counts };
  return () => {
    const delta = { ...counts };
    for (const reason of Object.keys(delta) as Array<keyof GuardCounts>) delta[reason] -= last[reason];
    last = { ...counts };
    if (Object.values(delta).some((n) => n > 0))
      logger.warn(
        { ...delta, interval_s: GUARD_REPORT_MS / 1000 },
        'connections closed to protect the exporter',
      );
  };
}

function createServer(app: RequestListener, tls: TlsSettings | undefined, limits: ServerLimits): Server {
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
      ...secureContextOptions(tls),
      requestCert: tls.clientAuth !== 'NoClientCert',
      rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
    },
    app,
  );
  if (checksAfterHandshake(tls))
    server.on('secureConnection', (socket: TLSSocket) => {
      if (clientCertRejected(socket, tls)) socket.destroy();
    });
  return server;
}
