import type {
  Agent as AgentClass,
  Dispatcher,
  Pool as PoolClass,
  ProxyAgent as ProxyAgentClass,
} from 'undici';

/**
 * The parts of undici the client uses, loaded on their own and when first needed: undici's
 * index also loads fetch, WebSocket, EventSource, the mock agents and the cache stores, about
 * 9 MB of resident memory and 55 ms of start-up the exporter never uses, and even the parts
 * it uses wait for the first API request rather than delay the start. undici 7 has no
 * `exports` map, so these paths are its published layout; test/modules-loaded.test.ts
 * notices if they move.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
function load() {
  // What undici's index does besides loading everything: its dispatchers call their own
  // request/connect methods (a ProxyAgent opens its tunnel with pool.connect()).
  Object.assign(
    (require('undici/lib/dispatcher/dispatcher') as { prototype: object }).prototype,
    require('undici/lib/api') as object,
  );
  return {
    Agent: require('undici/lib/dispatcher/agent') as typeof AgentClass,
    requestApi: require('undici/lib/api/api-request') as (
      this: Dispatcher,
      options: Dispatcher.RequestOptions,
    ) => Promise<Dispatcher.ResponseData>,
  };
}

let parts: ReturnType<typeof load> | undefined;
const undici = () => (parts ??= load());

/** newAgent makes undici's keep-alive Agent. */
export const newAgent = (options: AgentClass.Options): Dispatcher => new (undici().Agent)(options);

/** loadProxyAgent loads undici's ProxyAgent, when an account is behind a proxy. */
export function loadProxyAgent(): typeof ProxyAgentClass {
  undici();
  return require('undici/lib/dispatcher/proxy-agent') as typeof ProxyAgentClass;
}

/** loadPool loads undici's Pool, which the proxy's tunnel pool extends. */
export function loadPool(): typeof PoolClass {
  undici();
  return require('undici/lib/dispatcher/pool') as typeof PoolClass;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** request is undici's request(url, options) on a given dispatcher, for a GET of `url`. */
export function request(
  url: URL,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return undici().requestApi.call(dispatcher, {
    ...rest,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: 'GET',
  });
}
