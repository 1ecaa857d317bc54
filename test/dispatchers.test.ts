import { Dispatchers, MAX_PROXIES } from '../src/tensorpix/dispatchers';
import type { ProxyRoute } from '../src/tensorpix/proxy-route';

const proxy = (port: number, authorization?: string): ProxyRoute => ({
  kind: 'proxy',
  origin: `http://127.0.0.1:${port}`,
  host: `127.0.0.1:${port}`,
  source: 'test',
  ...(authorization && { authorization }),
});

let dispatchers: Dispatchers;
beforeEach(() => (dispatchers = new Dispatchers({})));
afterEach(() => dispatchers.destroy());

test('one agent for every direct request, one per proxy and credentials, reused', () => {
  expect(dispatchers.for(undefined)).toBe(dispatchers.for({ kind: 'direct', reason: 'x' }));
  expect(dispatchers.for(proxy(1))).toBe(dispatchers.for(proxy(1)));
  expect(dispatchers.for(proxy(1))).not.toBe(dispatchers.for(proxy(2)));
  expect(dispatchers.for(proxy(1))).not.toBe(dispatchers.for(proxy(1, 'Basic eDp5')));
  expect(dispatchers.for(proxy(1))).not.toBe(dispatchers.for(undefined));
});

test('proxies that are no longer used are let go: at most MAX_PROXIES agents, the least recently used goes', () => {
  const first = dispatchers.for(proxy(1));
  const second = dispatchers.for(proxy(2));
  for (let port = 3; port <= MAX_PROXIES; port++) dispatchers.for(proxy(port));
  expect(dispatchers.for(proxy(1))).toBe(first); // used again: now the most recent
  dispatchers.for(proxy(MAX_PROXIES + 1)); // one too many: proxy 2 is the oldest
  expect(dispatchers.for(proxy(1))).toBe(first);
  expect(dispatchers.for(proxy(2))).not.toBe(second);
});
