import type {
  Agent as AgentClass,
  Dispatcher,
  Pool as PoolClass,
  ProxyAgent as ProxyAgentClass,
} from 'undici';

/**
 * The parts of undici the client uses, loaded on their own: undici's index also loads
 * fetch, WebSocket, EventSource, the mock agents and the cache stores, about 9 MB of
 * resident memory and 55 ms of start-up the exporter never uses. undici 7 has no
 * `exports` map, so these paths are its published layout; test/modules-loaded.test.ts
 * notices if they move.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const Agent = require('undici/lib/dispatcher/agent') as typeof AgentClass;

// What undici's index does besides loading everything: its dispatchers call their own
// request/connect methods (a ProxyAgent opens its tunnel with pool.connect()).
/* eslint-disable @typescript-eslint/no-require-imports */
Object.assign(
  (require('undici/lib/dispatcher/dispatcher') as { prototype: object }).prototype,
  require('undici/lib/api') as object,
);
/* eslint-enable @typescript-eslint/no-require-imports */

/** loadProxyAgent loads undici's ProxyAgent, when an account is behind a proxy. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const loadProxyAgent = () => require('undici/lib/dispatcher/proxy-agent') as typeof ProxyAgentClass;

/** loadPool loads undici's Pool, which the proxy's tunnel pool extends. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const loadPool = () => require('undici/lib/dispatcher/pool') as typeof PoolClass;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const requestApi = require('undici/lib/api/api-request') as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/** request is undici's request(url, options) on a given dispatcher, for a GET of `url`. */
export function request(
  url: URL,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return requestApi.call(dispatcher, {
    ...rest,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: 'GET',
  });
}
