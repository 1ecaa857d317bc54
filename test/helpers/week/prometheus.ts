import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '../../../e2e/processes';

/** Binaries names the Prometheus and promtool to run, so the week can be replayed on any version. */
export interface Binaries {
  prometheus: string;
  promtool: string;
}

/** promtoolBackfill writes an OpenMetrics file into TSDB blocks in `dataDir`. */
export function promtoolBackfill(binaries: Binaries, openMetricsPath: string, dataDir: string): void {
  // One block for the whole file: by default promtool cuts 2 h blocks and re-reads the
  // whole file for each, which turns seconds into minutes for a week of history.
  const result = spawnSync(
    binaries.promtool,
    ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=486h', openMetricsPath, dataDir],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0)
    throw new Error(`promtool create-blocks-from openmetrics failed: ${result.stdout}${result.stderr}`);
}

/**
 * HistoricalPrometheus is a real Prometheus serving a data directory of backfilled blocks
 * on a free loopback port. It scrapes nothing and evaluates no rule: the history is all
 * there is. restart() makes it load blocks written into its directory since it started.
 */
export class HistoricalPrometheus {
  url = '';
  private child?: ChildProcess;
  private output = '';

  /** dataDir is `<workDir>/data`, where backfilled blocks go. */
  readonly dataDir: string;

  constructor(
    private readonly binaries: Binaries,
    private readonly workDir: string,
  ) {
    this.dataDir = join(workDir, 'data');
  }

  async start(): Promise<void> {
    const config = join(this.workDir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 60s\n  evaluation_interval: 60s\n');
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.output = '';
    const child = spawn(
      this.binaries.prometheus,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${this.dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
    );
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-10_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
    // Poll readiness, bounded: a Prometheus that opens a week of blocks is ready in about a second.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      const ready = await request(`${this.url}/-/ready`)
        .then(async ({ statusCode, body }) => (await body.text(), statusCode === 200))
        .catch(() => false);
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Prometheus did not become ready:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** get calls the HTTP API and returns `data`, or throws with Prometheus' error. */
  async get<T>(path: string, params: Record<string, string | number>): Promise<T> {
    const query = new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    );
    const { statusCode, body } = await request(`${this.url}${path}?${query}`);
    const answer = (await body.json()) as { status: string; data: T; error?: string };
    if (statusCode !== 200 || answer.status !== 'success')
      throw new Error(`${path} ${params.query ?? ''}: ${answer.error ?? statusCode}`);
    return answer.data;
  }

  async queryRange(expr: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
    const data = await this.get<{ result: Array<{ metric: Labels; values: Array<[number, string]> }> }>(
      '/api/v1/query_range',
      { query: expr, start, end, step },
    );
    return data.result.map(({ metric, values }) => ({
      metric,
      points: values.map(([t, v]) => [t, Number(v)] as [number, number]),
    }));
  }

  async query(expr: string, time: number): Promise<Array<{ metric: Labels; value: number }>> {
    const data = await this.get<{ result: Array<{ metric: Labels; value: [number, string] }> }>(
      '/api/v1/query',
      { query: expr, time },
    );
    return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
  }
}

export type Labels = Record<string, string>;
export interface RangeSeries {
  metric: Labels;
  points: Array<[number, number]>;
}
