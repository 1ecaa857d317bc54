interface Waiter {
  priority: number;
  /** deadlineMs is when the waiter's attempt ends (monotonic), past which a place is wasted on it. */
  deadlineMs: number;
  /** leastMs is the time a request needs at the least to be worth starting. */
  leastMs: number;
  start: () => void;
}

/**
 * Limiter lets at most `max` upstream requests run at once, across accounts, so that a
 * cold scrape of many accounts does not burst the API. A place is taken with acquire()
 * and given back with the function it returns (once, however often it is called). Waiters
 * are served by `priority`, lowest first, in arrival order among equals: the accounts pass
 * when they were last served, so one that timed out in the queue goes first the next time
 * instead of behind the same others again. A place is not given to a waiter too close to
 * its deadline to use it (it would send a request only to abort it, while the next waiter
 * could have used the place); that waiter times out in the queue, as it was going to. A
 * request still queued when its signal aborts leaves the queue and rejects with the
 * signal's reason, so the queue holds only attempts that are still alive.
 */
export class Limiter {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly max: number,
    /** now is the monotonic clock the waiters' deadlines are on. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  acquire(
    signal: AbortSignal,
    {
      priority = 0,
      deadlineMs = Infinity,
      leastMs = 0,
    }: { priority?: number; deadlineMs?: number; leastMs?: number } = {},
  ): Promise<() => void> {
    signal.throwIfAborted();
    if (this.running < this.max) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        deadlineMs,
        leastMs,
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.take());
        },
      };
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal.reason);
      };
      // After every waiter of a lower or equal priority: the queue stays in serving order.
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1]!.priority > priority) at--;
      this.queue.splice(at, 0, waiter);
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
      const nowMs = this.now();
      const next = this.queue.findIndex((waiter) => waiter.deadlineMs - nowMs >= waiter.leastMs);
      if (next >= 0) this.queue.splice(next, 1)[0]!.start();
    };
  }
}
