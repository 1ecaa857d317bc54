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
  /** quietSinceMs is when the client last got something done: connected, sent a request, took an answer. */
  quietSinceMs: number;
  /** answered counts the answers the client took in full: a scraper's kept-alive connection has many. */
  answered = 0;
  /** unsentSinceMs is when a sweep first saw the current answer written but not yet taken. */
  unsentSinceMs: number | undefined;
  /** cut is true once the guard destroyed the connection; its later requests are dropped. */
  cut = false;
  private current: ServerResponse | undefined;
  private readonly waiting: Array<{ res: ServerResponse; run: () => void }> = [];

  constructor(
    readonly socket: Socket,
    private readonly now: () => number,
  ) {
    this.httpSocket = socket;
    this.quietSinceMs = now();
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
    this.quietSinceMs = this.now();
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

  private start(res: ServerResponse, run: () => void): void {
    this.current = res;
    this.unsentSinceMs = undefined;
    // 'finish' is the kernel having taken the whole answer; 'close' an answer cut short.
    const done = () => {
      if (this.current !== res) return;
      this.current = undefined;
      if (res.writableFinished) this.answered++;
      this.quietSinceMs = this.now();
      // A client gone with requests still queued leaves them unanswered, not run for nobody.
      const next = this.waiting.shift();
      if (next && !this.cut && !this.httpSocket.destroyed) this.start(next.res, next.run);
    };
    res.once('finish', done);
    res.once('close', done);
    run();
  }
}
