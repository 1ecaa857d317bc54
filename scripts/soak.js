// Soak: many scrapes of the real exporter against a misbehaving fake TensorPix API, to
// show that memory and upstream sockets stay flat. `npm run soak` prints the figures;
// test/soak.test.ts runs a short variant with bounds. Needs `npm run build` first.
const { Writable } = require('node:stream');
const { Agent, request } = require('undici');
const { createApp } = require('../dist/app');
const { createLogger } = require('../dist/log/logger');
const { createHttpServer } = require('../dist/web/http-server');
const { startFakeApi, balance, error, hang, json, reset } = require('../test/helpers/fake-api');

const TOKEN = 'soak-token';

// After a run of 401s, each request gets the next fault of this list in turn.
const FAULTS = [
  balance('12.3400'),
  json(503, '<html>down</html>'),
  error(429, { 'retry-after': '1' }),
  hang, // until the attempt's timeout
  reset,
  json(200, 'x'.repeat(200 * 1024)), // too large
  json(200, '{"balance_usd": ""}'),
  json(302, '', { location: 'http://127.0.0.1:1/' }),
];

async function startFake(first401s) {
  const api = await startFakeApi();
  let requests = 0;
  api.reply((req, res) => {
    requests++;
    if (requests <= first401s) return error(401)(req, res);
    FAULTS[requests % FAULTS.length](req, res);
  });
  return api;
}

/**
 * runSoak scrapes `scrapes` times with a fake clock that moves 100 ms per scrape and a
 * 1 s TTL, so about one scrape in ten reaches the upstream; backoff is capped at 1 s so
 * faults keep coming. `onSample` receives figures at start, middle and end.
 */
async function runSoak({ scrapes, concurrency = 8, onSample }) {
  const fake = await startFake(50);
  let nowMs = Date.now();
  const silent = new Writable({ write: (_c, _e, done) => done() });
  const app = createApp(
    {
      listen: { port: 0 },
      telemetryPath: '/metrics',
      timeoutOffsetMs: 500,
      enableLifecycle: false,
      exporterMetrics: true,
      apiUrl: fake.url,
      upstreamTimeoutMs: 200,
      accountName: 'soak',
      accounts: [{ name: 'soak', apiUrl: fake.url, timeoutMs: 200, token: { kind: 'value', value: TOKEN } }],
      concurrency: 4,
      cacheTtlMs: 1000,
      cacheMaxStaleMs: 60_000,
      logLevel: 'warn',
      logFormat: 'json',
      demo: false,
      check: false,
    },
    {
      logger: createLogger({ level: 'warn', format: 'json', destination: silent }),
      readFile: () => '',
      isReady: () => true,
      now: () => nowMs,
      monotonicNow: () => nowMs,
      maxBackoffMs: 1000,
      buildInfo: { version: 'soak', revision: 'soak', nodejs_version: process.version },
    },
  );
  const server = createHttpServer(app.handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/metrics`;
  const agent = new Agent({ connections: concurrency });

  const sample = async (label, done) => {
    global.gc?.();
    const memory = process.memoryUsage();
    onSample({
      label,
      scrapes: done,
      heapUsedMiB: +(memory.heapUsed / 2 ** 20).toFixed(1),
      rssMiB: +(memory.rss / 2 ** 20).toFixed(1),
      upstreamSockets: fake.openSockets(),
      upstreamRequests: fake.requests.length,
    });
  };

  let done = 0;
  let failures = 0;
  await sample('start', 0);
  const worker = async () => {
    while (done < scrapes) {
      done++;
      nowMs += 100;
      const { statusCode, body } = await request(url, {
        dispatcher: agent,
        headers: { 'x-prometheus-scrape-timeout-seconds': '0.7' },
      });
      await body.dump();
      if (statusCode !== 200) failures++;
      if (done === scrapes / 2) await sample('middle', done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await sample('end', done);
  // Sockets left open only by keep-alive, once requests in flight are over.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const settledSockets = fake.openSockets();
  await agent.close();
  server.close();
  await app.close();
  await fake.close();
  return { failures, settledSockets };
}

module.exports = { runSoak };

if (require.main === module) {
  const scrapes = Number(process.argv[2] ?? 10_000);
  const rows = [];
  const started = Date.now();
  runSoak({ scrapes, onSample: (row) => rows.push(row) }).then(({ failures, settledSockets }) => {
    console.table(rows);
    console.log(
      `${scrapes} scrapes in ${((Date.now() - started) / 1000).toFixed(1)} s; non-200 answers: ${failures}; upstream sockets open after the run settled: ${settledSockets}`,
    );
  });
}
