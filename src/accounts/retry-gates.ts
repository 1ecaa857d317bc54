import { createHash } from 'node:crypto';
import type { AccountSpec } from './account-spec';

/**
 * RetryGates holds each 429's Retry-After by what the API throttled: its URL with the token
 * source an account reads (the file, so a rotated token in it still waits) and with the
 * token that was sent (so the same token from another file or account waits too). They
 * belong to no account, so that nothing a reload does — a rename, tokens swapped between
 * accounts, a token file moved, an account removed and added back — sends a throttled token
 * early, and an account whose token was never throttled is not held for another's. Every
 * time is monotonic.
 */
export class RetryGates {
  private readonly until = new Map<string, number>();

  /** size is how many gates are held (closed, or expired and not yet let go). */
  get size(): number {
    return this.until.size;
  }

  /** closedUntil is when the gate of `key` opens; -Infinity when it is open. */
  closedUntil(key: string, nowMs: number): number {
    const untilMs = this.until.get(key);
    if (untilMs === undefined) return -Infinity;
    if (untilMs > nowMs) return untilMs;
    this.until.delete(key);
    return -Infinity;
  }

  /** close shuts the gates of `keys` until `untilMs` (a later gate never shortens one). */
  close(keys: readonly string[], untilMs: number, nowMs: number): void {
    // Gates past their time go as new ones come: the map holds only the closed ones.
    for (const [other, otherUntilMs] of this.until) if (otherUntilMs <= nowMs) this.until.delete(other);
    for (const key of keys) this.until.set(key, Math.max(untilMs, this.until.get(key) ?? -Infinity));
  }
}

/**
 * sourceKey names where an account's balance comes from: its API and its token source. A
 * 429 throttles exactly that, and a reload keeps an account whose source is unchanged.
 */
export const sourceKey = (spec: Pick<AccountSpec, 'apiUrl' | 'token'>): string =>
  `${spec.apiUrl}\n${JSON.stringify(spec.token)}`;

/**
 * tokenKey names a token sent to an API, by its SHA-256 so the map holds no second copy of
 * it. It cannot collide with a sourceKey, whose second line is JSON.
 */
export const tokenKey = (apiUrl: string, token: string): string =>
  `${apiUrl}\n#${createHash('sha256').update(token).digest('hex')}`;
