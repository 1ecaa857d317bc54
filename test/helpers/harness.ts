import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createExporter, type AccountSpec, type Exporter } from '../../src/exporter';
import { createLogger } from '../../src/logger';
import { createHttpServer, DEFAULT_LIMITS, type ServerLimits } from '../../src/http-server';
import { createServer } from '../../src/server';
import type { WebConfig } from '../../src/web-config';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DETAIL, startFakeUpstream, type FakeUpstream } from './fake-upstream';
import { sampleValue } from './exposition';

export const TOKEN = 'tpx-test-token-6f1d2c9a';

/** Clock is a hand-moved clock shared by the cache, Retry-After parsing and the page. */
export class Clock {
  constructor(public ms = Date.UTC(2026, 10, 1)) {}
  now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface HarnessOptions {
  ttlMs?: number;
  maxStaleMs?: number;
  upstreamTimeoutMs?: number;
  timeoutOffsetMs?: number;
  concurrency?: number;
  /** accounts default to one `default` account on the fake upstream; timeoutMs defaults to upstreamTimeoutMs. */
  accounts?: (upstream: FakeUpstream) => Array<Omit<AccountSpec, 'timeoutMs'> & { timeoutMs?: number }>;
  exporterMetrics?: boolean;
  web?: WebConfig;
  enableLifecycle?: boolean;
  caCert?: string;
  lookup?: import('node:net').LookupFunction;
}

/**
 * Harness runs the real exporter (client, cache, metrics, Express app) against a real
 * fake upstream, with a hand-moved clock and a captured log. Every scrape and, at
 * close, the whole log are checked for the token and the upstream's text.
 */
export class Harness {
  readonly clock = new Clock();
  readonly logLines: string[] = [];
  readonly registry = new Registry();
  exporter!: Exporter;
  app!: ReturnType<typeof createServer>;

  private constructor(readonly upstream: FakeUpstream) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const harness = new Harness(await startFakeUpstream());
    harness.init(options);
    return harness;
  }

  private init(options: HarnessOptions): void {
    const logs = this.logLines;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', format: 'json', destination });
    const accounts = (
      options.accounts?.(this.upstream) ?? [
        { name: 'default', apiUrl: this.upstream.url, token: { kind: 'value', value: TOKEN } },
      ]
    ).map((spec) => ({ timeoutMs: options.upstreamTimeoutMs ?? 5000, ...spec }));
    this.exporter = createExporter({
      accounts,
      registry: this.registry,
      logger,
      buildInfo: { version: '1.2.3', revision: 'abc123', nodejs_version: 'v20.0.0' },
      exporterMetrics: options.exporterMetrics ?? false,
      cache: {
        ttlMs: options.ttlMs ?? 60_000,
        maxStaleMs: options.maxStaleMs ?? 15 * 60_000,
        now: this.clock.now,
      },
      concurrency: options.concurrency ?? 4,
      monotonicNow: this.clock.now,
      ...(options.caCert && { caCert: options.caCert }),
      ...(options.lookup && { lookup: options.lookup }),
    });
    this.app = createServer({
      exporter: this.exporter,
      logger,
      version: '1.2.3',
      telemetryPath: '/metrics',
      timeoutOffsetMs: options.timeoutOffsetMs ?? 500,
      enableLifecycle: options.enableLifecycle ?? false,
      isReady: () => true,
      reload: () => this.reload(),
      now: this.clock.now,
      ...(options.web && { web: options.web }),
    });
    this.web = options.web;
  }

  private web?: WebConfig;
  /** reload is what POST /-/reload calls; tests replace it. */
  reload: () => { ok: boolean; problems: string[] } = () => ({ ok: true, problems: [] });
  private servers: Server[] = [];

  /** listen serves the app on 127.0.0.1 as main does (TLS from the web config) and returns its base URL. */
  async listen(limits: Partial<ServerLimits> = {}): Promise<string> {
    const server = createHttpServer(this.app, this.web?.tls, { ...DEFAULT_LIMITS, ...limits });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const scheme = this.web?.tls ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** scrape GETs /metrics, expects 200 and returns the body, checked for leaks. */
  async scrape(headers: Record<string, string> = {}): Promise<string> {
    const response = await request(this.app).get('/metrics').set(headers);
    expect(response.status).toBe(200);
    assertNoLeak(response.text);
    return response.text;
  }

  /** value reads one sample of the last scrape's metrics for the default account. */
  static value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
    return sampleValue(text, name, { account: 'default', ...labels });
  }

  async close(): Promise<void> {
    for (const server of this.servers) {
      server.closeAllConnections();
      server.close();
    }
    await this.exporter.close();
    await this.upstream.close();
    assertNoLeak(this.logLines.join('\n'));
  }
}

/** assertNoLeak fails when text carries the token or any upstream body text. */
export function assertNoLeak(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(DETAIL);
}
