import { clientOf } from '../src/web/client-address';

// Turns are taken per client: an IPv4 address, or an IPv6 /64 (what one host commonly holds).
test.each([
  ['127.0.0.1', '127.0.0.1'],
  ['::ffff:127.0.0.2', '127.0.0.2'],
  ['::1', '0:0:0:0::/64'],
  ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
  ['2001:db8:1:2::dead:beef', '2001:db8:1:2::/64'],
  ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
  ['2001:db8::1', '2001:db8:0:0::/64'],
  ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ['::a:b:c:d:e:1.2.3.4', '0:a:b:c::/64'],
  ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
])('%s → %s', (address, client) => {
  expect(clientOf(address)).toBe(client);
});

test('an unknown address is one client of its own', () => {
  expect(clientOf(undefined)).toBe('');
});
