import { performance } from 'node:perf_hooks';
import type { AccountSpec } from '../accounts/account-spec';
import { attempt, type Outcome } from '../accounts/attempt';
import { describeFailure } from '../accounts/describe-failure';
import { Limiter } from '../accounts/limiter';
import { TokenReader } from '../accounts/token-reader';
import type { Config } from '../config/config';
import { createBalanceClient, type ClientOptions } from '../tensorpix/client';

/** ApiCheck is the outcome of --config.check.api: one line per account, and whether all were ok. */
export interface ApiCheck {
  lines: string[];
  ok: boolean;
}

/**
 * checkApi asks the API once for each account's balance as the running exporter would:
 * through the real client, the account's route and token, the concurrency limit, and
 * within the account's timeout. It says each outcome in the words of the log (the code
 * and its cause; never the token or the API's text) and never rejects.
 */
export async function checkApi(
  config: Readonly<Pick<Config, 'accounts' | 'caCert' | 'concurrency'>>,
  client: Pick<ClientOptions, 'userAgent' | 'lookup'>,
): Promise<ApiCheck> {
  // --demo has no account of its own to ask about: its API is made at start.
  if (config.accounts.length === 0) return { lines: [], ok: true };
  const balances = createBalanceClient({
    ...client,
    ...(config.caCert !== undefined && { caCert: config.caCert }),
  });
  const fileReads = new Limiter(config.concurrency);
  const deps = {
    client: balances,
    limiter: new Limiter(config.concurrency),
    monotonicNow: () => performance.now(),
  };
  try {
    const outcomes = await Promise.all(
      config.accounts.map(async (spec) => {
        const target = { ...spec, token: new TokenReader(spec.token, fileReads) };
        return (await attempt(target, deps, new AbortController()))!;
      }),
    );
    const ok = outcomes.filter((outcome) => outcome.ok).length;
    return {
      lines: [
        ...outcomes.map((outcome, i) => describeOutcome(config.accounts[i]!, outcome)),
        `API check: ${ok} of ${outcomes.length} account${outcomes.length === 1 ? '' : 's'} answered with a balance`,
      ],
      ok: ok === outcomes.length,
    };
  } finally {
    await balances.close();
  }
}

/** describeOutcome is one account's line: its balance, or the code and cause of its failure. */
function describeOutcome(spec: AccountSpec, outcome: Outcome): string {
  if (outcome.ok)
    return `account ${spec.name}: ok, balance ${outcome.usd} USD in ${Math.round(outcome.seconds * 1000)} ms`;
  return `account ${spec.name}: failed, code ${outcome.error.code}: ${describeFailure(outcome.error, spec)}`;
}
