import { isIPv4, isIPv6 } from 'node:net';

/**
 * clientOf is who a connection's client is, for taking turns: its IPv4 address (an
 * IPv4-mapped IPv6 address is the IPv4 one), or the /64 of its IPv6 address, since one
 * host commonly holds a whole /64 and could otherwise be any number of clients.
 */
export function clientOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (isIPv4(remoteAddress) || !isIPv6(remoteAddress)) return remoteAddress;
  // A dotted IPv4 tail is two groups; "::" stands for as many zero groups as are missing.
  const address = remoteAddress
    .split('%')[0]!
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_all, a, b, c, d) =>
      [(+a << 8) | +b, (+c << 8) | +d].map((n: number) => n.toString(16)).join(':'),
    );
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
