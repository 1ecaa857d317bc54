import { isThreshold, of, within, hours, windowOf, mean, main, type Purpose } from './purpose-kit';
import { DEFAULTS, HOUR, MINUTE, RESTART, RUNAWAY, STUDIO_OVERRIDES, WEEK_END } from './scenario';

/** What the credit panels are for: the balance, its forecast, spending and top-ups. */
export const CREDIT_PURPOSES: Record<string, Purpose[]> = {
  Balance: [
    {
      what: 'at now, the last balance of every watched account (and only the selected one)',
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results) {
          const accounts = r.setting === 'All' ? ctx.facts.watched() : [r.setting];
          const got = r.series.map((s) => s.metric.account).sort();
          if (JSON.stringify(got) !== JSON.stringify([...accounts].sort()))
            failures.push(`${r.view.name} ${r.setting}: accounts ${got} instead of ${accounts}`);
          for (const s of r.series) {
            const value = s.points[0]![1];
            if (!within(value, ctx.facts.lastBalance(s.metric.account!), 1e-9))
              failures.push(`${r.view.name} ${s.metric.account}: ${value} is not the last balance`);
          }
        }
        return failures;
      },
    },
  ],
  'Time to depletion': [
    {
      what: "at now, a value for every account that spent in the last day, within 1% of TensorPixCreditsDepletingSoon's estimate",
      async check(ctx) {
        const failures: string[] = [];
        const alert = await ctx.prometheus.query(ctx.alertEstimate, WEEK_END);
        for (const r of ctx.results) {
          const accounts = (r.setting === 'All' ? ctx.facts.watched() : [r.setting]).filter(
            (a) => ctx.facts.spent(a, WEEK_END - 24 * HOUR, WEEK_END) > 0,
          );
          const got = r.series.map((s) => s.metric.account).sort();
          if (JSON.stringify(got) !== JSON.stringify(accounts.sort()))
            failures.push(
              `${r.view.name} ${r.setting}: values for ${got}, spending accounts are ${accounts}`,
            );
          for (const s of r.series) {
            const estimate = alert.find((a) => a.metric.account === s.metric.account)?.value;
            const value = s.points[0]![1];
            if (estimate === undefined || !within(value, Math.max(estimate, 0), 0.01))
              failures.push(
                `${r.view.name} ${s.metric.account}: ${value.toFixed(0)} s, the alert says ${estimate?.toFixed(0)} s`,
              );
          }
        }
        return failures;
      },
    },
  ],
  'Balance over time': [
    {
      what: "the drained account crosses its low and critical lines; each account's lines are its own thresholds (studio's override: 150 and 50 USD)",
      async check(ctx) {
        const failures: string[] = [];
        const linesFor = (view: string, account: string) => {
          const queries = ctx.results.filter(
            (r) => r.view.name === view && r.setting === account && isThreshold(r),
          );
          if (queries.length === 0) return ctx.staticThresholds.map((value) => ({ min: value, max: value }));
          return queries.flatMap((r) =>
            of(r.series, account).map((s) => ({
              min: Math.min(...s.points.map(([, v]) => v)),
              max: Math.max(...s.points.map(([, v]) => v)),
            })),
          );
        };
        for (const view of ['24h', '7d']) {
          for (const [account, expected] of [
            ['studio', [STUDIO_OVERRIDES.low, STUDIO_OVERRIDES.critical]],
            ['research', [DEFAULTS.low, DEFAULTS.critical]],
          ] as const) {
            const lines = linesFor(view, account);
            const flat = lines.every((l) => l.min === l.max);
            const values = lines.map((l) => l.max).sort((a, b) => b - a);
            if (!flat || JSON.stringify(values) !== JSON.stringify(expected))
              failures.push(`${view} ${account}: lines at ${values}, its thresholds are ${expected}`);
          }
          const balance = of(main(ctx, view, 'research')[0]?.series ?? [], 'research')[0];
          if (!balance) {
            failures.push(`${view}: no balance for research`);
            continue;
          }
          const [first, last] = [balance.points[0]![1], balance.points[balance.points.length - 1]![1]];
          const lowest = Math.min(...linesFor(view, 'research').map((l) => l.min));
          if (!(last < lowest))
            failures.push(`${view}: research ends at ${last}, not below its lowest line ${lowest}`);
          if (view === '7d' && !(first > DEFAULTS.low))
            failures.push(`7d: research starts at ${first}, not above its low line`);
        }
        return failures;
      },
    },
  ],
  'Burn rate (USD per day, over 6h)': [
    {
      what: 'its 7-day average is the generated spending (±5%); never above 4× that (one job in a 1-minute window is ~9×) but while the runaway job is in its window; the restart adds no spending',
      async check(ctx) {
        const failures: string[] = [];
        for (const r of main(ctx, '7d', 'All')) {
          const window = windowOf(r.request.expr);
          for (const account of ctx.facts.watched()) {
            const series = of(r.series, account)[0];
            if (!series) {
              failures.push(`7d: no burn rate for ${account}`);
              continue;
            }
            // From one window after the account's first sample: before, the window is partly empty.
            const since = Math.max(r.view.from, ctx.facts.joinedAt(account));
            const points = series.points.filter(([t]) => t >= since + window);
            const values = points.map(([, v]) => v);
            const generated = (ctx.facts.spent(account, since, WEEK_END) / (WEEK_END - since)) * 86400;
            const average = mean(values);
            if (!within(average, generated, 0.05))
              failures.push(
                `7d ${account}: average ${average.toFixed(2)} USD/day, generated ${generated.toFixed(2)}`,
              );
            const runaway = ([t]: [number, number]) =>
              account === RUNAWAY.account && t > RUNAWAY.from && t - window < RUNAWAY.to;
            const peak = Math.max(...points.filter((p) => !runaway(p)).map(([, v]) => v));
            if (peak > 4 * generated)
              failures.push(
                `7d ${account}: spike of ${peak.toFixed(0)} USD/day (average ${generated.toFixed(0)})`,
              );
          }
        }
        for (const r of ctx.results.filter((x) => x.view.name === '7d')) {
          const window = windowOf(r.request.expr);
          for (const s of r.series)
            for (const [t, v] of s.points) {
              if (t <= RESTART.downAt || t - window > RESTART.downAt + RESTART.downFor) continue;
              const generated = (ctx.facts.spent(s.metric.account!, t - window, t) / window) * 86400;
              if (v > generated * 1.25 + 1)
                failures.push(
                  `restart, ${s.metric.account} at ${hours(t)}: ${v.toFixed(1)} USD/day, generated ${generated.toFixed(1)}`,
                );
            }
        }
        return failures;
      },
    },
  ],
  'Credits added (over 24h)': [
    {
      what: "studio's 300 USD top-up shows as 300 USD (±3%); nothing else, not the restart nor batch's arrival, shows as added",
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results) {
          const window = windowOf(r.request.expr);
          for (const s of r.series)
            for (const [t, v] of s.points) {
              // A read of the top-up lands within a minute of it.
              const added = ctx.facts.topUpsIn(s.metric.account!, t - window - MINUTE, t);
              const clear = ctx.facts.topUpsIn(s.metric.account!, t - window + MINUTE, t - MINUTE);
              if (added === 0 && v !== 0)
                failures.push(`${r.view.name} ${s.metric.account} at ${hours(t)}: ${v.toFixed(2)} added`);
              if (clear > 0 && !within(v, clear, 0.03))
                failures.push(
                  `${r.view.name} ${s.metric.account} at ${hours(t)}: ${v.toFixed(2)} for a top-up of ${clear}`,
                );
            }
        }
        return failures;
      },
    },
  ],
};
