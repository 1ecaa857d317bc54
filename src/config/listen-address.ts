import { fail, ok, type Result } from '../result';

/** ListenAddress is where the HTTP server listens; an absent host means every interface. */
export interface ListenAddress {
  host?: string;
  port: number;
}

/** parseListenAddress reads `HOST:PORT`, `:PORT` or `[IPv6]:PORT`. */
export function parseListenAddress(text: string): Result<ListenAddress> {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    return fail(`must be HOST:PORT or :PORT with a port up to 65535, not "${text}"`);
  const host = match[1] ?? match[2];
  return ok(host ? { host, port } : { port });
}

/** formatListenAddress writes an address back the way the flag takes it. */
export function formatListenAddress({ host, port }: ListenAddress): string {
  if (!host) return `:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
