import { isLoopback } from '../config/proxy-settings';
import type { Logger } from '../log/logger';

/**
 * clearTextApis are the origins of the http:// API URLs among `apiUrls` whose host is not
 * this machine: their requests carry the token, and their answers the balance, in clear.
 */
export function clearTextApis(apiUrls: Iterable<string>): string[] {
  const origins = new Set<string>();
  for (const apiUrl of apiUrls) {
    const url = new URL(apiUrl);
    if (url.protocol === 'http:' && !isLoopback(url.hostname.replace(/^\[(.*)\]$/, '$1')))
      origins.add(url.origin);
  }
  return [...origins];
}

/**
 * warnClearTextApis says once, at start, that an http:// API off this machine is read in
 * clear: whoever is on the way (a proxy too: it relays the tunnel's bytes as they are) can
 * read the token and answer a balance of its own making, which would be exported as true.
 */
export function warnClearTextApis(apiUrls: Iterable<string>, logger: Logger): void {
  const origins = clearTextApis(apiUrls);
  if (origins.length === 0) return;
  logger.warn(
    { api_urls: origins },
    'http:// API off this machine: the token and the balance travel in clear, so any proxy or ' +
      'network on the way can read the token and forge the balance; use https://',
  );
}
