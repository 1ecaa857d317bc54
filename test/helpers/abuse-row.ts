import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startExporter, type RunningExporter } from './child';
import { LegitScraper, type Scrape } from './legit-scraper';
import { descriptorsOf, memoryOf, type Descriptors } from './proc-stats';

const ATTACKER = join(__dirname, 'attacker.js');

/** Attack is one attack of test/helpers/attacker.js: its kind and its knobs. */
export type Attack = { kind: string } & Record<string, unknown>;

/** Row is one line of the abuse matrix: an exporter as configured, and what hits it. */
export interface Row {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** authorization is what the legitimate scraper sends, where basic auth is on. */
  authorization?: string;
  /**
   * warmUpAuthorization is what the warm-up scrape sends instead (another user's), so that
   * the scraper's own credentials are still to be verified when the attack starts: the
   * verdict cache is as cold as after every start.
   */
  warmUpAuthorization?: string;
  /** legitDelayMs is how long into the attack the legitimate scraper starts, to meet it in full. */
  legitDelayMs?: number;
  attacks: Attack[];
  durationMs: number;
}

/** AttackReport is what attacker.js says one attack did. */
export interface AttackReport {
  kind: string;
  opened: number;
  /** closedByPeer counts the attack's connections that the exporter closed. */
  closedByPeer: number;
  errors: number;
  requests: number;
  statuses: Record<string, number>;
  /** neverConnected counts connects still waiting when the attack ended. */
  neverConnected: number;
}

/** RowResult is what one row measured, for its assertions and the report. */
export interface RowResult {
  scrapes: Scrape[];
  /** after is a scrape once the attack has stopped. */
  after: Scrape;
  peakRssBytes: number;
  rssAfterWarmUpBytes: number;
  descriptors: { before: Descriptors; peak: number; after: Descriptors };
  attacker: AttackReport[];
}

/** SAMPLE_MS is how often the row looks at the exporter's descriptors during the attack. */
const SAMPLE_MS = 250;

/** runAttacker runs attacker.js with its descriptor limit raised to the hard limit; SIGKILL bounds it. */
function runAttacker(port: number, row: Row): Promise<AttackReport[]> {
  const plan = JSON.stringify({ port, durationMs: row.durationMs, attacks: row.attacks });
  // A shell raises the soft limit (node cannot); where the hard one is lower, the flood gets what it can.
  const child = spawn(
    '/bin/sh',
    ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, ATTACKER, plan],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), row.durationMs + 5000);
  return new Promise((resolve) =>
    child.on('close', () => {
      clearTimeout(killer);
      // A killed attacker reports nothing; the row's assertions then say what it missed.
      resolve(out ? (JSON.parse(out) as { attacks: AttackReport[] }).attacks : []);
    }),
  );
}

/** waitFor polls `check` every 50 ms until it holds or `limitMs` passes; it returns the last value. */
async function waitFor<T>(read: () => T, check: (value: T) => boolean, limitMs: number): Promise<T> {
  const started = Date.now();
  let value = read();
  while (!check(value) && Date.now() - started < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = read();
  }
  return value;
}

/**
 * runRow starts the exporter, warms it up, runs the row's attacks from their own process
 * while a LegitScraper scrapes every 200 ms, then checks the exporter once the attack has
 * stopped: one more scrape, and its descriptors back to where they were.
 */
export async function runRow(row: Row): Promise<RowResult> {
  let exporter: RunningExporter | undefined;
  let legit: LegitScraper | undefined;
  try {
    exporter = await startExporter(row.args, row.env);
    const pid = exporter.child.pid!;
    const port = Number(new URL(exporter.url).port);
    legit = new LegitScraper(exporter.url, row.authorization);
    // Warm up: the balances read, the credentials verified once, as a running Prometheus finds them.
    const warmUp = row.warmUpAuthorization;
    let warm = await legit.scrape(warmUp);
    for (let tries = 1; !warm.healthy && tries < 5; tries++) warm = await legit.scrape(warmUp);
    if (!warm.healthy)
      throw new Error(`warm-up scrape failed: ${JSON.stringify(warm)}\n${exporter.stderr()}`);
    const rssAfterWarmUpBytes = memoryOf(pid).rssBytes;
    const before = descriptorsOf(pid);

    let peak = before.total;
    const sampler = setInterval(() => {
      if (exporter?.child.exitCode === null) peak = Math.max(peak, descriptorsOf(pid).total);
    }, SAMPLE_MS);
    const scraper = legit;
    const starting = setTimeout(() => scraper.start(200), row.legitDelayMs ?? 0);
    const attacker = await runAttacker(port, row);
    clearTimeout(starting);
    clearInterval(sampler);
    const scrapes = await legit.stop();

    const running = exporter;
    // A dead exporter fails the row with its last words, not with a missing /proc entry.
    const alive = () => {
      const { exitCode, signalCode } = running.child;
      if (exitCode !== null || signalCode !== null)
        throw new Error(`exporter exited (${exitCode ?? signalCode}):\n${running.stderr().slice(-2000)}`);
    };
    alive();
    const peakRssBytes = memoryOf(pid).peakRssBytes;
    const after = await legit.scrape();
    // The legitimate scraper's own kept-alive connection is in `before` too.
    const descriptorsAfter = await waitFor(
      () => (alive(), descriptorsOf(pid)),
      (d) => d.total <= before.total,
      5000,
    );
    return {
      scrapes,
      after,
      peakRssBytes,
      rssAfterWarmUpBytes,
      descriptors: { before, peak, after: descriptorsAfter },
      attacker,
    };
  } finally {
    legit?.close();
    exporter?.child.kill('SIGKILL');
    // Its end is waited for: a process and pipes still open would hold jest after the last test.
    await exporter?.exited;
  }
}
