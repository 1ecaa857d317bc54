/**
 * The operator's first week, as the dashboard and the alerts must tell it: three accounts
 * watched by one exporter, scraped every minute, with every event the issue lists. The
 * simulation (simulate.ts) turns this into the series the exporter would have exposed; the
 * week test asserts each panel against these facts, not against numbers read back.
 */
export const MINUTE = 60;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Scrape (and rule evaluation) interval, as in prometheus/prometheus.example.yml. */
export const SCRAPE_INTERVAL = MINUTE;
/** Scrapes land 23 s past the minute, as real ones do, never on Grafana's step boundaries. */
export const SCRAPE_OFFSET = 23;

/** A fixed Monday, so every run writes the same history and prints the same table. */
export const WEEK_START = Date.UTC(2025, 2, 3) / 1000;
export const WEEK_END = WEEK_START + 7 * DAY;

export const JOB = 'tensorpix';
export const INSTANCE = 'exporter:10863';

/** Spending comes in bursts: a job finishes at random times and costs a random amount. */
export interface SpendingProfile {
  /** jobsPerHour during working hours (08:00–20:00 UTC) and at night. */
  dayJobsPerHour: number;
  nightJobsPerHour: number;
  /** costUsd is the range one job costs. */
  costUsd: [number, number];
}

export interface AccountPlan {
  name: string;
  /** joinsAt is when the account is added to the exporter's accounts file (a reload). */
  joinsAt: number;
  startUsd: number;
  spending: SpendingProfile;
  topUps: Array<{ at: number; usd: number }>;
}

export const ACCOUNTS: AccountPlan[] = [
  // A render studio: ~60 USD a day, topped up with 300 USD on Thursday afternoon. Its
  // operator sets higher thresholds for it (STUDIO_OVERRIDES). A runaway job costs it ~60 USD
  // on Wednesday afternoon (RUNAWAY).
  {
    name: 'studio',
    joinsAt: WEEK_START,
    startUsd: 400,
    spending: { dayJobsPerHour: 3, nightJobsPerHour: 0.5, costUsd: [0.5, 2.5] },
    topUps: [{ at: WEEK_START + 3 * DAY + 15 * HOUR + 7 * MINUTE, usd: 300 }],
  },
  // A research group spending ~11 USD a day from 80 USD: drained below the critical
  // threshold on the last day, still spending. A job costing more than is left does not run.
  {
    name: 'research',
    joinsAt: WEEK_START,
    startUsd: 80,
    spending: { dayJobsPerHour: 0.6, nightJobsPerHour: 0.6, costUsd: [0.3, 1.3] },
    topUps: [],
  },
  // Added mid-week by a reload of the accounts file; spends ~7 USD a day from 60 USD.
  {
    name: 'batch',
    joinsAt: WEEK_START + 3 * DAY + 10 * HOUR + 30 * MINUTE,
    startUsd: 60,
    spending: { dayJobsPerHour: 0.6, nightJobsPerHour: 0.6, costUsd: [0.2, 0.8] },
    topUps: [],
  },
];

/**
 * RUNAWAY is a job that resubmits itself in a loop: from `from` to `to` it costs the account
 * a job a minute, on top of its usual jobs, so that it spends `timesUsual` times its usual rate
 * (its average since it joined, as TensorPixSpendSurge reads it).
 */
export const RUNAWAY = {
  account: 'studio',
  from: WEEK_START + 2 * DAY + 14 * HOUR,
  to: WEEK_START + 2 * DAY + 16 * HOUR + 30 * MINUTE,
  timesUsual: 10,
};

/** The exporter restarts on Tuesday afternoon: 3 failed scrapes, then counters from 0. */
export const RESTART = { downAt: WEEK_START + 1 * DAY + 14 * HOUR + 2 * MINUTE, downFor: 3 * MINUTE };

/**
 * A 2 h API outage on Sunday morning (inside the 24 h view too): one hour of 429 with
 * Retry-After: 300, then one hour of 503, then the API answers again. Jobs keep spending.
 */
export const OUTAGE = {
  from: WEEK_START + 6 * DAY + 9 * HOUR,
  throttledUntil: WEEK_START + 6 * DAY + 10 * HOUR,
  to: WEEK_START + 6 * DAY + 11 * HOUR,
  retryAfter: 300,
};

/** The exporter's own settings that shape its series (its defaults). */
export const EXPORTER = { cacheTtl: MINUTE, maxStale: 15 * MINUTE, maxBackoff: 5 * MINUTE };

/**
 * STUDIO_OVERRIDES are the studio's per-account thresholds, written as an operator would
 * (prometheus/thresholds.example.yml shows the same pattern): it spends ~60 USD a day, so
 * 20 USD is hours of work, not a warning.
 */
export const STUDIO_OVERRIDES = { low: 150, critical: 50, depletionSeconds: 4 * DAY };

/** The shipped default thresholds (prometheus/alerts.yml). */
export const DEFAULTS = { low: 20, critical: 5, depletionSeconds: 3 * DAY, staleSeconds: 30 * MINUTE };

/** Episode is one problem of the week: its alert may fire for it once, from `from` until `to`. */
export interface Episode {
  alert: string;
  account: string;
  what: string;
  from: number;
  to: number;
}

const STUDIO_TOP_UP = ACCOUNTS[0]!.topUps[0]!.at;
const BEFORE_OUTAGE = ACCOUNTS.filter((a) => a.joinsAt < OUTAGE.from).map((a) => a.name);

/**
 * EPISODES are the problems the week is generated with, each of which deserves one page: an
 * alert fires at most once per episode, and never outside one. A firing belongs to the
 * episode in which it starts; it may outlast `to` by the time its rule takes to notice.
 */
export const EPISODES: Episode[] = [
  ...['TensorPixCreditsLow', 'TensorPixCreditsCritical', 'TensorPixCreditsDepletingSoon'].map((alert) => ({
    alert,
    account: 'research',
    what: 'research drains, never topped up',
    from: WEEK_START,
    to: WEEK_END,
  })),
  ...['TensorPixCreditsLow', 'TensorPixCreditsDepletingSoon'].map((alert) => ({
    alert,
    account: 'studio',
    what: 'studio drains until its top-up',
    from: WEEK_START,
    to: STUDIO_TOP_UP,
  })),
  {
    alert: 'TensorPixCreditsDepletingSoon',
    account: 'studio',
    what: 'studio drains again after its top-up',
    from: STUDIO_TOP_UP,
    to: WEEK_END,
  },
  ...['TensorPixBalanceStale', 'TensorPixAPIRateLimited'].flatMap((alert) =>
    BEFORE_OUTAGE.map((account) => ({
      alert,
      account,
      what: 'the API outage',
      from: OUTAGE.from,
      to: OUTAGE.to,
    })),
  ),
  {
    alert: 'TensorPixSpendSurge',
    account: RUNAWAY.account,
    what: 'the runaway job',
    from: RUNAWAY.from,
    to: RUNAWAY.to,
  },
];
