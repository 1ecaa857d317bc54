import { Account, type AccountDeps, type AccountSpec } from './account';
import { waitAtMost } from './timing';

const identity = (spec: AccountSpec) =>
  JSON.stringify([spec.apiUrl, spec.timeoutMs, spec.token, spec.route ?? null]);

/**
 * AccountSet is the live list of watched accounts. Only its accounts are rendered, so an
 * account it drops leaves no series behind, and one it adds starts from 0.
 */
export class AccountSet {
  private list: Account[] = [];
  private generation = 0;

  constructor(
    specs: readonly AccountSpec[],
    private readonly deps: AccountDeps,
  ) {
    this.replace(specs);
  }

  accounts(): readonly Account[] {
    return this.list;
  }

  /**
   * replace applies a new account list: an unchanged account keeps its state and its
   * attempt in flight; a removed one is stopped and dropped; a changed one (same name,
   * other API, timeout, token or proxy route) is replaced by a new one, starting from 0.
   */
  replace(specs: readonly AccountSpec[]): void {
    const previous = new Map(this.list.map((account) => [account.name, account]));
    this.list = specs.map((spec) => {
      const kept = previous.get(spec.name);
      if (kept && identity(kept.spec) === identity(spec)) {
        previous.delete(spec.name);
        return kept;
      }
      return new Account({ ...spec }, this.deps);
    });
    for (const gone of previous.values()) gone.stop();
    this.generation++;
  }

  /** longestTimeoutMs is the longest account timeout, what a scrape without a deadline waits. */
  longestTimeoutMs(): number {
    return this.list.reduce((longest, account) => Math.max(longest, account.spec.timeoutMs), 0);
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

  /**
   * stateKey changes whenever anything rendered of the accounts may have changed: an
   * account's state (versions only grow, so their sum does too) or the list itself.
   */
  stateKey(): string {
    let versions = 0;
    for (const account of this.list) versions += account.state.version;
    return `${this.generation}:${versions}`;
  }

  /** nextExpiryMs is the first moment after `nowMs` when a good balance stops being exported. */
  nextExpiryMs(nowMs: number): number {
    let next = Infinity;
    for (const account of this.list) {
      const expiresAtMs = account.state.balanceExpiresAtMs();
      if (expiresAtMs !== undefined && expiresAtMs > nowMs && expiresAtMs < next) next = expiresAtMs;
    }
    return next;
  }

  /** stop aborts every attempt in flight, for shutdown. */
  stop(): void {
    for (const account of this.list) account.stop();
  }
}
