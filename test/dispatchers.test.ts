import { Dispatchers } from '../src/tensorpix/dispatchers';
import type { ProxyRoute } from '../src/tensorpix/proxy-route';
import type { Dispatcher } from 'undici';

const proxy = (port: number, authorization?: string): ProxyRoute => ({
  kind: 'proxy',
  origin: `http://127.0.0.1:${port}`,
  host: `127.0.0.1:${port}`,
  source: 'test',
  ...(authorization && { authorization }),
});

// undici's agents say whether close() was called, though its Dispatcher type does not.
const closed = (agent: Dispatcher) => (agent as Dispatcher & { closed: boolean }).closed;

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

test('every proxy in use keeps its agent, however many; those no account uses after a reload are let go', () => {
  // 40 accounts, each with its own proxy credentials: no agent is made twice.
  const routes = Array.from({ length: 40 }, (_, i) => proxy(1, `Basic user${i}`));
  const agents = routes.map((route) => dispatchers.for(route));
  routes.forEach((route, i) => expect(dispatchers.for(route)).toBe(agents[i]));

  // A reload keeps the first 10 and a direct account: the other 30 agents are closed.
  dispatchers.keep([...routes.slice(0, 10), undefined]);
  routes.slice(0, 10).forEach((route, i) => expect(dispatchers.for(route)).toBe(agents[i]));
  expect(agents.slice(10).every(closed)).toBe(true);
  expect(agents.slice(0, 10).some(closed)).toBe(false);
  expect(dispatchers.for(routes[20])).not.toBe(agents[20]);
});
