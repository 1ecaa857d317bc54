import { isIP } from 'node:net';
import type { buildConnector, Dispatcher, Pool as PoolClass } from 'undici';
import { ProxyTunnelError } from './proxy-tunnel-error';
import { loadPool } from './undici-parts';

// Loaded with this file, which is loaded only for an account behind a proxy.
const Pool = loadPool();
type Pool = PoolClass;
type PoolOptions = ConstructorParameters<typeof PoolClass>[1];

type ConnectOptions = Parameters<Pool['connect']>[0];
type ConnectCallback = (err: Error | null, data: Dispatcher.ConnectData) => void;

/**
 * TunnelPool is the connection pool to one HTTP proxy that ProxyAgent opens its tunnels
 * with (its `clientFactory`). ProxyAgent sends CONNECT through `connect()`; wrapping it
 * here is the one place where it is certain that a failure happened before the API was
 * reached, so every such failure, and every answer other than 200, becomes a
 * ProxyTunnelError (the socket of a refused tunnel is destroyed first).
 */
export class TunnelPool extends Pool {
  constructor(
    origin: URL,
    options: PoolOptions,
    private readonly proxyHost: string,
  ) {
    super(origin, { ...options, connect: withoutIpServername(options?.connect) });
  }

  override connect(options: ConnectOptions): Promise<Dispatcher.ConnectData>;
  override connect(options: ConnectOptions, callback: ConnectCallback): void;
  override connect(
    options: ConnectOptions,
    callback?: ConnectCallback,
  ): Promise<Dispatcher.ConnectData> | void {
    const tunnel = this.tunnel(options);
    if (!callback) return tunnel;
    tunnel.then(
      (data) => callback(null, data),
      (error: Error) => callback(error, undefined as never),
    );
  }

  private async tunnel(options: ConnectOptions): Promise<Dispatcher.ConnectData> {
    let data: Dispatcher.ConnectData;
    try {
      data = await super.connect(options);
    } catch (error) {
      throw new ProxyTunnelError(this.proxyHost, undefined, error);
    }
    if (data.statusCode !== 200) {
      data.socket.on('error', () => undefined).destroy();
      throw new ProxyTunnelError(this.proxyHost, data.statusCode);
    }
    return data;
  }
}

/**
 * withoutIpServername wraps the connector to the proxy so that an https:// proxy named by
 * its IP address (127.0.0.1, [::1]) is sent no server name: SNI has no form for an address
 * (RFC 6066), Node warns on stderr when asked to send one, and a bracketed IPv6 name would
 * be checked against the certificate as a DNS name. Without one, undici's connector sends
 * none and the certificate is checked against the address. The name is cleared here, where
 * the socket to the proxy is made; on the CONNECT request itself, undici would fall back to
 * the API's host name instead.
 */
function withoutIpServername(
  connect: buildConnector.BuildOptions | buildConnector.connector | undefined,
): buildConnector.BuildOptions | buildConnector.connector | undefined {
  if (typeof connect !== 'function') return connect;
  return (options, callback) => {
    const name = options.servername?.replace(/^\[(.*)\]$/, '$1');
    connect(name && isIP(name) ? { ...options, servername: undefined } : options, callback);
  };
}
