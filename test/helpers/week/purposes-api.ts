import { within, type Purpose } from './purpose-kit';
import { DEFAULTS, HOUR, MINUTE, OUTAGE, RESTART } from './scenario';

/** What the health panels are for: the exporter, the API's answers and their age. */
export const API_PURPOSES: Record<string, Purpose[]> = {
  'Exporter and API state': [
    {
      what: 'at now, the exporter is scraped and the last API request of every account succeeded',
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results)
          for (const s of r.series)
            if (s.points[0]![1] !== 1)
              failures.push(`${r.view.name} ${r.refId} ${JSON.stringify(s.metric)} is down`);
        return failures;
      },
    },
  ],
  'Age of last good balance': [
    {
      what: 'the 2 h outage shows: past 30 min for every account; otherwise never above 3 min',
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results)
          for (const s of r.series) {
            const during = s.points.filter(([t]) => t >= OUTAGE.from && t <= OUTAGE.to + 5 * MINUTE);
            const outside = s.points.filter(
              ([t]) =>
                (t < OUTAGE.from || t > OUTAGE.to + 5 * MINUTE) &&
                (t < RESTART.downAt || t > RESTART.downAt + 10 * MINUTE),
            );
            if (Math.max(0, ...during.map(([, v]) => v)) < DEFAULTS.staleSeconds)
              failures.push(`${r.view.name} ${r.setting} ${s.metric.account}: the outage does not show`);
            const worst = Math.max(0, ...outside.map(([, v]) => v));
            if (worst > 3 * MINUTE)
              failures.push(`${r.view.name} ${s.metric.account}: ${worst} s old outside the outage`);
          }
        return failures;
      },
    },
  ],
  'API requests and errors': [
    {
      what: 'errors show during the outage and only then; about one request a minute per account otherwise',
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results) {
          const errors = /errors_total/.test(r.expr);
          for (const s of r.series) {
            const during = s.points.filter(([t]) => t > OUTAGE.from && t < OUTAGE.to);
            const outside = s.points.filter(
              ([t]) =>
                (t < OUTAGE.from || t > OUTAGE.to + 30 * MINUTE) &&
                (t < RESTART.downAt || t > RESTART.downAt + HOUR),
            );
            const joined = ctx.facts.joinedAt(s.metric.account!);
            const steady = outside.filter(([t]) => t > joined + HOUR);
            if (errors && !during.some(([, v]) => v > 0))
              failures.push(`${r.view.name} ${s.metric.account}: no errors in the outage`);
            if (errors && steady.some(([, v]) => v > 0))
              failures.push(`${r.view.name} ${s.metric.account}: errors outside the outage`);
            if (!errors && steady.some(([, v]) => !within(v, 1 / 60, 0.2)))
              failures.push(`${r.view.name} ${s.metric.account}: not one request a minute`);
          }
        }
        return failures;
      },
    },
  ],
  'API errors by code': [
    {
      what: "429 in the outage's first hour, 503 in its second, no other code ever",
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results)
          for (const s of r.series) {
            const seen = s.points.filter(([, v]) => v > 0).map(([t]) => t);
            const code = s.metric.code;
            const expected =
              code === '429'
                ? [OUTAGE.from, OUTAGE.throttledUntil]
                : code === '503'
                  ? [OUTAGE.throttledUntil, OUTAGE.to]
                  : undefined;
            if (!expected && seen.length > 0)
              failures.push(`${r.view.name} ${s.metric.account} ${code}: errors that never happened`);
            if (expected && !seen.some((t) => t > expected[0]! && t <= expected[1]! + r.request.rateInterval))
              failures.push(`${r.view.name} ${s.metric.account} ${code}: the outage does not show`);
          }
        return failures;
      },
    },
  ],
  'API latency': [
    {
      what: 'the median request of every account takes between 50 ms and 1 s',
      async check(ctx) {
        const failures: string[] = [];
        for (const r of ctx.results.filter((x) => x.refId === 'A'))
          for (const s of r.series) {
            const values = s.points.map(([, v]) => v).filter((v) => Number.isFinite(v));
            const median = values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
            if (median === undefined || median < 0.05 || median > 1)
              failures.push(`${r.view.name} ${s.metric.account}: median p50 ${median}`);
          }
        return failures;
      },
    },
  ],
};
