import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';

type Entry =
  | { kind: 'all' }
  | { kind: 'ip'; list: BlockList; port?: string }
  | { kind: 'domain'; suffix: string; exact: boolean; port?: string };

/**
 * NoProxy is a parsed NO_PROXY list, read as Go's ProxyFromEnvironment reads it so that
 * one variable means the same to every exporter on a host: comma-separated entries, each
 * `*` (no proxy at all), an IP address, a CIDR range (10.0.0.0/8, fd00::/8), a domain
 * (`example.com` matches it and its subdomains; `.example.com` and `*.example.com` only
 * the subdomains), and an IP or domain may add `:port`. Entries it cannot read are
 * skipped, as Go does: the variable is shared with other programs and their forms.
 */
export class NoProxy {
  private readonly entries: Entry[];

  constructor(text: string) {
    this.entries = text
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== '')
      .map(parseEntry)
      .filter((entry): entry is Entry => entry !== undefined);
  }

  /** matches tells whether a request to hostname:port goes direct; hostname as URL.hostname gives it. */
  matches(hostname: string, port: string): boolean {
    const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const family = ipFamily(host);
    return this.entries.some((entry) => {
      if (entry.kind === 'all') return true;
      if (entry.port !== undefined && entry.port !== port) return false;
      if (entry.kind === 'ip') return family !== undefined && entry.list.check(host, family);
      return host.endsWith(entry.suffix) || (entry.exact && host === entry.suffix.slice(1));
    });
  }
}

function ipFamily(host: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(host);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

function parseEntry(entry: string): Entry | undefined {
  if (entry === '*') return { kind: 'all' };
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const family = ipFamily(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (!family || prefix > (family === 'ipv4' ? 32 : 128)) return undefined;
    const list = new BlockList();
    list.addSubnet(cidr[1]!, prefix, family);
    return { kind: 'ip', list };
  }
  // host:port, [v6]:port, or a bare host (a bare IPv6 address has colons but no port).
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
  let host = withPort ? withPort[1]! : entry;
  const port = withPort ? String(Number(withPort[2])) : undefined;
  host = host.replace(/^\[(.*)\]$/, '$1');
  const family = ipFamily(host);
  if (family) {
    const list = new BlockList();
    list.addAddress(host, family);
    return { kind: 'ip', list, ...(port !== undefined && { port }) };
  }
  if (host.startsWith('*.')) host = host.slice(1);
  const exact = !host.startsWith('.');
  const ascii = domainToASCII(exact ? host : host.slice(1));
  if (ascii === '' || host.includes('*') || host.includes('/')) return undefined;
  return { kind: 'domain', suffix: `.${ascii}`, exact, ...(port !== undefined && { port }) };
}
