import { hours, isThreshold, of, within, type Purpose } from './purpose-kit';
import { DAY, HOUR, MINUTE, OUTAGE, RUNAWAY, WEEK_END } from './scenario';

/** What the spending panel is for: the runaway job against each account's usual spending. */
export const SPENDING_PURPOSES: Record<string, Purpose[]> = {
  'Spending now vs usual (USD per hour)': [
    {
      what: "at now, each account's usual rate is its generated average since it joined (±5%)",
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results.filter(
          (x) => x.refId === 'B' && x.setting === 'All' && x.view.name === '7d',
        ))
          for (const account of ctx.facts.watched()) {
            const series = of(r.series, account)[0];
            const last = series?.points[series.points.length - 1]?.[1];
            const since = ctx.facts.joinedAt(account);
            const generated = (ctx.facts.spent(account, since, WEEK_END) / (WEEK_END - since)) * HOUR;
            if (last === undefined || !within(last, generated, 0.05))
              failures.push(
                `7d ${account}: usual ${last?.toFixed(2)} USD/h, generated ${generated.toFixed(2)}`,
              );
          }
        return failures;
      },
    },
    {
      what: "the runaway job's last hour crosses the dashed surge line, for its account only; once an account has a day of history, nothing else does (but the hour after the outage, which brings the outage's spending at once)",
      async check(ctx) {
        const failures: string[] = [];
        for (const view of ['24h', '7d']) {
          const now = ctx.results.find((r) => r.view.name === view && r.setting === 'All' && r.refId === 'A');
          const line = ctx.results.find((r) => r.view.name === view && r.setting === 'All' && isThreshold(r));
          if (!now || !line) {
            failures.push(`${view}: no last-hour rate or no surge line`);
            continue;
          }
          for (const account of ctx.facts.watched()) {
            const limit = new Map(of(line.series, account)[0]?.points.map(([t, v]) => [t, v]) ?? []);
            const above = (of(now.series, account)[0]?.points ?? []).filter(
              ([t, v]) =>
                t >= ctx.facts.joinedAt(account) + DAY &&
                (t < OUTAGE.to || t > OUTAGE.to + HOUR + 5 * MINUTE) &&
                limit.has(t) &&
                v > limit.get(t)!,
            );
            const inRunaway = ([t]: [number, number]) =>
              account === RUNAWAY.account && t > RUNAWAY.from && t <= RUNAWAY.to + HOUR;
            for (const point of above.filter((p) => !inRunaway(p)))
              failures.push(
                `${view} ${account} at ${hours(point[0])}: ${point[1].toFixed(2)} USD/h above the line`,
              );
            const runawayShows = view === '24h' || above.some(inRunaway);
            if (account === RUNAWAY.account && !runawayShows)
              failures.push(`${view} ${account}: the runaway job never crosses the line`);
          }
        }
        return failures;
      },
    },
  ],
};
