#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { loadConfig, type Config } from './config';
import { startDemoApi } from './demo/demo-api';
import { createExporter, type AccountSpec } from './exporter';
import { helpText } from './flags';
import { createHttpServer } from './http-server';
import { formatListenAddress } from './listen-address';
import { createLogger, type Logger } from './logger';
import { createReloader } from './reload';
import { createServer } from './server';
import { REVISION, VERSION } from './version';

const readFile = (path: string) => readFileSync(path, 'utf8');

/** SHUTDOWN_GRACE_MS is how long in-flight scrapes get before their connections are cut. */
const SHUTDOWN_GRACE_MS = 1000;
/** SHUTDOWN_LIMIT_MS is when the process exits whatever is still open. */
const SHUTDOWN_LIMIT_MS = 1800;

async function run(config: Readonly<Config>, logger: Logger): Promise<void> {
  const demo = config.demo ? await startDemoApi() : undefined;
  const accounts: AccountSpec[] = demo
    ? [
        {
          name: config.accountName,
          apiUrl: demo.apiUrl,
          timeoutMs: config.upstreamTimeoutMs,
          token: { kind: 'value', value: demo.token },
        },
      ]
    : config.accounts;
  if (demo) logger.info({ api_url: demo.apiUrl }, 'demo mode: simulated TensorPix API started');

  const registry = new Registry();
  const exporter = createExporter({
    accounts,
    registry,
    logger,
    buildInfo: { version: VERSION, revision: REVISION, nodejs_version: process.version },
    exporterMetrics: config.exporterMetrics,
    cache: { ttlMs: config.cacheTtlMs, maxStaleMs: config.cacheMaxStaleMs, now: Date.now },
    concurrency: config.concurrency,
    ...(config.caCert !== undefined && { caCert: config.caCert }),
  });
  const reload = createReloader({ config, exporter, logger, readFile, now: Date.now });
  let listening = false;
  const app = createServer({
    exporter,
    logger,
    version: VERSION,
    telemetryPath: config.telemetryPath,
    timeoutOffsetMs: config.timeoutOffsetMs,
    enableLifecycle: config.enableLifecycle,
    isReady: () => listening,
    reload,
    now: Date.now,
    ...(config.web && { web: config.web }),
  });

  const server = createHttpServer(app, config.web?.tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  listening = true;
  const address = server.address() as AddressInfo;
  logger.info(
    {
      address: formatListenAddress({ host: address.address, port: address.port }),
      tls: Boolean(config.web?.tls),
      version: VERSION,
    },
    'listening',
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(0), SHUTDOWN_LIMIT_MS).unref();
    listening = false;
    server.close(() => {
      Promise.allSettled([exporter.close(), demo?.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
    // Aborting upstream calls lets scrapes in flight answer (with tensorpix_up 0) at once.
    void exporter.close();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => reload());
}

function main(): void {
  const result = loadConfig({
    argv: process.argv.slice(2),
    env: process.env,
    readFile,
  });
  if (result.kind === 'help') {
    process.stdout.write(helpText(VERSION));
    return;
  }
  if (result.kind === 'version') {
    process.stdout.write(
      `tensorpix-exporter, version ${VERSION} (revision: ${REVISION})\n  node: ${process.version}\n`,
    );
    return;
  }
  if (result.kind === 'invalid') {
    for (const problem of result.problems) process.stderr.write(`tensorpix-exporter: ${problem}\n`);
    process.exitCode = 2;
    return;
  }
  const { config } = result;
  if (config.check) {
    process.stdout.write('tensorpix-exporter: configuration is valid\n');
    return;
  }
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    destination: process.stderr,
  });
  const fatal = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
  run(config, logger).catch((error: unknown) => {
    logger.fatal({ err: error }, 'cannot start');
    process.exit(1);
  });
}

main();
