import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PrometheusApi } from './prometheus-api';
import { poll, type Stack } from './processes';
import { REPO } from './stack-config';

/**
 * listeningAddress resolves with the address a child logs once it listens (the first
 * capture of `pattern` in a line of its output). The children listen on port 0 and say
 * which port they got: a port picked beforehand and freed for the child (freePort) can be
 * taken in between by a process of another test file, and a readiness check would then
 * answer from that process.
 */
function listeningAddress(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
  stack: Stack,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const done = (error?: Error, address?: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(address!);
    };
    const onData = (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const address = pattern.exec(line)?.[1];
        if (address) return done(undefined, address);
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`exited (${signal ?? code}) before listening\n${stack.logs()}`));
    const timer = setTimeout(
      () => done(new Error(`not listening after ${timeoutMs} ms\n${stack.logs()}`)),
      timeoutMs,
    );
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * startExporter runs the built exporter on a loopback port of its own for `tokens`, each an
 * account named after its token (read from a token file, as operators are told to), and
 * resolves with its address once it listens, so that no scrape meets a closed port.
 */
export async function startExporter(
  stack: Stack,
  options: { name: string; apiUrl: string; tokens: string[]; cacheTtl: string },
): Promise<{ address: string; child: ChildProcess }> {
  const dir = stack.tempDir(options.name);
  const accounts = options.tokens.map((token) => {
    writeFileSync(join(dir, `${token}.token`), `${token}\n`, { mode: 0o600 });
    return { name: token, token_file: `${token}.token` };
  });
  const file = join(dir, 'accounts.yml');
  writeFileSync(file, stringify({ api_url: options.apiUrl, accounts }));
  const child = stack.start(options.name, process.execPath, [
    join(REPO, 'dist', 'main.js'),
    '--web.listen-address=127.0.0.1:0',
    `--config.file=${file}`,
    `--cache.ttl=${options.cacheTtl}`,
    '--log.format=json',
  ]);
  // It is ready once it listens: it logs "listening" after its server is bound.
  const address = await listeningAddress(child, /"address":"([^"]+)".*"msg":"listening"/, 10_000, stack);
  return { address, child };
}

/** stateOf says whether a child still runs, or how it ended: a scrape error then has its cause beside it. */
export function stateOf(child: ChildProcess): string {
  if (child.exitCode === null && child.signalCode === null) return 'running';
  return `ended (${child.signalCode ?? `exit code ${child.exitCode}`})`;
}

/**
 * startPrometheus runs `binary` with one scrape job per entry of `jobs` (each scraping every
 * second), and resolves with its API once it is ready.
 */
export async function startPrometheus(
  stack: Stack,
  options: { name: string; binary: string; jobs: Array<Record<string, unknown>>; flags?: string[] },
): Promise<PrometheusApi> {
  const dir = stack.tempDir(options.name);
  const config = join(dir, 'prometheus.yml');
  const global = { scrape_interval: '1s', scrape_timeout: '1s' };
  writeFileSync(config, stringify({ global, scrape_configs: options.jobs }));
  const child = stack.start(options.name, options.binary, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    '--web.listen-address=127.0.0.1:0',
    ...(options.flags ?? []),
  ]);
  // "Listening on" (2.42 and 3.5 alike) names the port the web listener got; "Start listening" the one asked for.
  const address = await listeningAddress(child, /msg="Listening on".* address=(\S+)/, 20_000, stack);
  const api = new PrometheusApi(`http://${address}`);
  await poll(`${options.name} to be ready`, 20_000, async () => (await api.ready()) || undefined, stack);
  return api;
}

/**
 * scrapedAtLeast waits until each of `jobs` has scraped `times` times within the last
 * minute, and resolves with that moment (unix seconds) for queries to be evaluated at.
 */
export async function scrapedAtLeast(
  api: PrometheusApi,
  jobs: readonly string[],
  times: number,
  stack: Stack,
): Promise<number> {
  return poll(
    `${times} scrapes of each of ${jobs.join(', ')}`,
    20_000,
    async () => {
      const counts = await api.query('count_over_time(up[1m])');
      const done = jobs.every((job) => counts.some((s) => s.metric.job === job && Number(s.value) >= times));
      return done ? Date.now() / 1000 : undefined;
    },
    stack,
  );
}

/** lowestUp is, per job, the lowest `up` over the last minute at `time`: "1" when every scrape succeeded. */
export async function lowestUp(api: PrometheusApi, time: number): Promise<Record<string, string>> {
  const samples = await api.query('min_over_time(up[1m])', time);
  return Object.fromEntries(samples.map((s) => [s.metric.job, s.value]));
}
