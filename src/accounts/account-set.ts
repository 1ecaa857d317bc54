import { Account, type AccountDeps } from './account';
import type { AccountSpec } from './account-spec';
import { sourceKey, RetryGates } from './retry-gates';
import { waitAtMost } from './timing';

/** BUILD_CHUNK is how many new accounts are built between two turns of the event loop (a few ms). */
const BUILD_CHUNK = 500;

/**
 * AccountSet is the live list of watched accounts. Only its accounts are rendered, so an
 * account it drops leaves no series behind, and one it adds starts from 0.
 */
export class AccountSet {
  private list: Account[] = [];
  private longestMs = 0;
  /** deps are the accounts' dependencies, with the 429 gates they all share. */
  private readonly deps: AccountDeps & { gates: RetryGates };

  constructor(specs: readonly AccountSpec[], deps: AccountDeps) {
    this.deps = { ...deps, gates: new RetryGates() };
    this.replace(specs);
  }

  accounts(): readonly Account[] {
    return this.list;
  }

  /**
   * replace applies a new account list. An account that still reads the same balance (same
   * name, API and token source) keeps its state, counters, backoff and attempt in flight,
   * and takes a new timeout or proxy route for its next attempt (with one more early retry
   * per backoff: the change may be the fix). A removed one is stopped and dropped. One whose
   * API or token source changed is a new account, from 0. A 429's Retry-After holds for its
   * API, token source and token whatever the accounts are called (RetryGates). A proxy no
   * account uses any more is let go.
   */
  replace(specs: readonly AccountSpec[], built: ReadonlyMap<AccountSpec, Account> = new Map()): void {
    const previous = new Map(this.list.map((account) => [account.name, account]));
    this.list = specs.map((spec) => {
      const old = previous.get(spec.name);
      if (old && old.source === sourceKey(spec)) {
        previous.delete(spec.name);
        old.reconfigure({ ...spec });
        return old;
      }
      return built.get(spec) ?? new Account({ ...spec }, this.deps);
    });
    for (const gone of previous.values()) gone.stop();
    // The client lets go of the proxies no account uses any more.
    this.deps.client.keepRoutes(this.list.map((account) => account.spec.route));
    this.longestMs = this.list.reduce((longest, account) => Math.max(longest, account.spec.timeoutMs), 0);
  }

  /**
   * replaceInSteps is replace for a reload: the new accounts (thousands, from a large
   * accounts file) are built a chunk at a time, letting scrapes run between chunks, and the
   * list is then swapped in one step. Building has no effect until the swap, so a scrape
   * sees the old list or the new one, never a mix. Reloads run one at a time (createReloader).
   */
  async replaceInSteps(specs: readonly AccountSpec[]): Promise<void> {
    const kept = new Map(this.list.map((account) => [account.name, account.source]));
    const built = new Map<AccountSpec, Account>();
    for (const spec of specs) {
      if (kept.get(spec.name) === sourceKey(spec)) continue;
      built.set(spec, new Account({ ...spec }, this.deps));
      if (built.size % BUILD_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.replace(specs, built);
  }

  /** longestTimeoutMs is the longest account timeout, what a scrape without a deadline waits. */
  longestTimeoutMs(): number {
    return this.longestMs;
  }

  /**
   * refresh starts every attempt that is due and returns a promise of the attempts in
   * flight, settled when they are or after `waitMs`, whichever is first (nothing when no
   * attempt is in flight, the common case). It never rejects and never cuts an attempt short.
   */
  refresh(waitMs: number): Promise<void> | undefined {
    let inflight: Array<Promise<void>> | undefined;
    for (const account of this.list) {
      const pending = account.refresh();
      if (pending) (inflight ??= []).push(pending);
    }
    return inflight && waitAtMost(Promise.all(inflight), waitMs);
  }

  /** retryNow lets every failing account try again at the next scrape. */
  retryNow(): void {
    for (const account of this.list) account.retryNow();
  }

  /** stop aborts every attempt in flight, for shutdown. */
  stop(): void {
    for (const account of this.list) account.stop();
  }
}
