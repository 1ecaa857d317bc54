import { classifyError } from '../tensorpix/classify-error';
import type { BalanceClient } from '../tensorpix/client';
import type { ProxyRoute } from '../tensorpix/proxy-route';
import { UpstreamError } from '../tensorpix/upstream-error';
import type { Limiter } from './limiter';
import { timerMs } from './timing';
import type { TokenReader } from './token-reader';

/** AttemptTarget is what one attempt asks for: an account's balance at its API, by its route. */
export interface AttemptTarget {
  apiUrl: string;
  /** timeoutMs is how long the attempt may take, everything included. */
  timeoutMs: number;
  token: TokenReader;
  route?: ProxyRoute | undefined;
  /** priority orders the attempt in the limiter's queue, lowest first (when the account was last served). */
  priority?: number;
  /** deadlineMs is when the attempt ends (monotonic), for the limiter not to start it too late. */
  deadlineMs?: number;
  /** gate holds tokens the API throttled (429 with Retry-After); none for a one-off check. */
  gate?: TokenGate;
}

/** TokenGate is where an attempt learns and tells that the API asked a token to wait. */
export interface TokenGate {
  /** heldUntilMs is when a 429's Retry-After for `token` passes (monotonic); -Infinity when it is free. */
  heldUntilMs(token: string): number;
  /** hold makes `token` wait `retryAfterMs` from now. */
  hold(token: string, retryAfterMs: number): void;
}

/**
 * LEAST_SHARE is the share of its timeout an attempt must have left for a request to be
 * started (10 %, and 10 ms at least): a request started in its attempt's last moments is
 * only a request aborted, and its place is better given to the next account.
 */
const LEAST_SHARE = 0.1;

export interface AttemptDeps {
  client: BalanceClient;
  limiter: Limiter;
  /** monotonicNow times requests, in milliseconds. */
  monotonicNow: () => number;
}

/**
 * Outcome is how an attempt ended; `seconds` is the request's latency, absent when none was
 * sent. A `held` one sent nothing: its token was throttled meanwhile (its error's
 * retryAfterMs is what is left of the wait), and it is not the API's failure.
 */
export type Outcome =
  | { ok: true; usd: number; seconds: number; token: string }
  | { ok: false; error: UpstreamError; seconds?: number; token?: string; queued?: true; held?: true };

interface Progress {
  /** stage is where the attempt is: reading the token, queued, sent, or reading the answer's body. */
  stage: 'token' | 'queue' | 'request' | 'body';
  token?: string;
  startedMs?: number;
  release?: () => void;
}

/**
 * Probe asks attempt() to go on only if the token file holds another token than
 * `changedFrom` (the last attempt's); otherwise it ends with no outcome, counting nothing.
 */
export interface Probe {
  changedFrom: string | undefined;
}

/**
 * attempt reads the token, waits for a place in the limiter and asks the API, all within
 * the attempt's own deadline: `controller` is aborted when `target.timeoutMs` has passed
 * (or earlier by its owner, e.g. at shutdown). It settles when it is aborted whatever the
 * stage it is in, so no slow file, queue or socket can keep it, and gives its limiter
 * place back when it settles. It never rejects.
 */
export async function attempt(
  target: AttemptTarget,
  deps: AttemptDeps,
  controller: AbortController,
  probe?: Probe,
): Promise<Outcome | undefined> {
  const { signal } = controller;
  const timer = setTimeout(() => controller.abort(), timerMs(target.timeoutMs));
  const progress: Progress = { stage: 'token' };
  let onAbort!: () => void;
  const deadline = new Promise<Outcome | undefined>((resolve) => {
    onAbort = () =>
      resolve(probe && progress.stage === 'token' ? undefined : timedOut(progress, target, deps));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const work = run(progress, target, deps, signal, probe).catch((error: unknown): Outcome | undefined => ({
      ok: false,
      error: classifyError(error, signal.aborted),
    }));
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    progress.release?.();
  }
}

async function run(
  progress: Progress,
  target: AttemptTarget,
  deps: AttemptDeps,
  signal: AbortSignal,
  probe: Probe | undefined,
): Promise<Outcome | undefined> {
  const token = await target.token.read(signal);
  if (probe && (!token.ok || token.value === probe.changedFrom)) return undefined;
  if (!token.ok) return { ok: false, error: new UpstreamError('token_file', token.problems.join('; ')) };
  progress.token = token.value;
  progress.stage = 'queue';
  progress.release = await deps.limiter.acquire(signal, {
    ...(target.priority !== undefined && { priority: target.priority }),
    ...(target.deadlineMs !== undefined && { deadlineMs: target.deadlineMs }),
    leastMs: Math.max(10, target.timeoutMs * LEAST_SHARE),
  });
  // Another account with this token may have been told to wait while this one was queued.
  const heldMs = (target.gate?.heldUntilMs(token.value) ?? -Infinity) - deps.monotonicNow();
  if (heldMs > 0) {
    const wait = `not sent: the API asked to wait ${Math.ceil(heldMs / 1000)} s more with this token (429)`;
    return {
      ok: false,
      error: new UpstreamError('429', wait, undefined, heldMs),
      token: token.value,
      held: true,
    };
  }
  progress.stage = 'request';
  const startedMs = (progress.startedMs = deps.monotonicNow());
  const seconds = () => (deps.monotonicNow() - startedMs) / 1000;
  try {
    const usd = await deps.client.fetchBalance({
      apiUrl: target.apiUrl,
      token: token.value,
      signal,
      ...(target.route && { route: target.route }),
      onResponse: () => (progress.stage = 'body'),
    });
    return { ok: true, usd, seconds: seconds(), token: token.value };
  } catch (error) {
    // The client has classified the failure already: an UpstreamError passes through as it is.
    const failure = classifyError(error, signal.aborted);
    // Held before attempt() gives the place back, so an attempt queued with the same token sees it.
    if (failure.retryAfterMs) target.gate?.hold(token.value, failure.retryAfterMs);
    return {
      ok: false,
      error: failure,
      seconds: seconds(),
      token: token.value,
    };
  }
}

/** timedOut is the outcome of an attempt whose deadline passed in `progress.stage`. */
function timedOut(progress: Progress, target: AttemptTarget, deps: AttemptDeps): Outcome {
  const after = `timeout after ${target.timeoutMs} ms`;
  const token = progress.token !== undefined ? { token: progress.token } : {};
  switch (progress.stage) {
    case 'token':
      return { ok: false, error: new UpstreamError('token_file', `${after} reading the token file`) };
    case 'queue':
      return {
        ok: false,
        error: new UpstreamError(
          'timeout',
          `${after} queued behind other accounts' requests (see --tensorpix.concurrency)`,
        ),
        ...token,
        queued: true,
      };
    case 'request':
    case 'body':
      return {
        ok: false,
        error: new UpstreamError(
          'timeout',
          progress.stage === 'body'
            ? `${after} reading the body of the answer`
            : `${after} connecting to the API or waiting for its answer`,
        ),
        seconds: (deps.monotonicNow() - progress.startedMs!) / 1000,
        ...token,
      };
  }
}
