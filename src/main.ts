#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=20
// Two heap options hold memory where the exporter's bounds need it. The young generation is
// held to 2 MB a semi-space (V8 grows it to 16 MB under load: 30 MB of resident memory for
// garbage that dies young; 1 MB costs a tenth of the throughput in collections, 2 MB nothing
// measurable). --heap-growing-percent=20 lets the old generation grow by a fifth past what
// the last full collection kept, not by V8's default of up to double: a render's garbage is
// then collected before it doubles the heap (1 000 accounts scraped every 200 ms while 40
// clients read at 1 byte/s: peak 171-181 MiB, not 324-372, on Node 24 and 26; docs/benchmarks.md).
// V8 reads both only at start, from node's command line, so they are given to node itself,
// the same in every way the exporter starts: this line (the installed command, systemd's
// ExecStart), the npm scripts, the Dockerfile's ENTRYPOINT (compose and Kubernetes run the
// image) and the commands in README.md and docs/. test/start-options.test.ts holds them together; every
// Node line CI runs starts the exporter with them, so a line whose V8 dropped one fails there.
// Signals are handled from the first statement (nothing is loaded before it): without a
// handler, SIGHUP, SIGTERM and SIGINT end the process by Node's default action. One that
// comes while the exporter starts is held: a SIGHUP is applied once it listens, a SIGTERM
// or SIGINT ends it at once with the shell's status for the signal (nothing to drain yet,
// and a --config.check that was interrupted must not look passed). Node itself resets
// every handler while it boots, before this line can run (tens of milliseconds after the
// process starts), and that window no program of its own can close.
// (Statements before imports run first: the compiled file keeps the order.)
let onSignal: ((signal: 'SIGHUP' | 'SIGTERM' | 'SIGINT') => void) | undefined;
let hangupHeld = false;
for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    if (onSignal) onSignal(signal);
    else if (signal === 'SIGHUP') hangupHeld = true;
    else process.exit(signal === 'SIGTERM' ? 143 : 130);
  });
import type { Server as HttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { checkApi } from './check/api-check';
import { describeCheck } from './check/describe-check';
import { outputLines } from './check/output-lines';
import { watchedFields } from './config/describe-route';
import { helpText } from './config/flags';
import { formatListenAddress } from './config/listen-address';
import type { Config } from './config/config';
import { loadConfig } from './config/load-config';
import { readRegularFileSync } from './regular-file';
import { refreshTls, watchTlsFiles } from './config/tls-renewal';
import { startDemoApi } from './demo/demo-api';
import { createLogger, type Logger } from './log/logger';
import { lossyOutput, survivesWriteErrors } from './log/lossy-output';
import { nodeSupportWarning } from './node-support';
import { checkBeforeStart } from './check/start-checks';
import { REVISION, VERSION } from './version';
import { createHttpServer, DEFAULT_LIMITS, LISTEN_BACKLOG } from './web/http-server';
import { listenProblem } from './web/listen-problem';

/** SHUTDOWN_GRACE_MS is how long in-flight scrapes get before their connections are cut. */
const SHUTDOWN_GRACE_MS = 1000;
/** SHUTDOWN_LIMIT_MS is when the process exits whatever is still open. */
const SHUTDOWN_LIMIT_MS = 1800;

async function run(config: Readonly<Config>, logger: Logger): Promise<void> {
  await checkBeforeStart(config.accounts, logger);
  const demo = config.demo ? await startDemoApi() : undefined;
  if (demo) config = demoConfig(config, demo, logger);

  for (const account of config.accounts) logger.info(watchedFields(account), 'watching account');
  const readiness = { listening: false };
  const app = createApp(config, { logger, isReady: () => readiness.listening });
  const limits = { ...DEFAULT_LIMITS, maxConnections: config.maxConnections };
  const server = createHttpServer(app.handler, config.web?.tls, limits, logger);
  // A certificate renewed in place (cert-manager, certbot) is served without a restart.
  const tls = config.web?.tls;
  if (tls) refreshTls(server as HttpsServer, tls, watchTlsFiles(tls, readRegularFileSync), logger);
  await listenOrExit(server, config.listen);
  readiness.listening = true;
  const address = server.address() as AddressInfo;
  logger.info(
    {
      address: formatListenAddress({ host: address.address, port: address.port }),
      tls: Boolean(config.web?.tls),
      version: VERSION,
    },
    'listening',
  );

  const shutdown = stopper(server, () => Promise.allSettled([app.close(), demo?.close()]), readiness, logger);
  onSignal = (signal) => (signal === 'SIGHUP' ? void app.reload() : shutdown(signal));
  if (hangupHeld) {
    logger.info('a SIGHUP came while the exporter started: reloading now');
    void app.reload();
  }
}

/** demoConfig is the configuration with its one account pointed at the simulated API. */
function demoConfig(config: Readonly<Config>, demo: { apiUrl: string; token: string }, logger: Logger) {
  logger.info({ api_url: demo.apiUrl }, 'demo mode: simulated TensorPix API started');
  return Object.freeze({
    ...config,
    accounts: [
      {
        name: config.accountName,
        apiUrl: demo.apiUrl,
        timeoutMs: config.upstreamTimeoutMs,
        token: { kind: 'value' as const, value: demo.token },
        tokenFrom: 'the demo',
        // The simulated API runs in this process: no proxy stands between them.
        route: { kind: 'direct' as const, reason: 'demo' },
      },
    ],
  });
}

/** listenOrExit listens, or exits 2 with one line naming why the address cannot be had. */
async function listenOrExit(server: Server, listen: Config['listen']): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: listen.port, host: listen.host, backlog: LISTEN_BACKLOG }, () => resolve());
    });
  } catch (error) {
    // Like a bad flag, a port that cannot be had is the operator's to fix: one line, exit 2.
    process.stderr.write(`tensorpix-exporter: ${listenProblem(error, listen)}\n`);
    process.exit(2);
  }
}

/**
 * stopper returns what SIGTERM and SIGINT do: stop being ready, let scrapes in flight
 * answer, close the server and `close` the rest, and exit within SHUTDOWN_LIMIT_MS.
 */
function stopper(
  server: Server,
  close: () => Promise<unknown>,
  readiness: { listening: boolean },
  logger: Logger,
): (signal: string) => void {
  let stopping = false;
  return (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(0), SHUTDOWN_LIMIT_MS).unref();
    readiness.listening = false;
    // Aborting every attempt lets scrapes in flight answer (with tensorpix_up 0) at once.
    const closed = close();
    server.close(() => void closed.then(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  };
}

function main(): void {
  // A closed pipe or a full disk must not end the exporter, nor change the check's verdict.
  survivesWriteErrors(process.stdout);
  survivesWriteErrors(process.stderr);
  const result = loadConfig({ argv: process.argv.slice(2), env: process.env, readFile: readRegularFileSync });
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
    process.stderr.write(outputLines(result.problems));
    process.exitCode = 2;
    return;
  }
  const { config } = result;
  if (config.check) {
    const print = (lines: string[]) => process.stdout.write(outputLines(lines));
    print(describeCheck(config));
    if (config.checkApi)
      void checkApi(config, { userAgent: `tensorpix-exporter/${VERSION}` }).then(({ lines, ok }) => {
        print(lines);
        process.exitCode = ok ? 0 : 1;
      });
    return;
  }
  const logger: Logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    destination: lossyOutput(process.stderr, (lost, code) =>
      logger.warn({ lost_lines: lost, code }, 'log lines were lost: standard error could not take them'),
    ),
  });
  const nodeWarning = nodeSupportWarning(process.versions);
  if (nodeWarning) logger.warn(nodeWarning);
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
