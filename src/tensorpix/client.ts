import type { Dispatcher } from 'undici';
import { statusCause } from './causes';
import { classifyError } from './classify-error';
import { codeForStatus } from './codes';
import { Dispatchers } from './dispatchers';
import { parseBalance } from './parse-balance';
import type { ProxyRoute } from './proxy-route';
import { parseRetryAfter } from './retry-after';
import { undici } from './undici-lazy';
import { UpstreamError } from './upstream-error';

type Body = Dispatcher.ResponseData['body'];

/** BALANCE_PATH is the TensorPix endpoint that answers an account's balance. */
export const BALANCE_PATH = '/api/accounts/profile/balance/';

/** MAX_BODY_BYTES caps what is read of an answer; the real one is a few dozen bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface ClientOptions {
  userAgent: string;
  /** caCert is an extra PEM bundle to trust beside the system's roots (the API's, an https:// proxy's). */
  caCert?: string;
  now?: () => number;
  /** lookup replaces DNS resolution; tests use it to fail a lookup without asking a resolver. */
  lookup?: import('node:net').LookupFunction;
}

export interface BalanceRequest {
  apiUrl: string;
  token: string;
  signal: AbortSignal;
  /** route says whether the request goes through a proxy; direct when absent. */
  route?: ProxyRoute;
  /** onResponse is told when the answer's headers have come, before its body is read. */
  onResponse?: () => void;
}

/**
 * BalanceClient fetches balances over keep-alive agents shared by all requests (one
 * direct, one per proxy). It is
 * where errors are classified: whatever goes wrong, fetchBalance rejects with an
 * UpstreamError whose code is of the closed set, and nothing after it classifies again.
 */
export interface BalanceClient {
  fetchBalance(req: BalanceRequest): Promise<number>;
  /** keepRoutes lets go of the proxies the running accounts no longer use (after a reload). */
  keepRoutes(routes: ReadonlyArray<ProxyRoute | undefined>): void;
  /** close aborts requests in flight and closes every socket. */
  close(): Promise<void>;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

export function createBalanceClient(options: ClientOptions): BalanceClient {
  const now = options.now ?? Date.now;
  const dispatchers = new Dispatchers({
    ...(options.caCert && { caCert: options.caCert }),
    ...(options.lookup && { lookup: options.lookup }),
  });

  async function fetchBalance(request: BalanceRequest): Promise<number> {
    const { signal, onResponse } = request;
    let body: Body | undefined;
    try {
      const response = await send(dispatchers, options.userAgent, request);
      body = response.body;
      onResponse?.();
      // Destroying an unread body emits 'error'; without a listener that would crash the process.
      body.on('error', () => undefined);
      const { statusCode, headers } = response;
      if (statusCode !== 200) {
        // The status is the answer: it is not held back by a slow body (a 429's Retry-After
        // would be lost to a timeout). The body is drained behind it so the keep-alive socket
        // can be reused; a large or dripping one is cut off and destroyed.
        drainThenDestroy(body, signal);
        body = undefined;
        const code = codeForStatus(statusCode);
        const retryAfter = statusCode === 429 ? parseRetryAfter(headers['retry-after'], now()) : undefined;
        const retryAfterMs = retryAfter?.ok ? retryAfter.value : undefined;
        throw new UpstreamError(code, statusCause(statusCode), statusCode, retryAfterMs);
      }
      refuseNonJsonType(headers['content-type']);
      const text = await readCapped(body, headers['content-length']);
      const balance = parseBalance(text);
      if (!balance.ok) throw new UpstreamError('invalid_response', balance.problems.join('; '), 200);
      return balance.value;
    } catch (error) {
      throw classifyError(error, signal.aborted);
    } finally {
      // Every answer's body is consumed above or destroyed here, so no socket is left
      // holding an unread body; destroying an already-consumed body is a no-op.
      body?.destroy();
    }
  }

  return {
    fetchBalance,
    keepRoutes: (routes) => dispatchers.keep(routes),
    close: () => dispatchers.destroy(),
  };
}

/** send asks for the balance on the dispatcher of the request's route. */
function send(
  dispatchers: Dispatchers,
  userAgent: string,
  { apiUrl, token, signal, route }: BalanceRequest,
): Promise<Dispatcher.ResponseData> {
  // Appended, not resolved, so an API behind a path prefix (a proxy) keeps it.
  const url = new URL(`${apiUrl.replace(/\/+$/, '')}${BALANCE_PATH}`);
  return dispatchers.send(route, signal, (dispatcher) =>
    undici().request(url, {
      dispatcher,
      method: 'GET',
      signal,
      headers: { authorization: `Token ${token}`, accept: 'application/json', 'user-agent': userAgent },
    }),
  );
}

/** DRAIN_MS bounds how long an error's body is drained for its socket to be reused. */
const DRAIN_MS = 1000;

function drainThenDestroy(body: Body, signal: AbortSignal): void {
  // A timer of our own, not AbortSignal.timeout: combined by AbortSignal.any, that one can
  // be collected before it fires (Node 20) and leave a dripping body holding its socket.
  const cut = new AbortController();
  const timer = setTimeout(() => cut.abort(), DRAIN_MS);
  const onAbort = () => cut.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  void body
    .dump({ limit: MAX_BODY_BYTES, signal: cut.signal })
    .catch(() => undefined)
    .finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      body.destroy();
    });
}

async function readCapped(body: AsyncIterable<Buffer>, contentLength: unknown): Promise<string> {
  if (typeof contentLength === 'string' && Number(contentLength) > MAX_BODY_BYTES) {
    throw new UpstreamError('too_large', 'the API announced a body over the size cap', 200);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new UpstreamError('too_large', "the API's body exceeded the size cap", 200);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * refuseNonJsonType throws for a 200 whose Content-Type is not JSON: a login page or a
 * proxy's error page served with 200 would otherwise be read for a balance. undici gives a
 * repeated header as an array: two types name no one type of the body. A missing type is
 * left to the JSON parse.
 */
function refuseNonJsonType(contentType: string | string[] | undefined): void {
  if (Array.isArray(contentType))
    throw new UpstreamError(
      'invalid_response',
      'the API answered 200 with several Content-Type headers',
      200,
    );
  if (contentType !== undefined && !JSON_TYPE.test(contentType))
    throw new UpstreamError('invalid_response', 'the API answered 200 with a body that is not JSON', 200);
}
