/**
 * Limiter lets at most `max` upstream requests run at once, across accounts, so that a
 * cold scrape of many accounts does not burst the API. A place is taken with acquire()
 * and given back with the function it returns (once, however often it is called). A
 * request still queued when its signal aborts leaves the queue and rejects with the
 * signal's reason, so the queue holds only attempts that are still alive.
 */
export class Limiter {
  private running = 0;
  private readonly queue = new Set<() => void>();

  constructor(private readonly max: number) {}

  /** queued is how many acquirers are waiting for a place. */
  get queued(): number {
    return this.queue.size;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.running < this.max) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const start = () => {
        this.queue.delete(start);
        signal.removeEventListener('abort', onAbort);
        resolve(this.take());
      };
      const onAbort = () => {
        this.queue.delete(start);
        reject(signal.reason);
      };
      this.queue.add(start);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private take(): () => void {
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      // A Set iterates in insertion order: the longest-waiting attempt goes next.
      this.queue.values().next().value?.();
    };
  }
}
