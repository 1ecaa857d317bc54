import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { Dispatcher, ProxyAgent } from 'undici';
import type { ProxyRoute } from './proxy-route';
import { proxyClient } from './proxy-tunnel';
import { TunnelOwners } from './tunnel-owner';
import { undici } from './undici-lazy';

export interface DispatcherOptions {
  /** caCert is an extra PEM bundle to trust beside the system's roots, for the API and an https:// proxy. */
  caCert?: string;
  /** lookup replaces DNS resolution; tests use it to fail a lookup without asking a resolver. */
  lookup?: LookupFunction;
}

// The AbortSignal carries the real deadline; these only stop a forgotten socket. undici
// notices an abort only once a connection is up: a tunnel being opened is ended by its
// request's abort through TunnelOwners, and one no request owns by these timeouts.
const FORGOTTEN_SOCKET_MS = 60_000;
const COMMON = {
  keepAliveTimeout: 30_000,
  headersTimeout: FORGOTTEN_SOCKET_MS,
  bodyTimeout: FORGOTTEN_SOCKET_MS,
};

/**
 * Dispatchers gives each request the undici dispatcher of its route: one keep-alive Agent
 * for every direct request, one ProxyAgent per proxy and credentials. A ProxyAgent
 * tunnels with CONNECT whatever the API's scheme, so the proxy is never sent the request
 * as a proxy request, and TLS to an https:// API (with the extra CA) is made through the
 * tunnel; an http:// API's bytes cross it as they are, readable by the proxy.
 */
export class Dispatchers {
  private direct?: Dispatcher;
  private readonly proxies = new Map<string, ProxyAgent>();
  private readonly owners = new TunnelOwners();
  private readonly ca: string[] | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.ca = options.caCert ? [...rootCertificates, options.caCert] : undefined;
  }

  /**
   * send runs `request` on the route's dispatcher. Through a proxy, a tunnel it opens is
   * the request's while it is opened: aborting `signal` then closes its socket at once
   * (see TunnelOwner); `request` must dispatch in the call, as undici's request() does.
   */
  send<T>(
    route: ProxyRoute | undefined,
    signal: AbortSignal,
    request: (dispatcher: Dispatcher) => Promise<T>,
  ): Promise<T> {
    const dispatcher = this.for(route);
    if (!route || route.kind === 'direct') return request(dispatcher);
    return this.owners.during(signal, () => request(dispatcher));
  }

  for(route: ProxyRoute | undefined): Dispatcher {
    if (!route || route.kind === 'direct')
      return (this.direct ??= new (undici().Agent)({
        ...COMMON,
        connect: { ...this.tls(), ...this.lookup() },
      }));
    const key = keyOf(route);
    let agent = this.proxies.get(key);
    if (!agent) this.proxies.set(key, (agent = this.proxyAgent(route)));
    return agent;
  }

  /**
   * keep closes the proxy agents that none of `routes` (the accounts a reload applied) uses
   * any more, so reloads that keep naming new proxies cannot grow them; requests in flight
   * on a closed agent finish first. There is one agent per proxy and credentials in use,
   * however many accounts share it.
   */
  keep(routes: ReadonlyArray<ProxyRoute | undefined>): void {
    const used = new Set(routes.flatMap((route) => (route?.kind === 'proxy' ? [keyOf(route)] : [])));
    for (const [key, agent] of this.proxies) {
      if (used.has(key)) continue;
      this.proxies.delete(key);
      void agent.close().catch(() => undefined);
    }
  }

  /** destroy aborts requests in flight and closes every socket. */
  async destroy(): Promise<void> {
    await Promise.all([
      this.direct?.destroy(),
      ...[...this.proxies.values()].map((agent) => agent.destroy()),
    ]);
  }

  private proxyAgent(route: Extract<ProxyRoute, { kind: 'proxy' }>): ProxyAgent {
    return new (undici().ProxyAgent)({
      ...COMMON,
      uri: route.origin,
      ...(route.authorization !== undefined && { token: route.authorization }),
      // TLS to the API, inside the tunnel.
      requestTls: this.tls(),
      // The connection to the proxy itself (TLS only for an https:// proxy).
      proxyTls: { ...this.tls(), ...this.lookup() },
      clientFactory: (origin: URL, options: object) =>
        proxyClient(origin, options, route.host, FORGOTTEN_SOCKET_MS, this.owners),
    });
  }

  private tls(): { ca?: string[] } {
    return this.ca ? { ca: this.ca } : {};
  }

  private lookup(): { lookup?: LookupFunction } {
    return this.options.lookup ? { lookup: this.options.lookup } : {};
  }
}

/** keyOf names a proxy agent: one per proxy and credentials. */
const keyOf = (route: Extract<ProxyRoute, { kind: 'proxy' }>) =>
  `${route.origin}\n${route.authorization ?? ''}`;
