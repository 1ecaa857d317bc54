// Soak: many scrapes of the real exporter against a misbehaving fake TensorPix API, to
// show that memory and upstream sockets stay flat. `npm run soak` prints the figures;
// test/soak.test.ts runs a short variant with bounds. Needs `npm run build` first.
const { createServer } = require('node:http');
const { Registry } = require('prom-client');
const { Agent, request } = require('undici');
const { createExporter } = require('../dist/exporter');
const { createHttpServer } = require('../dist/http-server');
const { createLogger } = require('../dist/logger');
const { createServer: createApp } = require('../dist/server');
const { Writable } = require('node:stream');

const TOKEN = 'soak-token';
const answer = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
};

// After a run of 401s, each request gets the next fault of this list in turn.
const FAULTS = [
  (res) => answer(res, 200, '{"balance_usd": "12.3400"}'),
  (res) => answer(res, 503, '<html>down</html>'),
  (res) => answer(res, 429, '{"detail":"slow down"}', { 'retry-after': '1' }),
  () => undefined, // hang until the exporter gives up
  (res) => res.socket.destroy(), // reset
  (res) => answer(res, 200, 'x'.repeat(200 * 1024)), // too large
  (res) => answer(res, 200, '{"balance_usd": ""}'),
  (res) => answer(res, 302, '', { location: 'http://127.0.0.1:1/' }),
];

async function startFake(first401s) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests <= first401s) return answer(res, 401, '{"detail":"Invalid token."}');
    FAULTS[requests % FAULTS.length](res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const openSockets = () => new Promise((resolve) => server.getConnections((_e, count) => resolve(count)));
  return { server, url: `http://127.0.0.1:${server.address().port}`, openSockets, requests: () => requests };
}

/**
 * runSoak scrapes `scrapes` times with a fake clock that moves 100 ms per scrape and a
 * 1 s TTL, so about one scrape in ten reaches the upstream; backoff is capped at 1 s so
 * faults keep coming. `onSample` receives figures at start, middle and end.
 */
async function runSoak({ scrapes, concurrency = 8, onSample }) {
  const fake = await startFake(50);
  let nowMs = Date.now();
  const registry = new Registry();
  const silent = new Writable({ write: (_c, _e, done) => done() });
  const logger = createLogger({ level: 'warn', format: 'json', destination: silent });
  const exporter = createExporter({
    accounts: [{ name: 'soak', apiUrl: fake.url, timeoutMs: 200, token: { kind: 'value', value: TOKEN } }],
    registry,
    logger,
    buildInfo: { version: 'soak', revision: 'soak', nodejs_version: process.version },
    exporterMetrics: true,
    cache: { ttlMs: 1000, maxStaleMs: 60_000, now: () => nowMs, maxBackoffMs: 1000 },
    concurrency: 4,
  });
  const app = createApp({
    exporter,
    logger,
    version: 'soak',
    telemetryPath: '/metrics',
    timeoutOffsetMs: 500,
    enableLifecycle: false,
    isReady: () => true,
    reload: () => ({ ok: true, problems: [] }),
    now: () => nowMs,
  });
  const server = createHttpServer(app);
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
      upstreamSockets: await fake.openSockets(),
      upstreamRequests: fake.requests(),
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
  const settledSockets = await fake.openSockets();
  await agent.close();
  server.close();
  await exporter.close();
  fake.server.close();
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
