/**
 * ProxyRoute is how an account's requests reach its API: directly, or through an HTTP
 * proxy, and why (for --config.check and the logs). It is decided once, when the
 * configuration is loaded; `authorization` is the Proxy-Authorization value and is never
 * shown.
 */
export type ProxyRoute =
  | {
      kind: 'direct';
      /** reason says why no proxy is used, e.g. "NO_PROXY" or "no HTTPS_PROXY". */
      reason: string;
    }
  | {
      kind: 'proxy';
      /** origin is the proxy's scheme, host and port, without credentials. */
      origin: string;
      /** host is the proxy's host:port, what logs and errors name. */
      host: string;
      /** source is where the proxy was set: "HTTPS_PROXY", "--tensorpix.proxy-url", an accounts file key. */
      source: string;
      authorization?: string;
      /** credentialsFrom says where the credentials came from ("the URL", a file), never what they are. */
      credentialsFrom?: string;
    };
