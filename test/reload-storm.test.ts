import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { startExporter, type RunningExporter } from './helpers/child';
import { balance, startFakeApi, type FakeApi } from './helpers/fake-api';

// A storm of reloads, by POST /-/reload or by SIGHUP, against a real exporter with a
// thousand or ten thousand accounts: scrapes and /-/healthy must keep answering while the
// exporter re-reads every token file, and the storm must cost a couple of reloads, not one
// per request.

jest.setTimeout(240_000);

let dir: string;
let upstream: FakeApi;
let running: RunningExporter | undefined;

beforeAll(async () => {
  upstream = await startFakeApi();
  upstream.reply(balance('7.0000'));
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-storm-'));
});

/** probes are stopped after each test, whatever failed in it, so none outlives its exporter. */
const probes: Probe[] = [];

afterEach(async () => {
  await Promise.all(probes.splice(0).map((probe) => probe.stop()));
  running?.child.kill('SIGKILL');
  await running?.exited;
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => upstream.close());

/**
 * writeAccounts writes `count` accounts (a0, a1, ...) plus `extra` names, and the token
 * files of those not written yet. The accounts file is replaced whole (written aside, then
 * renamed), as a configuration tool does: a reload never reads half of it.
 */
function writeAccounts(count: number, extra: string[] = []): string {
  const names = [...Array.from({ length: count }, (_, i) => `a${i}`), ...extra];
  let yaml = `api_url: ${upstream.url}\naccounts:\n`;
  for (const name of names) {
    const token = join(dir, `${name}.token`);
    if (!existsSync(token)) writeFileSync(token, `token-${name}\n`);
    yaml += `  - name: ${name}\n    token_file: ${name}.token\n`;
  }
  const path = join(dir, 'accounts.yml');
  writeFileSync(`${path}.new`, yaml);
  renameSync(`${path}.new`, path);
  return path;
}

interface Probe {
  statuses: number[];
  slowestMs: number;
  stop: () => Promise<void>;
}

/**
 * probe requests `path` again and again, one at a time (at most one every `everyMs`), until
 * stopped, and keeps what it saw.
 */
function probe(path: string, headers: Record<string, string> = {}, everyMs = 0): Probe {
  let stopped = false;
  const result: Probe = { statuses: [], slowestMs: 0, stop: async () => {} };
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const next = new Promise((resolve) => setTimeout(resolve, everyMs));
      try {
        const { statusCode, body } = await request(`${running!.url}${path}`, { headers });
        await body.dump();
        result.statuses.push(statusCode);
      } catch {
        // Refused or reset: a failure the test reports, and the end of this probe.
        result.statuses.push(0);
        stopped = true;
      }
      result.slowestMs = Math.max(result.slowestMs, performance.now() - started);
      await next;
    }
  })();
  probes.push(result);
  result.stop = async () => {
    stopped = true;
    await loop;
  };
  return result;
}

/** warmUp scrapes until the API gave every balance (`last` is the last account): the storm then meets a warm exporter. */
async function warmUp(last: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const { body } = await request(`${running!.url}/metrics`);
    if ((await body.text()).includes(`tensorpix_up{account="${last}"} 1`)) return;
  }
  throw new Error('the accounts did not all get their balance');
}

/** report prints the figures when STORM_FIGURES is set (for the record of docs/configuration.md and the issue). */
function report(scrapes: Probe, health: Probe): void {
  if (!process.env.STORM_FIGURES) return;
  const reloads = reloadsIn(running!.stderr());
  console.log({
    scrapes: scrapes.statuses.length,
    slowestScrapeMs: scrapes.slowestMs,
    slowestHealthMs: health.slowestMs,
    reloads,
  });
}

const reloadsIn = (log: string) => log.match(/"msg":"configuration reloaded"/g)?.length ?? 0;

async function untilReloaded(count: number): Promise<void> {
  for (let i = 0; i < 900 && reloadsIn(running!.stderr()) < count; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

test('1 000 accounts, 100 concurrent POST /-/reload three times: scrapes keep answering within about a second', async () => {
  const file = writeAccounts(1000);
  running = await startExporter(
    [`--config.file=${file}`, '--web.enable-lifecycle', '--cache.ttl=10m'],
    {},
    20_000,
  );
  await warmUp('a999');

  const scrapes = probe('/metrics', { 'X-Prometheus-Scrape-Timeout-Seconds': '10' });
  const health = probe('/-/healthy');
  const answers: number[] = [];
  for (let round = 0; round < 3; round++) {
    const posts = Array.from({ length: 100 }, async () => {
      const reply = await request(`${running!.url}/-/reload`, { method: 'POST' });
      await reply.body.dump();
      return reply.statusCode;
    });
    answers.push(...(await Promise.all(posts)));
  }
  await scrapes.stop();
  await health.stop();

  report(scrapes, health);
  expect(answers).toEqual(Array(300).fill(200));
  // Each round merges into the reload running and one more: never one per request.
  expect(reloadsIn(running.stderr())).toBeLessThanOrEqual(6);
  expect(scrapes.statuses.length).toBeGreaterThan(0);
  expect(new Set([...scrapes.statuses, ...health.statuses])).toEqual(new Set([200]));
  // The goal is a second (measured: 842 ms at the slowest, on a loaded 2-core machine; the
  // reloads held scrapes 3.5-5 s when they ran on the event loop); the bound leaves room for
  // a machine busy with other tests.
  expect(scrapes.slowestMs).toBeLessThan(2000);
  expect(health.slowestMs).toBeLessThan(2000);
});

test('10 000 accounts, 100 SIGHUPs in a second: scrapes within their budget, /-/healthy 200 throughout, the last file applied', async () => {
  const file = writeAccounts(10_000);
  running = await startExporter([`--config.file=${file}`, '--cache.ttl=10m'], {}, 60_000);
  await warmUp('a9999');

  // Scraped once a second, faster than any Prometheus would: a render of ten thousand
  // accounts' series takes most of a second of CPU, so a scraper that never pauses would
  // hold the event loop all the time and a reload could only read its files between renders.
  const scrapes = probe('/metrics', { 'X-Prometheus-Scrape-Timeout-Seconds': '10' }, 1000);
  const health = probe('/-/healthy');
  for (let i = 0; i < 100; i++) {
    // Halfway through, the file gains an account: the storm must end with it applied.
    if (i === 50) writeAccounts(10_000, ['late']);
    running.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await untilReloaded(2);
  // Let a last merged reload (if one was pending) run while the probes go on.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await scrapes.stop();
  await health.stop();

  report(scrapes, health);
  const log = running.stderr();
  expect(running.child.exitCode).toBeNull();
  expect(reloadsIn(log)).toBeGreaterThanOrEqual(1);
  expect(reloadsIn(log)).toBeLessThanOrEqual(3);
  expect(new Set([...scrapes.statuses, ...health.statuses])).toEqual(new Set([200]));
  // The scrapes' budget is their 10 s header. Rendering ten thousand accounts' series anew
  // after a reload (24 MB) holds the loop for a fraction of a second, the test's own process
  // reading them a little more: healthy stays well inside the budget too.
  expect(scrapes.slowestMs).toBeLessThan(10_000);
  expect(health.slowestMs).toBeLessThan(5000);
  const last = await request(`${running.url}/metrics`);
  expect(await last.body.text()).toContain('account="late"');
});
