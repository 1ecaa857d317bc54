import { Writable } from 'node:stream';
import type { LookupFunction } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { AccountSpec } from '../../src/accounts/account-spec';
import { createApp, type App } from '../../src/app';
import type { Config } from '../../src/config/config';
import type { ProxyDefaults } from '../../src/config/proxy-settings';
import type { WebConfig } from '../../src/config/web-config';
import { createLogger } from '../../src/log/logger';
import { requireHttpParser } from '../../src/tensorpix/parser-check';
import { createHttpServer, DEFAULT_LIMITS, type ServerLimits } from '../../src/web/http-server';
import { DETAIL, startFakeApi, type FakeApi } from './fake-api';
import { sampleValue } from './exposition';

export const TOKEN = 'tpx-test-token-6f1d2c9a';

/** Clock is a hand-moved clock shared by the accounts, Retry-After parsing and the page. */
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
  /** accounts default to one `default` account on the fake API; timeoutMs defaults to upstreamTimeoutMs. */
  accounts?: (api: FakeApi) => Array<Omit<AccountSpec, 'timeoutMs'> & { timeoutMs?: number }>;
  exporterMetrics?: boolean;
  web?: WebConfig;
  enableLifecycle?: boolean;
  caCert?: string;
  lookup?: LookupFunction;
  configFile?: string;
  /** realClock uses Date.now and performance.now instead of the hand-moved clock. */
  realClock?: boolean;
  /**
   * wallClock moves the wall clock apart (Harness.wall), as an NTP step or a resumed VM
   * does; by default one hand-moved clock is both the wall and the monotonic clock.
   */
  wallClock?: boolean;
  /** proxy is the flags' proxy setting and proxy variables, as loadConfig gives them to reloads. */
  proxy?: ProxyDefaults;
  /** apiTls serves the fake API over HTTPS with this certificate (give caCert to trust it). */
  apiTls?: { cert: string; key: string };
}

/** testConfig is a checked configuration as loadConfig would give it, with the harness' choices. */
export function testConfig(options: HarnessOptions, api: FakeApi): Config {
  const timeoutMs = options.upstreamTimeoutMs ?? 5000;
  const accounts = (
    options.accounts?.(api) ?? [{ name: 'default', apiUrl: api.url, token: { kind: 'value', value: TOKEN } }]
  ).map((spec) => ({ timeoutMs, ...spec }));
  return {
    listen: { host: '127.0.0.1', port: 0 },
    telemetryPath: '/metrics',
    timeoutOffsetMs: options.timeoutOffsetMs ?? 500,
    maxConnections: 256,
    enableLifecycle: options.enableLifecycle ?? false,
    ...(options.web && { web: options.web }),
    exporterMetrics: options.exporterMetrics ?? false,
    apiUrl: api.url,
    upstreamTimeoutMs: timeoutMs,
    accountName: 'default',
    accounts,
    ...(options.configFile !== undefined && { configFile: options.configFile }),
    ...(options.proxy && { proxy: options.proxy }),
    ...(options.caCert !== undefined && { caCert: options.caCert }),
    concurrency: options.concurrency ?? 4,
    cacheTtlMs: options.ttlMs ?? 60_000,
    cacheMaxStaleMs: options.maxStaleMs ?? 15 * 60_000,
    logLevel: 'debug',
    logFormat: 'json',
    demo: false,
    check: false,
    checkApi: false,
  };
}

/**
 * Harness runs the real exporter (createApp, as main does: client, accounts, metrics,
 * Express app) against the real fake API, with a hand-moved clock and a captured log.
 * Every scrape and, at close, the whole log are checked for the token and the API's text.
 */
export class Harness {
  readonly clock = new Clock();
  /** wall is the wall clock when the harness was started with `wallClock`. */
  readonly wall = new Clock();
  readonly logLines: string[] = [];
  app!: App;
  private config!: Config;
  private servers: Server[] = [];

  private constructor(readonly upstream: FakeApi) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    // As main does before it listens: undici is loaded and its parser made, so the first
    // scrape does not carry their cost (a few hundred ms on a busy machine) in its timing.
    await requireHttpParser();
    const harness = new Harness(await startFakeApi(options.apiTls ? { tls: options.apiTls } : {}));
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
    this.config = testConfig(options, this.upstream);
    this.app = createApp(this.config, {
      logger: createLogger({ level: 'debug', format: 'json', destination }),
      isReady: () => true,
      // Reloads follow each other at once: the harness's time is the hand-moved clock.
      reloadSpacingMs: 0,
      ...(!options.realClock && {
        now: options.wallClock ? this.wall.now : this.clock.now,
        monotonicNow: this.clock.now,
      }),
      ...(options.lookup && { lookup: options.lookup }),
      buildInfo: { version: '1.2.3', revision: 'abc123', nodejs_version: 'v20.0.0' },
    });
  }

  get handler() {
    return this.app.handler;
  }

  /** listen serves the app on 127.0.0.1 as main does (TLS from the web config) and returns its base URL. */
  async listen(limits: Partial<ServerLimits> = {}): Promise<string> {
    const server = createHttpServer(this.app.handler, this.config.web?.tls, { ...DEFAULT_LIMITS, ...limits });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const scheme = this.config.web?.tls ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** scrape GETs /metrics, expects 200 and returns the body, checked for leaks. */
  async scrape(headers: Record<string, string> = {}): Promise<string> {
    const response = await request(this.app.handler).get('/metrics').set(headers);
    expect(response.status).toBe(200);
    assertNoLeak(response.text);
    return response.text;
  }

  /** settle waits until no attempt is in flight (bounded), for tests that look after the answer. */
  async settle(limitMs = 5000): Promise<void> {
    const started = Date.now();
    while (this.upstream.inFlight() > 0 && Date.now() - started < limitMs)
      await new Promise((r) => setTimeout(r, 5));
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
    await this.app.close();
    await this.upstream.close();
    assertNoLeak(this.logLines.join('\n'));
  }
}

/** assertNoLeak fails when text carries the token or any upstream body text. */
export function assertNoLeak(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(DETAIL);
}
