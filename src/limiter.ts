/**
 * Limiter lets at most `max` tasks run at once, across accounts, so that a cold scrape
 * of many accounts does not burst the upstream API. A task still queued when its
 * signal aborts is dropped and rejects with the signal's reason.
 */
export class Limiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        this.queue.splice(this.queue.indexOf(start), 1);
        reject(signal.reason);
      };
      this.queue.push(start);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
