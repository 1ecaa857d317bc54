import type { Registry, RegistryContentType } from 'prom-client';
import type { AccountSet } from '../accounts/account-set';
import { unitsToUsd, type AccountState } from '../accounts/account-state';
import { ERROR_CODES } from '../tensorpix/codes';
import { registerStateFamily, type CollectFailure, type Sample } from './state-family';

/** AccountSources are what the account families read at collect time. */
export interface AccountSources {
  accounts: AccountSet;
  /** now is the monotonic clock the balances expire on (see AccountState). */
  now: () => number;
  onFailure: CollectFailure;
}

/** Put writes one sample of an account. */
type Put = (labels: Record<string, string>, value: number) => void;

/** AccountFamily is one tensorpix_* family with one or more series per account. */
interface AccountFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** fill writes the account's series from its state; writing none leaves the account out. */
  fill(put: Put, state: AccountState, account: string, nowMs: number): void;
}

const ACCOUNT_FAMILIES: readonly AccountFamily[] = [
  {
    name: 'tensorpix_credits_balance_usd',
    help: 'TensorPix credits balance in USD, as cached from the last successful API read (see tensorpix_last_success_timestamp_seconds).',
    type: 'gauge',
    // An account without a good balance has no series, never a 0.
    fill(put, state, account, nowMs) {
      const balance = state.balanceAt(nowMs);
      if (balance !== undefined) put({ account }, balance);
    },
  },
  {
    name: 'tensorpix_up',
    help: 'Whether the last attempt to read the account balance succeeded (1) or not (0).',
    type: 'gauge',
    fill: (put, state, account) => put({ account }, state.up ? 1 : 0),
  },
  {
    name: 'tensorpix_last_success_timestamp_seconds',
    help: 'Unix time of the last successful read of the account balance.',
    type: 'gauge',
    fill(put, state, account) {
      if (state.good) put({ account }, state.good.atMs / 1000);
    },
  },
  {
    name: 'tensorpix_upstream_requests_total',
    help: 'Attempts to read the account balance from the TensorPix API, whatever their outcome.',
    type: 'counter',
    fill: (put, state, account) => put({ account }, state.attempts),
  },
  {
    name: 'tensorpix_upstream_errors_total',
    help: 'Failed attempts to read the account balance, by outcome code.',
    type: 'counter',
    fill(put, state, account) {
      for (const code of ERROR_CODES) put({ account, code }, state.errors.get(code) ?? 0);
    },
  },
];

const MONEY_FAMILIES: readonly AccountFamily[] = [
  {
    name: 'tensorpix_credits_spent_usd_total',
    help: 'Sum of observed decreases of the credits balance in USD.',
    type: 'counter',
    fill: (put, state, account) => put({ account }, unitsToUsd(state.spentUnits)),
  },
  {
    name: 'tensorpix_credits_added_usd_total',
    help: 'Sum of observed increases of the credits balance in USD (top-ups, renewals).',
    type: 'counter',
    fill: (put, state, account) => put({ account }, unitsToUsd(state.addedUnits)),
  },
];

/**
 * registerFamily registers one family whose samples are rebuilt from the live accounts'
 * state at every scrape. So the accounts' state stays the one source of truth: an account
 * the set no longer holds has no series whatever an attempt still in flight does, a new
 * one starts from its new state's zeros, and a balance leaves at the exact millisecond it
 * is max-stale old.
 */
function registerFamily(
  registry: Registry<RegistryContentType>,
  family: AccountFamily,
  sources: AccountSources,
): void {
  const { name, help, type } = family;
  registerStateFamily(
    registry,
    {
      name,
      help,
      type,
      samples() {
        const samples: Sample[] = [];
        const put: Put = (labels, value) => samples.push({ labels, value });
        const nowMs = sources.now();
        for (const account of sources.accounts.accounts())
          family.fill(put, account.state, account.name, nowMs);
        return samples;
      },
    },
    sources.onFailure,
  );
}

/** registerAccountFamilies registers the families before the latency histogram in the exposition. */
export function registerAccountFamilies(
  registry: Registry<RegistryContentType>,
  sources: AccountSources,
): void {
  for (const family of ACCOUNT_FAMILIES) registerFamily(registry, family, sources);
}

/** registerMoneyFamilies registers the families after the latency histogram in the exposition. */
export function registerMoneyFamilies(
  registry: Registry<RegistryContentType>,
  sources: AccountSources,
): void {
  for (const family of MONEY_FAMILIES) registerFamily(registry, family, sources);
}
