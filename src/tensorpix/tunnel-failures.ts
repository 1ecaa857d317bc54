import { isIP } from 'node:net';
import type { buildConnector, Dispatcher } from 'undici';
import { ProxyTunnelError } from './proxy-tunnel-error';
import { undici } from './undici-lazy';

/**
 * proxyClient is the connection pool to one HTTP proxy that a ProxyAgent opens its tunnels
 * with (its `clientFactory`): undici's Pool, given a connector that sends no server name to
 * a proxy named by its IP address, and composed with an interceptor that turns every
 * failure of a CONNECT into a ProxyTunnelError. The CONNECT request is the one place where
 * it is certain that a failure happened before the API was reached; without it, undici
 * says only "Proxy response (407) !== 200" in a RequestAbortedError's message.
 */
export function proxyClient(
  origin: URL,
  options: { connect?: buildConnector.BuildOptions | buildConnector.connector },
  proxyHost: string,
  headersTimeout: number,
): Dispatcher {
  const { Pool } = undici();
  return new Pool(origin, {
    ...options,
    headersTimeout,
    connect: withoutIpServername(options.connect),
  }).compose(tunnelFailures(proxyHost));
}

/**
 * tunnelFailures is an interceptor for the CONNECT requests sent to the proxy: a refused
 * tunnel (any answer but 200) destroys the proxy's socket and fails the CONNECT with the
 * proxy's status; any other failure of it (the proxy unreachable, its certificate, a reset)
 * is wrapped with the error as its cause. ProxyAgent hands that error on to the request.
 */
function tunnelFailures(proxyHost: string): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    if (options.method !== 'CONNECT') return dispatch(options, handler);
    const fail = (controller: Dispatcher.DispatchController, error: ProxyTunnelError) =>
      handler.onResponseError?.(controller, error);
    return dispatch(options, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) => {
        if (statusCode === 200) return handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
        socket.on('error', () => undefined).destroy();
        fail(controller, new ProxyTunnelError(proxyHost, statusCode));
      },
      onResponseStart: (controller, statusCode, headers, statusMessage) =>
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) =>
        fail(controller, new ProxyTunnelError(proxyHost, undefined, error)),
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
