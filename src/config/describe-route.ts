import { describeTokenSource, type AccountSpec } from '../accounts/account-spec';
import type { ProxyRoute } from '../tensorpix/proxy-route';

/**
 * describeRoute says how requests travel, for --config.check: the proxy (its origin, no
 * credentials) and where it was set, or why they go direct.
 */
export function describeRoute(route: ProxyRoute | undefined): string {
  if (!route || route.kind === 'direct') return `direct (${route?.reason ?? 'no proxy set'})`;
  const credentials = route.credentialsFrom ? `, credentials from ${route.credentialsFrom}` : '';
  return `proxy ${route.origin} (from ${route.source}${credentials})`;
}

/** describeAccount is the --config.check line of one account: its API, route and token's source. */
export const describeAccount = (spec: AccountSpec) =>
  `account ${spec.name}: API ${spec.apiUrl}, ${describeRoute(spec.route)}, token from ${describeTokenSource(spec)}`;

/** watchedFields is what the start's log line says of an account: its API, route and token's source. */
export const watchedFields = (spec: AccountSpec) => ({
  account: spec.name,
  api_url: spec.apiUrl,
  route: describeRoute(spec.route),
  token_from: describeTokenSource(spec),
});
