import { connect, type Socket } from 'node:net';
import { startExporter, type RunningExporter } from './helpers/child';
import { after, balance, startFakeApi, type FakeApi } from './helpers/fake-api';

// --web.max-connections against a real process: eight connections fill it; a ninth makes
// room by closing an idle one, or is itself refused when all eight wait for an answer.
// With the flag ignored (256), the ninth would simply join and nothing would be closed.

let upstream: FakeApi;
let running: RunningExporter | undefined;
const sockets: Socket[] = [];

beforeAll(async () => {
  upstream = await startFakeApi();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  running?.child.kill('SIGKILL');
  await running?.exited;
  running = undefined;
});
afterAll(() => upstream.close());

interface Client {
  socket: Socket;
  /** received is everything the exporter sent. */
  received: () => string;
  closed: () => boolean;
}

/** open connects and sends `path`'s request (keep-alive), once the connection is up. */
async function open(url: string, path: string, headers = ''): Promise<Client> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  sockets.push(socket);
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {});
  socket.on('close', () => (closed = true));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`);
  return { socket, received: () => received, closed: () => closed };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(): Promise<string> {
  running = await startExporter(
    ['--web.max-connections=8', `--tensorpix.api-url=${upstream.url}`, '--tensorpix.timeout=10s'],
    {
      TENSORPIX_API_TOKEN: 'token-max-connections',
    },
  );
  return running.url;
}

test('--web.max-connections=8: a ninth connection closes the idlest of eight idle ones, and the count stays 8', async () => {
  upstream.reply(balance('1.0000'));
  const url = await start();
  const idle: Client[] = [];
  for (let i = 0; i < 8; i++) idle.push(await open(url, '/-/healthy'));
  // Past the newcomers' grace (1 s), every one answered and idle.
  await settle(1500);
  for (const client of idle) expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
  expect(idle.filter((client) => client.closed())).toHaveLength(0);
  const ninth = await open(url, '/-/healthy');
  await settle(500);
  expect(ninth.received()).toMatch(/^HTTP\/1\.1 200/);
  expect(idle.filter((client) => client.closed())).toHaveLength(1);
});

test('--web.max-connections=8: with eight scrapes waiting on the API, a ninth connection is refused, and served once they end', async () => {
  upstream.reply(after(3000, balance('1.0000')));
  const url = await start();
  const busy: Client[] = [];
  for (let i = 0; i < 8; i++)
    busy.push(await open(url, '/metrics', 'X-Prometheus-Scrape-Timeout-Seconds: 8\r\n'));
  await settle(1200);
  const ninth = await open(url, '/-/healthy');
  await settle(300);
  expect(ninth.closed()).toBe(true);
  expect(ninth.received()).toBe('');
  for (const client of busy) expect(client.closed()).toBe(false);
  await settle(3000);
  for (const client of busy) expect(client.received()).toContain('tensorpix_up{account="default"} 1');
  const later = await open(url, '/-/healthy');
  await settle(300);
  expect(later.received()).toMatch(/^HTTP\/1\.1 200/);
});
