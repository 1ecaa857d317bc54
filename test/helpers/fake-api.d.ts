import type { IncomingMessage, ServerResponse } from 'node:http';

export const DETAIL: string;
export const BALANCE_PATH: string;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export type Responder = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * FakeApi is a real HTTP server on 127.0.0.1:0 standing in for the TensorPix API. Each
 * test scripts its replies and reads back what it received, including the most requests
 * it ever had in flight at once.
 */
export interface FakeApi {
  url: string;
  requests: RecordedRequest[];
  maxInFlight: number;
  inFlight(): number;
  /** reply sets how every following request is answered. */
  reply(responder: Responder): void;
  /** replySequence answers the next requests in turn, then repeats the last one. */
  replySequence(...responders: Responder[]): void;
  openSockets(): number;
  close(): Promise<void>;
}

export interface FakeApiOptions {
  /** tls serves the fake API over HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

export function startFakeApi(options?: FakeApiOptions): Promise<FakeApi>;
export function json(status: number, body: unknown, headers?: Record<string, string>): Responder;
export function error(status: number, headers?: Record<string, string>): Responder;
export function balance(value: string): Responder;
export const hang: Responder;
export const reset: Responder;
export function after(ms: number, responder: Responder): Responder;
export function byToken(responders: Record<string, Responder>, otherwise?: Responder): Responder;
