import type { NextFunction, Request, Response } from 'express';
import { text } from './respond';

/**
 * rateLimit is exporter-toolkit's rate_limit: a token bucket refilled by one request
 * every `intervalMs`, holding at most `burst`. Over the limit a request gets 429.
 */
export function rateLimit(options: { intervalMs: number; burst: number; now: () => number }) {
  let tokens = options.burst;
  let updatedMs = options.now();
  return (_req: Request, res: Response, next: NextFunction) => {
    const now = options.now();
    tokens = Math.min(options.burst, tokens + (now - updatedMs) / options.intervalMs);
    updatedMs = now;
    if (tokens >= 1) {
      tokens -= 1;
      return next();
    }
    text(res, 429, 'Too Many Requests');
  };
}
