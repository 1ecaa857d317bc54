import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { GuardedConnection } from './guarded-connection';

/** GuardLimits bound what clients may hold of the exporter, together and one by one. */
export interface GuardLimits {
  /** maxConnections is --web.max-connections: open connections at once, handshakes included. */
  maxConnections: number;
  /** maxQueuedRequests is how many pipelined requests may wait behind the one being answered. */
  maxQueuedRequests: number;
  /** sendTimeoutMs is how long a written answer may take to be taken by its client. */
  sendTimeoutMs: number;
  /** unsentBudgetBytes bounds the answers written and not yet taken, across all connections. */
  unsentBudgetBytes: number;
  /** checkIntervalMs is how often the guard looks for answers past their time or budget. */
  checkIntervalMs: number;
  /** newcomerGraceMs is how long a new connection, or a request beginning to arrive, is spared while others can go. */
  newcomerGraceMs: number;
  /** recordHalfLifeMs is how fast a connection's record of answers taken fades (see GuardedConnection.recordAt). */
  recordHalfLifeMs: number;
}

/** GuardCounts says what the guard did, by reason, since it started. */
export interface GuardCounts {
  /** shed: an idle connection closed to make room for a new one. */
  shed: number;
  /** refused: a new connection closed because every slot was busy with a request. */
  refused: number;
  /** pipelined: more requests sent ahead than a connection may queue. */
  pipelined: number;
  /** slowReader: an answer not taken within the send timeout, or the longest-waiting ones over the budget. */
  slowReader: number;
}

/**
 * ConnectionGuard keeps a hostile client from starving Prometheus of connections or the
 * process of memory. At most `maxConnections` are open: a new connection gets in by
 * closing an idle one (see idlest for which), never one with a request being answered,
 * and only when every connection has a request being answered is the newcomer refused.
 * Each connection is answered one request at a time with a short queue, and written
 * answers that their clients do not take are cut after `sendTimeoutMs`, or sooner,
 * longest-waiting first, when all of them together pass `unsentBudgetBytes`.
 */
export class ConnectionGuard {
  readonly counts: GuardCounts = { shed: 0, refused: 0, pipelined: 0, slowReader: 0 };
  /** live are the connections counted against the limit; a cut one leaves at once. */
  private readonly live = new Set<GuardedConnection>();
  /** bySocket finds a connection from its requests, cut ones too (whose requests are dropped). */
  private readonly bySocket = new WeakMap<Socket, GuardedConnection>();
  /**
   * handshaking finds, by its TCP address pair, a connection whose TLS socket is not known
   * yet: Node gives no public way from a TLS socket to the TCP socket under it, and the pair
   * names one open TCP connection (the kernel never has two open with the same one), which
   * both sockets report. An entry lives from admit until the handshake ends or the TCP
   * socket closes.
   */
  private readonly handshaking = new Map<string, GuardedConnection>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly limits: GuardLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), limits.checkIntervalMs).unref();
  }

  /** admit takes a new TCP connection ('connection' event, before any TLS handshake). */
  admit(socket: Socket): void {
    if (this.live.size >= this.limits.maxConnections) {
      const idlest = this.idlest();
      if (!idlest) {
        this.counts.refused++;
        return void socket.destroy();
      }
      this.counts.shed++;
      this.cut(idlest);
    }
    const connection = new GuardedConnection(socket, this.now, this.limits.recordHalfLifeMs);
    this.live.add(connection);
    this.bySocket.set(socket, connection);
    socket.once('close', () => this.live.delete(connection));
  }

  /**
   * admitTls takes a new TCP connection of a TLS server: as admit, and remembers it until
   * its handshake ends (see secured).
   */
  admitTls(socket: Socket): void {
    this.admit(socket);
    const connection = this.bySocket.get(socket);
    const pair = addressPair(socket);
    // No connection: it was refused. No pair: the client is already gone (it has no address).
    if (!connection || pair === undefined) return;
    this.handshaking.set(pair, connection);
    socket.once('close', () => {
      if (this.handshaking.get(pair) === connection) this.handshaking.delete(pair);
    });
  }

  /**
   * secured links a TLS socket whose handshake ended ('secureConnection', before any of its
   * requests is read) to the connection admitted for the TCP socket under it.
   */
  secured(tlsSocket: TLSSocket): void {
    const pair = addressPair(tlsSocket);
    const connection = pair === undefined ? undefined : this.handshaking.get(pair);
    if (!connection) return;
    this.handshaking.delete(pair!);
    this.bySocket.set(tlsSocket, connection);
    connection.httpSocket = tlsSocket;
  }

  /** listener wraps the app: each request goes through its connection's queue. */
  listener(app: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const connection = this.bySocket.get(req.socket);
      if (!connection) return void app(req, res);
      if (connection.cut) return;
      // No endpoint reads a body: close after answering rather than read gigabytes to drop them.
      if (declaresBody(req)) res.setHeader('Connection', 'close');
      if (!connection.request(res, () => app(req, res), this.limits.maxQueuedRequests)) {
        this.counts.pipelined++;
        this.cut(connection);
      }
    };
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** sweep cuts answers past the send timeout, then the longest-waiting ones over the budget. */
  sweep(): void {
    const nowMs = this.now();
    const waiting: Array<{ connection: GuardedConnection; bytes: number }> = [];
    let total = 0;
    for (const connection of this.live) {
      // Looking now dates a request that has begun to arrive, for idlest.
      connection.shieldedUntilMs(nowMs, this.limits.newcomerGraceMs);
      const bytes = connection.unsentBytes;
      if (bytes === 0) {
        connection.unsentSinceMs = undefined;
        continue;
      }
      connection.unsentSinceMs ??= nowMs;
      if (nowMs - connection.unsentSinceMs >= this.limits.sendTimeoutMs) {
        this.counts.slowReader++;
        this.cut(connection);
        continue;
      }
      total += bytes;
      waiting.push({ connection, bytes });
    }
    if (total <= this.limits.unsentBudgetBytes) return;
    // An answer written since the last sweep gets one interval to be taken before it counts as slow.
    waiting.sort((a, b) => a.connection.unsentSinceMs! - b.connection.unsentSinceMs!);
    for (const { connection, bytes } of waiting) {
      if (total <= this.limits.unsentBudgetBytes || connection.unsentSinceMs === nowMs) break;
      this.counts.slowReader++;
      this.cut(connection);
      total -= bytes;
    }
  }

  /**
   * idlest is the connection to shed for a newcomer, of those with no request being
   * answered: the one whose client got the least done lately (its record, see
   * GuardedConnection.recordAt: silent and slowloris connections have none, a flood's one
   * answer at most, a scraper's kept-alive connection one a scrape), and of those alike
   * the one idle the longest (connected, sent a request or took an answer the longest
   * ago). A connection within its grace — new and its first request not yet read, or its
   * next request arriving — is spared while another can go, the one whose grace began
   * first going first: so Prometheus' new connection is not cut before its request is
   * read, however fast others connect and whatever they did before. At most half the
   * slots are spared so: in a burst of newcomers the older ones beyond that count as
   * what they are (nothing done yet), not as a reason to shed Prometheus' kept-alive
   * connection.
   */
  private idlest(): GuardedConnection | undefined {
    const nowMs = this.now();
    let idlest: GuardedConnection | undefined;
    let idlestRank: Rank = [Infinity, Infinity];
    let firstShielded: GuardedConnection | undefined;
    let firstShieldEndMs = Infinity;
    let shielded = 0;
    for (const connection of this.live) {
      if (connection.working) continue;
      const shieldEndMs = connection.shieldedUntilMs(nowMs, this.limits.newcomerGraceMs);
      if (shieldEndMs > nowMs) {
        shielded++;
        if (shieldEndMs < firstShieldEndMs) [firstShielded, firstShieldEndMs] = [connection, shieldEndMs];
        continue;
      }
      const rank = rankOf(connection, nowMs);
      if (before(rank, idlestRank)) [idlest, idlestRank] = [connection, rank];
    }
    if (!firstShielded) return idlest;
    if (shielded > Math.max(1, Math.floor(this.limits.maxConnections / 2)))
      return idlest && before(idlestRank, rankOf(firstShielded, nowMs)) ? idlest : firstShielded;
    return idlest ?? firstShielded;
  }

  private cut(connection: GuardedConnection): void {
    this.live.delete(connection);
    connection.destroy();
  }
}

/** Rank orders connections to shed, lowest first: by record, then by last activity. */
type Rank = [number, number];
const rankOf = (connection: GuardedConnection, nowMs: number): Rank => [
  connection.recordAt(nowMs),
  connection.lastActivityMs,
];
const before = (a: Rank, b: Rank) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/**
 * addressPair names a socket's TCP connection by both ends' address and port; undefined once
 * the connection is closed (a socket then reports no address).
 */
function addressPair(socket: Socket): string | undefined {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (remoteAddress === undefined || localAddress === undefined) return undefined;
  return `${remoteAddress} ${remotePort} ${localAddress} ${localPort}`;
}

/** declaresBody is true for a request that announces a body (a length above 0, or chunks). */
function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
