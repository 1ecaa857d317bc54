import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { stringify } from 'yaml';
import { PrometheusApi } from './prometheus-api';
import { freePort, poll, type Stack } from './processes';
import { REPO } from './stack-config';

/**
 * startExporter runs the built exporter on a free loopback port for `tokens`, each an
 * account named after its token (read from a token file, as operators are told to), and
 * resolves with its address once it is ready, so that no scrape meets a closed port.
 */
export async function startExporter(
  stack: Stack,
  options: { name: string; apiUrl: string; tokens: string[]; cacheTtl: string },
): Promise<string> {
  const dir = stack.tempDir(options.name);
  const address = `127.0.0.1:${await freePort()}`;
  const accounts = options.tokens.map((token) => {
    writeFileSync(join(dir, `${token}.token`), `${token}\n`, { mode: 0o600 });
    return { name: token, token_file: `${token}.token` };
  });
  const file = join(dir, 'accounts.yml');
  writeFileSync(file, stringify({ api_url: options.apiUrl, accounts }));
  stack.start(options.name, process.execPath, [
    join(REPO, 'dist', 'main.js'),
    `--web.listen-address=${address}`,
    `--config.file=${file}`,
    `--cache.ttl=${options.cacheTtl}`,
    '--log.level=warn',
  ]);
  await poll(
    `${options.name} to be ready`,
    10_000,
    async () => {
      const { statusCode, body } = await request(`http://${address}/-/ready`);
      await body.text();
      return statusCode === 200 || undefined;
    },
    stack,
  );
  return address;
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
  const port = await freePort();
  const api = new PrometheusApi(`http://127.0.0.1:${port}`);
  stack.start(options.name, options.binary, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(options.flags ?? []),
  ]);
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
