// A tunnel through an HTTP proxy: the pool that opens it, and the two errors that tell its
// failure (ProxyTunnelError as it happens, ProxyFailure as it is counted and logged).

import { isIP } from 'node:net';
import type { buildConnector, Dispatcher } from 'undici';
import { causeOf } from './causes';
import type { TunnelOwners } from './tunnel-owner';
import { undici } from './undici-lazy';
import { UpstreamError } from './upstream-error';

/**
 * proxyClient is the connection pool to one HTTP proxy that a ProxyAgent opens its tunnels
 * with (its `clientFactory`): undici's Pool, given a connector that sends no server name to
 * a proxy named by its IP address, and composed with an interceptor that turns every
 * failure of a CONNECT into a ProxyTunnelError and ties each tunnel to the request it is
 * opened for (see TunnelOwner). The CONNECT request is the one place where it is certain
 * that a failure happened before the API was reached; without it, undici says only "Proxy
 * response (407) !== 200" in a RequestAbortedError's message.
 */
export function proxyClient(
  origin: URL,
  options: { connect?: buildConnector.BuildOptions | buildConnector.connector },
  proxyHost: string,
  headersTimeout: number,
  owners: TunnelOwners,
): Dispatcher {
  const { Pool } = undici();
  return new Pool(origin, {
    ...options,
    headersTimeout,
    // A socket to the proxy carries one CONNECT: it becomes the tunnel, or is closed. One
    // left idle is only undici's reconnection after a CONNECT aborted on the wire (it puts
    // the request back in the queue and connects again before it sees it was aborted):
    // closed at once, rather than held for undici's 4 s.
    keepAliveTimeout: 1,
    connect: withoutIpServername(options.connect),
  }).compose(tunnelFailures(proxyHost, owners));
}

/**
 * tunnelFailures is an interceptor for the CONNECT requests sent to the proxy: a refused
 * tunnel (any answer but 200) destroys the proxy's socket and fails the CONNECT with the
 * proxy's status; any other failure of it (the proxy unreachable, its certificate, a reset)
 * is wrapped with the error as its cause. ProxyAgent hands that error on to the request.
 * When the request the tunnel is for is aborted while it is opened, the CONNECT is
 * aborted, or the open tunnel's socket destroyed (its TLS handshake may still be waiting):
 * its socket closes with the attempt, not a minute later.
 */
function tunnelFailures(proxyHost: string, owners: TunnelOwners): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    if (options.method !== 'CONNECT') return dispatch(options, handler);
    const owner = owners.claim();
    // Once the CONNECT is on its way, the proxy was reached: a failure after is its answer's.
    let sent = false;
    const fail = (controller: Dispatcher.DispatchController, error: ProxyTunnelError) =>
      handler.onResponseError?.(controller, error);
    return dispatch(options, {
      onRequestStart: (controller, context) => {
        sent = true;
        handler.onRequestStart?.(controller, context);
        owner?.watch(() => controller.abort(new Error('the request the tunnel was for was aborted')));
      },
      onRequestUpgrade: (controller, statusCode, headers, socket) => {
        if (statusCode === 200) {
          handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
          owner?.watch(() => socket.on('error', () => undefined).destroy());
          return;
        }
        socket.on('error', () => undefined).destroy();
        fail(controller, new ProxyTunnelError(proxyHost, statusCode));
      },
      onResponseStart: (controller, statusCode, headers, statusMessage) =>
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) =>
        fail(controller, new ProxyTunnelError(proxyHost, undefined, error, sent)),
    });
  };
}

/**
 * withoutIpServername wraps the connector to the proxy so that an https:// proxy named by
 * its IP address (127.0.0.1, [::1]) is sent no server name: SNI has no form for an address
 * (RFC 6066), Node warns on stderr when asked to send one, and a bracketed IPv6 name would
 * be checked against the certificate as a DNS name. Without one, undici's connector sends
 * none and the certificate is checked against the address. ProxyAgent names the proxy's
 * host as the server name of every CONNECT (its `proxyTls.servername` can only replace it
 * with another name), so it is cleared here, where the socket to the proxy is made.
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

/**
 * ProxyTunnelError says that a tunnel through the HTTP proxy could not be opened: the
 * proxy could not be reached, it answered CONNECT with another status than 200 (407
 * or 403 refused, 5xx could not reach the API), or with no valid answer at all (it closed
 * the connection, or sent what is not HTTP). It is raised before the API is reached,
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
    /** sent says the CONNECT was sent: the proxy was reached, and its answer is what failed. */
    sent = false,
  ) {
    super(
      status !== undefined
        ? `proxy ${proxyHost} answered CONNECT with HTTP ${status}`
        : sent
          ? `proxy ${proxyHost} gave no valid answer to CONNECT`
          : `proxy ${proxyHost} could not be reached`,
      { cause },
    );
  }
}

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
