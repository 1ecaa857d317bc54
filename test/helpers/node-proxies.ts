import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, isIPv6, type AddressInfo, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * NodeProxy is a proxy the tests write themselves, for what tinyproxy cannot be: an
 * https:// proxy, or one that never answers. It listens on 127.0.0.1 and tunnels only to
 * 127.0.0.1.
 */
export interface NodeProxy {
  url: string;
  /** connects are the CONNECT targets it received, as "host:port". */
  connects: string[];
  /** open is how many client connections it holds now. */
  open(): number;
  close(): Promise<void>;
}

function track(server: Server, sockets: Set<Socket>): void {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
}

async function listen(
  server: Server,
  scheme: string,
  sockets: Set<Socket>,
  connects: string[],
  host = '127.0.0.1',
): Promise<NodeProxy> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`,
    connects,
    open: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * startTlsProxy is an https:// proxy (TLS to the proxy itself) on `host` (127.0.0.1 or
 * ::1) that opens CONNECT tunnels to 127.0.0.1 (asked for as 127.0.0.1 or localhost);
 * serverNames are the SNI names its clients sent (false: none).
 */
export async function startTlsProxy(
  tls: { cert: string; key: string },
  host = '127.0.0.1',
): Promise<NodeProxy & { serverNames: Array<string | false> }> {
  const sockets = new Set<Socket>();
  const connects: string[] = [];
  const serverNames: Array<string | false> = [];
  const server = createHttpsServer({ ...tls }, (_req, res) => res.writeHead(405).end());
  server.on('secureConnection', (socket: TLSSocket) => serverNames.push(socket.servername ?? false));
  server.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const port = Number(/^(?:127\.0\.0\.1|localhost):(\d+)$/.exec(req.url ?? '')?.[1]);
    if (!port) return client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => sockets.delete(upstream));
  });
  track(server, sockets);
  return { ...(await listen(server, 'https', sockets, connects, host)), serverNames };
}

/** connectTarget is the host:port a CONNECT request asks for, if `data` opens one. */
const connectTarget = (data: Buffer) => /^CONNECT (\S+) /.exec(data.toString('latin1'))?.[1];

/** startSilentProxy accepts connections and reads CONNECT requests but never answers them. */
export async function startSilentProxy(): Promise<NodeProxy> {
  const sockets = new Set<Socket>();
  const connects: string[] = [];
  const server = createServer((socket) => {
    socket.on('data', (data: Buffer) => {
      const target = connectTarget(data);
      if (target) connects.push(target);
    });
    socket.on('error', () => undefined);
  });
  track(server, sockets);
  return listen(server, 'http', sockets, connects);
}

/**
 * startMuteTunnelProxy answers every CONNECT with 200, then says nothing more and passes
 * nothing on: a tunnel that opens and stays silent (a TLS handshake inside it never ends).
 */
export async function startMuteTunnelProxy(): Promise<NodeProxy> {
  const sockets = new Set<Socket>();
  const connects: string[] = [];
  const server = createServer((socket) => {
    socket.once('data', (data: Buffer) => {
      const target = connectTarget(data);
      if (!target) {
        socket.destroy();
        return;
      }
      connects.push(target);
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
    });
    socket.on('error', () => undefined);
  });
  track(server, sockets);
  return listen(server, 'http', sockets, connects);
}

/**
 * startScriptedProxy answers every CONNECT with `answer`, given the client's socket: a
 * proxy that misbehaves in a way of the test's choosing.
 */
export async function startScriptedProxy(answer: (socket: Socket) => void): Promise<NodeProxy> {
  const sockets = new Set<Socket>();
  const connects: string[] = [];
  const server = createServer((socket) => {
    socket.once('data', (data: Buffer) => {
      connects.push(connectTarget(data) ?? '');
      answer(socket);
    });
    socket.on('error', () => undefined);
  });
  track(server, sockets);
  return listen(server, 'http', sockets, connects);
}
