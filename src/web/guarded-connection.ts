import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * GuardedConnection is what the connection guard knows of one client connection. It hands
 * the connection's requests to the app one at a time — a pipelined request waits until the
 * answer before it has been taken by the kernel — so a connection holds at most one answer
 * in memory however many requests it sends without reading.
 */
export class GuardedConnection {
  /** httpSocket is the socket requests arrive on: `socket` itself, or the TLS socket over it. */
  httpSocket: Socket;
  readonly connectedAtMs: number;
  /** lastActivityMs is when the client last got something done: connected, sent a request, took an answer. */
  lastActivityMs: number;
  /** requests counts the requests the connection sent; until its first, it is a newcomer. */
  requests = 0;
  /** record is the answers the client took in full, each counting half as much every `recordHalfLifeMs` (see recordAt). */
  private record = 0;
  private recordAtMs = 0;
  /** unsentSinceMs is when a sweep first saw the current answer written but not yet taken. */
  unsentSinceMs: number | undefined;
  /** cut is true once the guard destroyed the connection; its later requests are dropped. */
  cut = false;
  /** bytesAtActivity is how much the client had sent at its last activity: more since then is a request arriving. */
  private bytesAtActivity = 0;
  /** arrivingSinceMs is when the guard first saw bytes of a next request, before it was whole. */
  private arrivingSinceMs: number | undefined;
  private current: ServerResponse | undefined;
  private readonly waiting: Array<{ res: ServerResponse; run: () => void }> = [];

  constructor(
    readonly socket: Socket,
    private readonly now: () => number,
    private readonly recordHalfLifeMs: number,
  ) {
    this.httpSocket = socket;
    this.connectedAtMs = now();
    this.lastActivityMs = this.connectedAtMs;
  }

  /**
   * shieldedUntilMs is until when the connection is spared while others can go: a newcomer
   * for `graceMs` after it connected (its handshake and first request are on their way),
   * and a connection whose next request has begun to arrive for `graceMs` after the guard
   * first saw it (byte counts are looked at when the guard looks, at least every sweep).
   */
  shieldedUntilMs(nowMs: number, graceMs: number): number {
    if (this.requests === 0) return this.connectedAtMs + graceMs;
    // The raw socket counts every byte the client sent, TLS records included.
    if (this.socket.bytesRead > this.bytesAtActivity) this.arrivingSinceMs ??= nowMs;
    return this.arrivingSinceMs === undefined ? -Infinity : this.arrivingSinceMs + graceMs;
  }

  /**
   * recordAt is what the client got done lately: the answers it took, each worth 1 when
   * taken and half as much every `recordHalfLifeMs`. A scraper's kept-alive connection
   * earns about 30 (a scrape every 15 s, a half-life of 5 minutes); a flood's connections
   * have taken one answer or none. Fifty quick requests buy an attacker's connection a
   * few minutes, not a place for good: it must keep asking to keep it.
   */
  recordAt(nowMs: number): number {
    return this.record === 0 ? 0 : this.record * 2 ** (-(nowMs - this.recordAtMs) / this.recordHalfLifeMs);
  }

  /** working is true while the app is still producing an answer: the connection is then not shed. */
  get working(): boolean {
    return this.current !== undefined && !this.current.writableEnded;
  }

  /** unsentBytes is how much of the current answer the app has written and the kernel not yet taken. */
  get unsentBytes(): number {
    const res = this.current;
    return res && res.writableEnded && !res.writableFinished ? res.writableLength : 0;
  }

  /**
   * request runs `run` now if the connection has no answer in progress, else queues it.
   * It returns false, queueing nothing, when `maxQueued` requests are already waiting.
   */
  request(res: ServerResponse, run: () => void, maxQueued: number): boolean {
    this.requests++;
    this.active();
    if (this.current === undefined) {
      this.start(res, run);
      return true;
    }
    if (this.waiting.length >= maxQueued) return false;
    this.waiting.push({ res, run });
    return true;
  }

  destroy(): void {
    this.cut = true;
    this.waiting.length = 0;
    this.httpSocket.destroy();
    this.socket.destroy();
  }

  /** active marks the client having got something done now. */
  private active(): void {
    this.lastActivityMs = this.now();
    this.bytesAtActivity = this.socket.bytesRead;
    this.arrivingSinceMs = undefined;
  }

  private start(res: ServerResponse, run: () => void): void {
    this.current = res;
    this.unsentSinceMs = undefined;
    // 'finish' is the kernel having taken the whole answer; 'close' an answer cut short.
    const done = () => {
      if (this.current !== res) return;
      this.current = undefined;
      if (res.writableFinished) {
        const nowMs = this.now();
        this.record = this.recordAt(nowMs) + 1;
        this.recordAtMs = nowMs;
      }
      this.active();
      // A client gone with requests still queued leaves them unanswered, not run for nobody.
      const next = this.waiting.shift();
      if (next && !this.cut && !this.httpSocket.destroyed) this.start(next.res, next.run);
    };
    res.once('finish', done);
    res.once('close', done);
    run();
  }
}
