import { causeOf } from './causes';
import type { ProxyTunnelError } from './proxy-tunnel-error';
import { UpstreamError } from './upstream-error';

/**
 * ProxyFailure is the UpstreamError of a tunnel the proxy did not open (code `proxy`).
 * Its log fields name the proxy (host:port, never credentials) and what it said: the
 * status it answered CONNECT with, or the stable code of the connection's failure
 * (ECONNREFUSED, ENOTFOUND…), so an operator knows whom to call and what to tell them.
 */
export class ProxyFailure extends UpstreamError {
  private constructor(
    readonly proxyHost: string,
    readonly proxyStatus: number | undefined,
    readonly rootCode: string | undefined,
    message: string,
  ) {
    super('proxy', message);
  }

  /** from words a tunnel's failure; `codes` are those of the error and its causes, outermost first. */
  static from(tunnel: ProxyTunnelError, codes: readonly string[]): ProxyFailure {
    const rootCode = codes[codes.length - 1];
    const why = tunnel.status === undefined && rootCode ? `: ${causeOf(codes, tunnel.name)}` : '';
    return new ProxyFailure(tunnel.proxyHost, tunnel.status, rootCode, `${tunnel.message}${why}`);
  }

  override fields(): { code: 'proxy'; proxy: string; proxy_status?: number; proxy_error?: string } {
    return {
      code: 'proxy',
      proxy: this.proxyHost,
      ...(this.proxyStatus !== undefined && { proxy_status: this.proxyStatus }),
      ...(this.proxyStatus === undefined && this.rootCode !== undefined && { proxy_error: this.rootCode }),
    };
  }
}
