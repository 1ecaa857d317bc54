import { ACCOUNTS, WEEK_END } from './scenario';
import type { Series, Week } from './simulate';

/** Facts answers questions about the generated week from the simulation, never from Prometheus. */
export class Facts {
  constructor(readonly week: Week) {}

  /** spent is what an account really spent in (from, to]. */
  spent(account: string, from: number, to: number): number {
    return (this.week.jobs[account] ?? [])
      .filter((job) => job.at > from && job.at <= to)
      .reduce((sum, job) => sum + job.usd, 0);
  }

  /** topUpsIn lists the top-ups of (from, to] as the exporter read them (at its next read). */
  topUpsIn(account: string, from: number, to: number): number {
    const plan = ACCOUNTS.find((a) => a.name === account)!;
    return plan.topUps.filter((t) => t.at > from && t.at <= to).reduce((sum, t) => sum + t.usd, 0);
  }

  joinedAt(account: string): number {
    return ACCOUNTS.find((a) => a.name === account)!.joinsAt;
  }

  /** watched lists the accounts the exporter watches at `t`. */
  watched(t = WEEK_END): string[] {
    return ACCOUNTS.filter((a) => a.joinsAt <= t).map((a) => a.name);
  }

  /** exposed is the series the exporter exposed for an account. */
  exposed(name: string, account: string): Series {
    const found = this.week.series.find((s) => s.name === name && s.labels.account === account);
    if (!found) throw new Error(`no ${name} for ${account}`);
    return found;
  }

  /** lastBalance is the balance the exporter exposed at its last scrape. */
  lastBalance(account: string): number {
    const series = this.exposed('tensorpix_credits_balance_usd', account);
    return series.values[series.values.length - 1]!;
  }

  /** firstBelow is the first scrape at which the exposed balance was below `usd`. */
  firstBelow(account: string, usd: number): number | undefined {
    const series = this.exposed('tensorpix_credits_balance_usd', account);
    const index = series.values.findIndex((value) => value < usd);
    return index < 0 ? undefined : series.times[index];
  }

  /** firstAtLeast is the first scrape after `after` at which the exposed balance was at least `usd`. */
  firstAtLeast(account: string, usd: number, after: number): number | undefined {
    const series = this.exposed('tensorpix_credits_balance_usd', account);
    const index = series.times.findIndex((t, i) => t > after && series.values[i]! >= usd);
    return index < 0 ? undefined : series.times[index];
  }
}
