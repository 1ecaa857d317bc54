/**
 * ProxyTunnelError says that a tunnel through the HTTP proxy could not be opened: the
 * proxy could not be reached, or it answered CONNECT with another status than 200 (407
 * or 403 refused, 5xx could not reach the API). It is raised before the API is reached,
 * so classifyError counts it as `proxy` whatever its cause; a failure once the tunnel is
 * up is the API's. `proxyHost` is host:port, never credentials.
 */
export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';

  constructor(
    readonly proxyHost: string,
    /** status is the proxy's answer to CONNECT, absent when it gave none. */
    readonly status?: number,
    cause?: unknown,
  ) {
    super(
      status === undefined
        ? `proxy ${proxyHost} could not be reached`
        : `proxy ${proxyHost} answered CONNECT with HTTP ${status}`,
      { cause },
    );
  }
}
