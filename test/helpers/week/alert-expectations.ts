import type { Facts } from './facts';
import { durationSeconds, type Firing, type Rule } from './rules';
import {
  ACCOUNTS,
  DEFAULTS,
  EPISODES,
  type Episode,
  HOUR,
  MINUTE,
  OUTAGE,
  RUNAWAY,
  SCRAPE_INTERVAL,
  SCRAPE_OFFSET,
  STUDIO_OVERRIDES,
  WEEK_END,
} from './scenario';

/** Expected is one alert the week must fire, with when it must start and end (±2 evaluations). */
interface Expected {
  alert: string;
  account: string;
  from?: number;
  to?: number;
}

const SLACK = 2 * MINUTE;
/** firstScrapeAfter is the first scrape at or after `t`. */
const firstScrapeAfter = (t: number) =>
  Math.ceil((t - SCRAPE_OFFSET) / SCRAPE_INTERVAL) * SCRAPE_INTERVAL + SCRAPE_OFFSET;

/**
 * expectedFirings derives from the generated week, not from Prometheus, which alerts must
 * fire and when: the balance crossing each account's thresholds, the outage, the top-up.
 */
export function expectedFirings(facts: Facts, keep: (alert: string) => number): Expected[] {
  const topUp = ACCOUNTS.find((a) => a.name === 'studio')!.topUps[0]!.at;
  const studioBackAbove = facts.firstAtLeast('studio', STUDIO_OVERRIDES.low, topUp)!;
  const lastReadBeforeOutage = firstScrapeAfter(OUTAGE.from) - SCRAPE_INTERVAL;
  const duringOutage = ACCOUNTS.filter((a) => a.joinsAt < OUTAGE.from).map((a) => a.name);
  return [
    {
      alert: 'TensorPixCreditsLow',
      account: 'research',
      from: facts.firstBelow('research', DEFAULTS.low)! + 15 * MINUTE,
      to: WEEK_END,
    },
    {
      alert: 'TensorPixCreditsCritical',
      account: 'research',
      from: facts.firstBelow('research', DEFAULTS.critical)! + 10 * MINUTE,
      to: WEEK_END,
    },
    // The studio's own threshold of 150 USD, until its top-up is read (and keep_firing_for).
    {
      alert: 'TensorPixCreditsLow',
      account: 'studio',
      from: facts.firstBelow('studio', STUDIO_OVERRIDES.low)! + 15 * MINUTE,
      to: studioBackAbove + keep('TensorPixCreditsLow'),
    },
    // The runaway job; when it starts is checked by checkFirings (within an hour).
    { alert: 'TensorPixSpendSurge', account: RUNAWAY.account },
    { alert: 'TensorPixCreditsDepletingSoon', account: 'research' },
    { alert: 'TensorPixCreditsDepletingSoon', account: 'studio' },
    // Stale 30 min after the last good read, plus `for: 5m`; resolved once a read succeeds
    // after the outage (within the 5 min backoff the 503s left).
    ...duringOutage.map((account) => ({
      alert: 'TensorPixBalanceStale',
      account,
      from: lastReadBeforeOutage + DEFAULTS.staleSeconds + 5 * MINUTE,
    })),
    // Throttled from the first 429, plus `for: 15m`; resolved once no 429 is left in the last hour.
    ...duringOutage.map((account) => ({
      alert: 'TensorPixAPIRateLimited',
      account,
      from: firstScrapeAfter(OUTAGE.from) + 15 * MINUTE,
    })),
  ];
}

/** checkFirings compares what Prometheus' rules did over the week with what the week says. */
export function checkFirings(facts: Facts, firings: Firing[], rules: Rule[]): string[] {
  const failures: string[] = [];
  const keep = (alert: string) => durationSeconds(rules.find((r) => r.alert === alert)?.keep_firing_for);
  const expected = expectedFirings(facts, keep);
  const key = (alert: string, account: string | undefined) => `${alert} ${account ?? '(no account)'}`;
  const got = new Set(firings.map((f) => key(f.alert, f.labels.account)));
  const want = new Set(expected.map((e) => key(e.alert, e.account)));
  for (const k of got) if (!want.has(k)) failures.push(`${k} fired, and the week gives it no reason`);
  for (const k of want) if (!got.has(k)) failures.push(`${k} never fired`);
  const near = (a: number, b: number) => Math.abs(a - b) <= SLACK;
  for (const e of expected) {
    const mine = firings.filter((f) => f.alert === e.alert && f.labels.account === e.account);
    if (mine.length === 0) continue;
    if (e.from !== undefined && !mine.some((f) => near(f.from, e.from!)))
      failures.push(`${key(e.alert, e.account)} started at ${mine.map((f) => f.from)}, expected ${e.from}`);
    if (e.to !== undefined && !mine.some((f) => near(f.to, e.to!)))
      failures.push(`${key(e.alert, e.account)} ended at ${mine.map((f) => f.to)}, expected ${e.to}`);
  }
  // Outage alerts end after the API is back (the stale one) or once the 429s leave the 1 h
  // window, and keep_firing_for later.
  for (const f of firings.filter((x) => /BalanceStale|RateLimited/.test(x.alert)))
    if (f.to < OUTAGE.throttledUntil || f.to > OUTAGE.to + 7 * MINUTE + keep(f.alert))
      failures.push(`${key(f.alert, f.labels.account)} ended at ${f.to}, outside the outage's end`);
  // The forecast warns before the money is gone, and the studio's top-up ends its warning.
  const critical = firings.find(
    (f) => f.alert === 'TensorPixCreditsCritical' && f.labels.account === 'research',
  );
  const forecast = firings.filter((f) => f.alert === 'TensorPixCreditsDepletingSoon');
  if (critical && !forecast.some((f) => f.labels.account === 'research' && f.from < critical.from))
    failures.push('TensorPixCreditsDepletingSoon did not warn of research before TensorPixCreditsCritical');
  const topUpRead = facts.firstAtLeast('studio', STUDIO_OVERRIDES.low, ACCOUNTS[0]!.topUps[0]!.at)!;
  const studio = forecast.filter((f) => f.labels.account === 'studio');
  if (!studio.some((f) => f.from < topUpRead && near(f.to, topUpRead)))
    failures.push(`TensorPixCreditsDepletingSoon for studio did not end with its top-up (${topUpRead})`);
  // The runaway job pages within an hour of its start, and resolves within its 1 h window
  // (and keep_firing_for) of its end.
  for (const f of firings.filter((x) => x.alert === 'TensorPixSpendSurge'))
    if (
      f.from <= RUNAWAY.from ||
      f.from > RUNAWAY.from + HOUR ||
      f.to > RUNAWAY.to + HOUR + keep(f.alert) + SLACK
    )
      failures.push(
        `${key(f.alert, f.labels.account)} fired ${f.from}-${f.to}, not within the runaway job's hours`,
      );
  failures.push(...checkEpisodes(firings));
  return failures;
}

/** episodeOf is the generated episode in which a firing starts, if any. */
export function episodeOf(f: Firing): Episode | undefined {
  return EPISODES.find(
    (e) => e.alert === f.alert && e.account === f.labels.account && f.from >= e.from && f.from < e.to,
  );
}

/** checkEpisodes holds every firing to one page per generated episode (scenario.ts EPISODES). */
export function checkEpisodes(firings: Firing[]): string[] {
  const failures: string[] = [];
  const perEpisode = new Map<number, Firing[]>();
  for (const f of firings) {
    const episode = episodeOf(f);
    const index = episode ? EPISODES.indexOf(episode) : -1;
    if (index < 0)
      failures.push(`${f.alert} ${f.labels.account} fired at ${f.from}, in no episode of the week`);
    else perEpisode.set(index, [...(perEpisode.get(index) ?? []), f]);
  }
  for (const [index, mine] of perEpisode)
    if (mine.length > 1)
      failures.push(
        `${EPISODES[index]!.alert} ${EPISODES[index]!.account} fired ${mine.length} times for one episode (${EPISODES[index]!.what}): ${mine.map((f) => `${f.from}-${f.to}`).join(', ')}`,
      );
  return failures;
}
