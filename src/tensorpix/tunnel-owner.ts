// Who a tunnel through a proxy is being opened for, so that its abort can end the opening.

/**
 * TunnelOwner is the request a tunnel is being opened for, and its abort signal. undici
 * ties an abort to a socket only once the request is written on one: while a ProxyAgent
 * opens the tunnel (the CONNECT, then TLS to the API inside it) an aborted request only
 * waits in its queue, and the socket stays open until the proxy answers or a timeout of
 * undici's fires (a minute). The owner lets the one who opens the tunnel end it instead:
 * `watch` names how, and the request's abort does it at once.
 */
export class TunnelOwner {
  private cut: (() => void) | undefined;
  private released = false;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** watch makes `cut` the way to end the tunnel's opening: now if the request is aborted already. */
  watch(cut: () => void): void {
    if (this.released) return;
    if (this.signal.aborted) cut();
    else this.cut = cut;
  }

  /** release lets go of the tunnel: the request has its answer or its error, and owns nothing more. */
  release(): void {
    this.released = true;
    this.cut = undefined;
    this.signal.removeEventListener('abort', this.onAbort);
  }

  private readonly onAbort = () => {
    const cut = this.cut;
    this.cut = undefined;
    cut?.();
  };
}

/**
 * TunnelOwners hands each CONNECT its owner. undici dispatches a request, and the CONNECT
 * of the tunnel it needs (when no open one is free), in one synchronous call: the request
 * being dispatched when a CONNECT is sent is the one it is for. A CONNECT sent at another
 * time (a reconnection undici starts by itself) has no owner and falls back to undici's
 * timeouts.
 */
export class TunnelOwners {
  private dispatching: TunnelOwner | undefined;

  /**
   * during runs `dispatch` (a request's sending) as the owner of any tunnel it opens, until
   * the promise it returns settles: by then the request has its answer or its error.
   */
  async during<T>(signal: AbortSignal, dispatch: () => Promise<T>): Promise<T> {
    const owner = new TunnelOwner(signal);
    this.dispatching = owner;
    try {
      const sent = dispatch();
      this.dispatching = undefined;
      return await sent;
    } finally {
      this.dispatching = undefined;
      owner.release();
    }
  }

  /** claim gives a CONNECT being sent its owner, if a request is being dispatched; once. */
  claim(): TunnelOwner | undefined {
    const owner = this.dispatching;
    this.dispatching = undefined;
    return owner;
  }
}
