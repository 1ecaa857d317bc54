import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { undici } from './undici-lazy';
import { isWasmOutOfMemory, refuseWithoutWasmMemory } from './wasm-memory';

/** CHECK_MS bounds the check: a loopback request answers in milliseconds. */
const CHECK_MS = 5000;

/**
 * requireHttpParser exits 2 with the reason and the fix when undici's HTTP parser cannot
 * be made, rather than start an exporter whose every request would fail as
 * code="network" (see wasm-memory.ts). It sends one request through undici to a
 * throwaway server on 127.0.0.1, which makes the parser once; undici keeps it for every
 * later connection. (Loading undici also watches for the failure of Node's own copy of
 * the parser: see undici-lazy.ts.)
 */
export async function requireHttpParser(): Promise<void> {
  if (isWasmOutOfMemory(await loopbackRequestError())) refuseWithoutWasmMemory();
}

/**
 * loopbackRequestError is the error of one GET through undici to a server of its own on
 * 127.0.0.1, or undefined when it succeeds or cannot be tried (no loopback to listen on:
 * the parser is then left to the first real request).
 */
async function loopbackRequestError(): Promise<unknown> {
  const server = createServer((_request, response) => response.writeHead(204).end());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
  } catch {
    return undefined;
  }
  const { Client, request } = undici();
  const { port } = server.address() as AddressInfo;
  const client = new Client(`http://127.0.0.1:${port}`, { headersTimeout: CHECK_MS, bodyTimeout: CHECK_MS });
  try {
    const { body } = await request(`http://127.0.0.1:${port}/`, {
      dispatcher: client,
      signal: AbortSignal.timeout(CHECK_MS),
    });
    await body.dump();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.destroy().catch(() => undefined);
    server.close();
    server.closeAllConnections();
  }
}
