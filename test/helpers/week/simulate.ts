import {
  ACCOUNTS,
  EXPORTER,
  INSTANCE,
  JOB,
  OUTAGE,
  RESTART,
  RUNAWAY,
  SCRAPE_INTERVAL,
  SCRAPE_OFFSET,
  WEEK_END,
  WEEK_START,
  type AccountPlan,
} from './scenario';

/** The exporter's closed set of error codes (DESIGN.md), each pre-created at 0 per account. */
export const ERROR_CODES = [
  ...['400', '401', '403', '404', '408', '429', '500', '502', '503', '504'],
  ...['other_4xx', 'other_5xx', 'timeout', 'network', 'tls', 'invalid_response', 'too_large', 'redirect'],
  ...['token_file', 'proxy'],
];
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Series {
  name: string;
  labels: Record<string, string>;
  /** times and values, in scrape order. */
  times: number[];
  values: number[];
}

export interface Job {
  at: number;
  usd: number;
}

/** Week is the simulated history: every series the exporter exposed, and the truth behind it. */
export interface Week {
  series: Series[];
  /** jobs is what each account really spent, job by job (the upstream's truth). */
  jobs: Record<string, Job[]>;
}

/** mulberry32 is a small seeded PRNG: the same week on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** plannedJobs draws an account's jobs minute by minute; a job the balance cannot pay does not run. */
function plannedJobs(plan: AccountPlan, random: () => number): Job[] {
  const jobs: Job[] = [];
  let balance = plan.startUsd;
  const topUps = [...plan.topUps];
  for (let minute = plan.joinsAt; minute < WEEK_END; minute += 60) {
    while (topUps.length > 0 && topUps[0]!.at <= minute) balance += topUps.shift()!.usd;
    if (plan.name === RUNAWAY.account && minute >= RUNAWAY.from && minute < RUNAWAY.to) {
      // The runaway job's share of the minute: (timesUsual - 1) × the usual rate before it.
      const before = jobs.filter((job) => job.at < RUNAWAY.from).reduce((sum, job) => sum + job.usd, 0);
      const usualPerMinute = (before / (RUNAWAY.from - plan.joinsAt)) * 60;
      const usd = Math.round((RUNAWAY.timesUsual - 1) * usualPerMinute * 10000) / 10000;
      if (usd <= balance) {
        balance -= usd;
        jobs.push({ at: minute + 30, usd });
      }
    }
    const hour = new Date(minute * 1000).getUTCHours();
    const perHour = hour >= 8 && hour < 20 ? plan.spending.dayJobsPerHour : plan.spending.nightJobsPerHour;
    if (random() >= perHour / 60) continue;
    const [low, high] = plan.spending.costUsd;
    const usd = Math.round((low + random() * (high - low)) * 10000) / 10000;
    if (usd > balance) continue;
    balance -= usd;
    jobs.push({ at: minute + Math.floor(random() * 60), usd });
  }
  return jobs;
}

/** upstreamBalance is what the API answers at `t`: start, plus top-ups, minus finished jobs. */
function upstreamBalance(plan: AccountPlan, jobs: Job[], t: number): number {
  let usd = plan.startUsd;
  for (const topUp of plan.topUps) if (topUp.at <= t) usd += topUp.usd;
  for (const job of jobs) if (job.at <= t) usd -= job.usd;
  return Math.round(usd * 10000) / 10000;
}

/** upstreamAnswer is the API's answer at `t`: 200, or the outage's 429 then 503. */
function upstreamAnswer(t: number): '200' | '429' | '503' {
  if (t < OUTAGE.from || t >= OUTAGE.to) return '200';
  return t < OUTAGE.throttledUntil ? '429' : '503';
}

class SeriesSet {
  private readonly byKey = new Map<string, Series>();

  add(name: string, labels: Record<string, string>, t: number, value: number): void {
    const key = name + JSON.stringify(labels);
    let series = this.byKey.get(key);
    if (!series) this.byKey.set(key, (series = { name, labels, times: [], values: [] }));
    series.times.push(t);
    series.values.push(value);
  }

  all(): Series[] {
    return [...this.byKey.values()];
  }
}

/** AccountState is one account's state inside one exporter process (lost on restart). */
interface AccountState {
  good?: { usd: number; at: number };
  up: boolean;
  failures: number;
  notBefore: number;
  requests: number;
  errors: Record<string, number>;
  spent: number;
  added: number;
  buckets: number[];
  durationSum: number;
}

function freshState(): AccountState {
  return {
    up: false,
    failures: 0,
    notBefore: -Infinity,
    requests: 0,
    errors: Object.fromEntries(ERROR_CODES.map((code) => [code, 0])),
    spent: 0,
    added: 0,
    buckets: BUCKETS.map(() => 0),
    durationSum: 0,
  };
}

/** attempt makes one upstream request as the exporter's cache does (DESIGN.md, "Behaviour on a scrape"). */
function attempt(
  state: AccountState,
  answer: string,
  balance: number,
  t: number,
  random: () => number,
): void {
  state.requests++;
  const seconds = answer === '200' ? 0.15 + random() * (random() < 0.02 ? 3 : 0.5) : 0.06;
  state.durationSum += seconds;
  BUCKETS.forEach((le, i) => {
    if (seconds <= le) state.buckets[i]!++;
  });
  if (answer === '200') {
    if (state.good && balance < state.good.usd) state.spent += state.good.usd - balance;
    if (state.good && balance > state.good.usd) state.added += balance - state.good.usd;
    state.good = { usd: balance, at: t };
    state.up = true;
    state.failures = 0;
    state.notBefore = t + EXPORTER.cacheTtl;
    return;
  }
  state.errors[answer]!++;
  state.up = false;
  state.failures++;
  const backoff = Math.min(EXPORTER.cacheTtl * 2 ** (state.failures - 1), EXPORTER.maxBackoff);
  state.notBefore = t + Math.max(backoff, answer === '429' ? OUTAGE.retryAfter : 0);
}

/** simulateWeek scrapes the simulated exporter once a minute for the whole week. */
export function simulateWeek(seed = 12): Week {
  const random = mulberry32(seed);
  const jobs = Object.fromEntries(ACCOUNTS.map((plan) => [plan.name, plannedJobs(plan, random)]));
  const set = new SeriesSet();
  const target = { job: JOB, instance: INSTANCE };
  let states = new Map<string, AccountState>();
  let processStart = WEEK_START - 30;
  for (let t = WEEK_START + SCRAPE_OFFSET; t <= WEEK_END; t += SCRAPE_INTERVAL) {
    if (t >= RESTART.downAt && t < RESTART.downAt + RESTART.downFor) {
      // The scrape fails: Prometheus records up 0 and nothing else. The new process
      // starts with no state: counters from 0, no balance until its first read.
      set.add('up', target, t, 0);
      states = new Map();
      processStart = RESTART.downAt + RESTART.downFor - 5;
      continue;
    }
    set.add('up', target, t, 1);
    set.add('process_start_time_seconds', target, t, processStart);
    set.add(
      'tensorpix_exporter_build_info',
      { ...target, version: '0.1.0', revision: 'abc1234', nodejs_version: 'v20.19.0' },
      t,
      1,
    );
    for (const plan of ACCOUNTS) {
      if (t < plan.joinsAt) continue;
      let state = states.get(plan.name);
      if (!state) states.set(plan.name, (state = freshState()));
      if (t >= state.notBefore)
        attempt(state, upstreamAnswer(t), upstreamBalance(plan, jobs[plan.name]!, t), t, random);
      const labels = { ...target, account: plan.name };
      if (state.good && t - state.good.at <= EXPORTER.maxStale)
        set.add('tensorpix_credits_balance_usd', labels, t, state.good.usd);
      if (state.good) set.add('tensorpix_last_success_timestamp_seconds', labels, t, state.good.at);
      set.add('tensorpix_up', labels, t, state.up ? 1 : 0);
      set.add('tensorpix_upstream_requests_total', labels, t, state.requests);
      for (const code of ERROR_CODES)
        set.add('tensorpix_upstream_errors_total', { ...labels, code }, t, state.errors[code]!);
      BUCKETS.forEach((le, i) =>
        set.add(
          'tensorpix_upstream_request_duration_seconds_bucket',
          { ...labels, le: String(le) },
          t,
          state.buckets[i]!,
        ),
      );
      set.add(
        'tensorpix_upstream_request_duration_seconds_bucket',
        { ...labels, le: '+Inf' },
        t,
        state.requests,
      );
      set.add('tensorpix_upstream_request_duration_seconds_sum', labels, t, state.durationSum);
      set.add('tensorpix_upstream_request_duration_seconds_count', labels, t, state.requests);
      set.add('tensorpix_credits_spent_usd_total', labels, t, state.spent);
      set.add('tensorpix_credits_added_usd_total', labels, t, state.added);
    }
  }
  return { series: set.all(), jobs };
}
