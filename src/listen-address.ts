/** ListenAddress is where the HTTP server listens; an absent host means every interface. */
export interface ListenAddress {
  host?: string;
  port: number;
}

/** parseListenAddress reads `HOST:PORT`, `:PORT` or `[IPv6]:PORT`, or returns undefined. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return host ? { host, port } : { port };
}

/** formatListenAddress writes an address back the way the flag takes it. */
export function formatListenAddress({ host, port }: ListenAddress): string {
  if (!host) return `:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
