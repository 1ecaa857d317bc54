import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** DETAIL is the text every scripted error body carries; it must never leave the exporter. */
export const DETAIL = 'upstream-detail-text-that-must-not-leak';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export type Responder = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * FakeUpstream is a real HTTP server on 127.0.0.1:0 standing in for the TensorPix API.
 * Each test scripts its replies and reads back what it received, including the most
 * requests it ever had in flight at once.
 */
export interface FakeUpstream {
  url: string;
  requests: RecordedRequest[];
  maxInFlight: number;
  /** reply sets how every following request is answered. */
  reply(responder: Responder): void;
  /** replySequence answers the next requests in turn, then repeats the last one. */
  replySequence(...responders: Responder[]): void;
  close(): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  let responders: Responder[] = [json(200, { balance_usd: '1.0000' })];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  const fake: FakeUpstream = {
    url: '',
    requests: [],
    maxInFlight: 0,
    reply(responder) {
      responders = [responder];
    },
    replySequence(...list) {
      responders = list;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    fake.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', done);
    const responder = responders.length > 1 ? responders.shift()! : responders[0]!;
    responder(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** json answers with a JSON body (a string body is sent as it is). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** error answers a status with a `detail` body, as the API does. */
export const error = (status: number, headers: Record<string, string> = {}) =>
  json(status, { detail: DETAIL }, headers);

/** balance answers 200 with the given decimal string. */
export const balance = (value: string) => json(200, { balance_usd: value });

/** hang accepts the request and never answers. */
export const hang: Responder = () => undefined;

/** after delays another responder. */
export const after =
  (ms: number, responder: Responder): Responder =>
  (req, res) => {
    const timer = setTimeout(() => responder(req, res), ms);
    res.on('close', () => clearTimeout(timer));
  };
