import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BALANCE_PATH } from '../tensorpix/client';
import { SimulatedAccount, type SimulationOptions } from './simulated-account';

export interface DemoApi {
  /** apiUrl is the loopback URL to point the exporter at. */
  apiUrl: string;
  /** token is the key the simulated API accepts, made fresh for each run. */
  token: string;
  close(): Promise<void>;
}

function reply(
  res: import('node:http').ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * startDemoApi serves a simulated TensorPix API on 127.0.0.1 at a free port, speaking
 * the real protocol (Token auth, decimal strings, 401/404/429/503 with `detail`), so
 * that --demo runs the exporter's real client, cache and metrics end to end.
 */
export async function startDemoApi(
  options: Omit<SimulationOptions, 'now' | 'random'> = {},
): Promise<DemoApi> {
  const token = randomBytes(24).toString('hex');
  const account = new SimulatedAccount({ now: Date.now, random: Math.random, ...options });
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== BALANCE_PATH) return reply(res, 404, { detail: 'Not found.' });
    if (req.headers.authorization !== `Token ${token}`) return reply(res, 401, { detail: 'Invalid token.' });
    const answer = account.answer();
    if (answer.status === 429) {
      return reply(
        res,
        429,
        { detail: 'Request was throttled.' },
        { 'retry-after': String(answer.retryAfterSeconds) },
      );
    }
    if (answer.status === 503) return reply(res, 503, { detail: 'Service temporarily unavailable.' });
    reply(res, 200, { balance_usd: answer.balance });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
