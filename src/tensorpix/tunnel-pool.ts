import { isIP } from 'node:net';
import type { Dispatcher, Pool as PoolClass } from 'undici';
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
    super(origin, options);
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
      data = await super.connect(withoutIpServername(options));
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
 * withoutIpServername drops the server name undici gives an https:// proxy named by its
 * IP address: TLS sends no IP in SNI (RFC 6066), Node warns once per process when asked
 * to, and without one the proxy's certificate is still checked against the address.
 */
function withoutIpServername(options: ConnectOptions): ConnectOptions {
  const { servername, ...rest } = options as ConnectOptions & { servername?: string };
  return servername !== undefined && isIP(servername) !== 0 ? rest : options;
}
