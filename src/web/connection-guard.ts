import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
}

/** GuardCounts says what the guard did, by reason, since it started. */
export interface GuardCounts {
  /** shed: a quiet connection closed to make room for a new one. */
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
 * closing the quietest one (see quietest: headers never finished, silent, idle keep-alive,
 * an answer not being read) unless every connection has a request in the app, and only
 * then is the newcomer refused. Each connection is answered one request at a time with a
 * short queue, and written answers that their clients do not take are cut after
 * `sendTimeoutMs`, or sooner, longest-waiting first, when all of them together pass
 * `unsentBudgetBytes`.
 */
export class ConnectionGuard {
  readonly counts: GuardCounts = { shed: 0, refused: 0, pipelined: 0, slowReader: 0 };
  /** live are the connections counted against the limit; a cut one leaves at once. */
  private readonly live = new Set<GuardedConnection>();
  /** bySocket finds a connection from its requests, cut ones too (whose requests are dropped). */
  private readonly bySocket = new WeakMap<Socket, GuardedConnection>();
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
      const quietest = this.quietest();
      if (!quietest) {
        this.counts.refused++;
        return void socket.destroy();
      }
      this.counts.shed++;
      this.cut(quietest);
    }
    const connection = new GuardedConnection(socket, this.now);
    this.live.add(connection);
    this.bySocket.set(socket, connection);
    socket.once('close', () => this.live.delete(connection));
  }

  /** listener wraps the app: each request goes through its connection's queue. */
  listener(app: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as Socket & { _parent?: Socket };
      const connection = this.bySocket.get(socket) ?? this.bySocket.get(socket._parent as Socket);
      if (!connection) return void app(req, res);
      if (connection.cut) return;
      connection.httpSocket = socket;
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
   * quietest is the connection to shed for a newcomer: of those with no request in the app,
   * the one with the fewest answers taken, and of those the one quiet the longest. So a
   * connection that never finished a request goes first, oldest first (a newcomer has a few
   * moments to send its request), and a scraper's long kept-alive connection goes last.
   */
  private quietest(): GuardedConnection | undefined {
    let quietest: GuardedConnection | undefined;
    for (const connection of this.live) {
      if (connection.working) continue;
      if (
        !quietest ||
        connection.answered < quietest.answered ||
        (connection.answered === quietest.answered && connection.quietSinceMs < quietest.quietSinceMs)
      )
        quietest = connection;
    }
    return quietest;
  }

  private cut(connection: GuardedConnection): void {
    this.live.delete(connection);
    connection.destroy();
  }
}

/** declaresBody is true for a request that announces a body (a length above 0, or chunks). */
function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
