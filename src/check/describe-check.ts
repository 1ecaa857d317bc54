import { describeAccount } from '../config/describe-route';
import type { Config } from '../config/config';
import { formatListenAddress } from '../config/listen-address';

/**
 * describeCheck is what --config.check says of a valid configuration: that it is valid,
 * what was checked to say so, each account, and what was not checked. A token that is
 * well-formed may still be revoked or fake: only the API can tell, so the check says so
 * rather than let "valid" promise more than it knows.
 */
export function describeCheck(config: Readonly<Config>): string[] {
  const checked = ['flags and environment'];
  const files = config.accounts.filter((spec) => spec.token.kind === 'file').length;
  const tokens = config.accounts.length;
  if (config.configFile !== undefined) checked.push(`accounts file ${config.configFile}`);
  if (files > 0) checked.push(files > 1 ? `${files} token files readable` : 'token file readable');
  if (tokens > 0) checked.push(tokens > 1 ? `${tokens} tokens well-formed` : 'token well-formed');
  if (config.caCert !== undefined) checked.push('CA file');
  if (config.web) checked.push('web config file');
  const lines = [
    `configuration is valid (checked: ${checked.join(', ')})`,
    ...config.accounts.map(describeAccount),
  ];
  // Binding to try would fail on the port of the very exporter whose next config is checked.
  const listen = `not checked: whether ${formatListenAddress(config.listen)} can be listened on (an address of this machine, a port free); only the start can say`;
  if (config.demo) return [...lines, 'nothing left to check: --demo needs no token and no API', listen];
  if (config.checkApi) return [...lines, listen];
  const which = tokens > 1 ? 'whether the API accepts each token' : 'whether the API accepts the token';
  return [
    ...lines,
    `not checked: ${which} and can be reached; only the API can say (add --config.check.api to ask it once per account)`,
    listen,
  ];
}
