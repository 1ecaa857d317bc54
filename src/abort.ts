/**
 * untilAborted waits for `work` but gives up, without rejecting, once `signal` aborts.
 * It resolves true when the work settled first. The listener is removed either way so
 * long-lived signals do not collect listeners.
 */
export function untilAborted(work: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => resolve(true),
      () => resolve(true),
    );
    work.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
  });
}
