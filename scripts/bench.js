// Benchmark: the built exporter beside the lowest floor this machine has. Starts everything
// itself on 127.0.0.1, bounds every measurement in time, prints one table and writes it as
// JSON. Run with `npm run bench` (which builds first). Figures are noisy; ratios matter.
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:http');
const { tmpdir, cpus } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Agent, request } = require('undici');

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const SECONDS_PER_LOAD = Number(process.env.BENCH_SECONDS ?? 4);
const work = mkdtempSync(join(tmpdir(), 'tensorpix-bench-'));
const children = new Set();
const rows = [];

function row(measurement, figure, value, unit, meaning) {
  rows.push({ measurement, figure, value, unit, meaning });
  console.error(`  ${measurement} / ${figure}: ${value} ${unit}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const round = (value, digits = 1) => Number(value.toFixed(digits));

/** startFakeApi is a TensorPix API whose answers each measurement scripts; it counts requests. */
async function startFakeApi() {
  const api = { requests: 0, latencyMs: 0, hang: false };
  const server = createServer((req, res) => {
    api.requests++;
    if (api.hang) return;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"balance_usd": "123.4500"}');
    }, api.latencyMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${server.address().port}`;
  api.close = () => {
    server.closeAllConnections();
    server.close();
  };
  return api;
}

/** startExporter runs the built exporter, finds its port in its "listening" log line and waits for /-/ready. */
async function startExporter(args, env = {}) {
  const startedAt = process.hrtime.bigint();
  const child = spawn(process.execPath, [MAIN, '--web.listen-address=127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const url = await new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`exporter did not listen:\n${log}`)), 10_000);
    const onData = (chunk) => {
      log += chunk;
      const match = /"address":"([^"]+)".*"msg":"listening"/.exec(log);
      if (!match) return;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      child.stderr.resume();
      resolve(`http://${match[1]}`);
    };
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`exporter exited:\n${log}`)));
  });
  for (;;) {
    const { statusCode, body } = await request(`${url}/-/ready`);
    await body.dump();
    if (statusCode === 200) break;
    await sleep(2);
  }
  const readyMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  return {
    url,
    readyMs,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** startFloor serves fixed bytes from memory with bare node:http: the floor for Node here. */
async function startFloor(body, contentType) {
  const file = join(work, 'floor-body.txt');
  writeFileSync(file, body);
  const code = `
    const body = require('fs').readFileSync(${JSON.stringify(file)});
    require('http').createServer((req, res) => {
      res.writeHead(200, { 'content-type': ${JSON.stringify(contentType)}, 'content-length': body.length });
      res.end(body);
    }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const port = await new Promise((resolve) =>
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

function load(url, connections, extra = {}) {
  return new Promise((resolve, reject) =>
    autocannon(
      { url, connections, ...(extra.amount ? {} : { duration: SECONDS_PER_LOAD }), ...extra },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

async function scrapeText(url, headers = {}) {
  const { body } = await request(`${url}/metrics`, { headers });
  return body.text();
}

function sample(text, name) {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

async function tokenEnv() {
  const file = join(work, 'token');
  writeFileSync(file, 'bench-token\n');
  return { TENSORPIX_API_TOKEN_FILE: file };
}

async function warmThroughput(api) {
  const exporter = await startExporter(
    [`--tensorpix.api-url=${api.url}`, '--cache.ttl=1h', '--cache.max-stale=2h'],
    await tokenEnv(),
  );
  const body = await scrapeText(exporter.url);
  const floor = await startFloor(body, 'text/plain; version=0.0.4; charset=utf-8');
  for (const connections of [10, 50]) {
    const ours = await load(`${exporter.url}/metrics`, connections);
    const base = await load(floor.url, connections);
    const name = `warm scrape, ${connections} connections`;
    row(name, 'exporter requests/s', round(ours.requests.average, 0), 'req/s', '');
    row(
      name,
      'floor requests/s',
      round(base.requests.average, 0),
      'req/s',
      'bare node:http, same bytes from memory',
    );
    row(
      name,
      'exporter/floor throughput',
      round(ours.requests.average / base.requests.average, 2),
      'ratio',
      '',
    );
    row(name, 'exporter p50 / p99', `${ours.latency.p50} / ${ours.latency.p99}`, 'ms', '');
    row(name, 'floor p50 / p99', `${base.latency.p50} / ${base.latency.p99}`, 'ms', '');
    if (ours.non2xx || ours.errors) row(name, 'exporter errors', ours.non2xx + ours.errors, 'answers', '');
  }
  row('warm scrape', '/metrics body', body.length, 'bytes', 'one account, process metrics included');
  floor.stop();
  await exporter.stop();
}

async function upstreamEconomy(api) {
  api.requests = 0;
  api.latencyMs = 50;
  // 1 000 scrapes at once, each on its own connection, are above --web.max-connections' default.
  const exporter = await startExporter(
    [`--tensorpix.api-url=${api.url}`, '--cache.ttl=1s', '--web.max-connections=2048'],
    await tokenEnv(),
  );
  const agent = new Agent({ connections: 1000 });
  await Promise.all(
    Array.from({ length: 1000 }, async () => {
      const { body } = await request(`${exporter.url}/metrics`, { dispatcher: agent });
      await body.dump();
    }),
  );
  row('upstream economy', '1 000 concurrent scrapes, cold cache', api.requests, 'API requests', 'ideal 1');
  await agent.close();
  api.requests = 0;
  const started = Date.now();
  let scrapes = 0;
  while (Date.now() - started < 10_000) {
    await scrapeText(exporter.url);
    scrapes++;
    await sleep(100);
  }
  row(
    'upstream economy',
    `${scrapes} scrapes every 100 ms for 10 s, TTL 1 s`,
    api.requests,
    'API requests',
    'ideal 10',
  );
  api.latencyMs = 0;
  await exporter.stop();
}

async function worstCase(api) {
  api.hang = true;
  const exporter = await startExporter(
    [`--tensorpix.api-url=${api.url}`, '--cache.ttl=0s'],
    await tokenEnv(),
  );
  const times = [];
  const started = Date.now();
  // 4 scrapers for 15 s, as Prometheus would with a 2 s scrape timeout against a dead API.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() - started < 15_000) {
        const t0 = process.hrtime.bigint();
        await scrapeText(exporter.url, { 'x-prometheus-scrape-timeout-seconds': '2' });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  row(
    'hanging API, scrape timeout 2 s',
    `p50 / p99 / max of ${times.length} scrapes`,
    `${round(median(times))} / ${round(percentile(times, 99))} / ${round(Math.max(...times))}`,
    'ms',
    'must stay under 1 500 (2 s − 0.5 s offset)',
  );
  api.hang = false;
  await exporter.stop();
}

async function footprint(api) {
  const exporter = await startExporter([`--tensorpix.api-url=${api.url}`], await tokenEnv());
  await sleep(1000);
  const report = async (label) => {
    const text = await scrapeText(exporter.url);
    row(
      'footprint',
      `${label}: RSS / heap used`,
      `${round(sample(text, 'process_resident_memory_bytes') / 2 ** 20)} / ${round(sample(text, 'nodejs_heap_size_used_bytes') / 2 ** 20)}`,
      'MiB',
      '',
    );
  };
  await report('idle after start');
  await load(`${exporter.url}/metrics`, 10, { amount: 10_000 });
  await report('after 10 000 scrapes');
  await load(`${exporter.url}/metrics`, 10, { amount: 10_000 });
  await report('after 20 000 scrapes');
  await exporter.stop();

  const starts = [];
  for (let i = 0; i < 10; i++) {
    const demo = await startExporter(['--demo']);
    starts.push(demo.readyMs);
    await demo.stop();
  }
  row('footprint', 'start to /-/ready 200, median of 10', round(median(starts), 0), 'ms', '');
}

async function manyAccounts(api) {
  api.latencyMs = 50;
  const dir = join(work, 'accounts');
  require('node:fs').mkdirSync(dir);
  const lines = [`api_url: ${api.url}`, 'accounts:'];
  for (let i = 0; i < 1000; i++) {
    writeFileSync(join(dir, `t${i}`), `token-${i}\n`);
    lines.push(`  - {name: account-${i}, token_file: t${i}}`);
  }
  writeFileSync(join(dir, 'accounts.yml'), lines.join('\n') + '\n');
  for (const concurrency of [4, 16]) {
    const exporter = await startExporter([
      `--config.file=${join(dir, 'accounts.yml')}`,
      `--tensorpix.concurrency=${concurrency}`,
      '--cache.ttl=1h',
      '--cache.max-stale=2h',
    ]);
    const timed = async () => {
      const t0 = process.hrtime.bigint();
      const text = await scrapeText(exporter.url, { 'x-prometheus-scrape-timeout-seconds': '60' });
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, text };
    };
    const cold = await timed();
    const warm = [];
    for (let i = 0; i < 5; i++) warm.push((await timed()).ms);
    const name = `1 000 accounts, API latency 50 ms, concurrency ${concurrency}`;
    row(name, 'cold scrape', round(cold.ms, 0), 'ms', `ideal ${Math.ceil(1000 / concurrency) * 50} ms`);
    row(name, 'warm scrape, median of 5', round(median(warm)), 'ms', '');
    row(name, '/metrics body', round(cold.text.length / 2 ** 20, 2), 'MiB', '');
    row(
      name,
      'accounts up after the cold scrape',
      (cold.text.match(/^tensorpix_up\{[^}]*\} 1$/gm) ?? []).length,
      'of 1 000',
      '',
    );
    await exporter.stop();
  }
  api.latencyMs = 0;
}

async function main() {
  const started = Date.now();
  console.error(
    `tensorpix-exporter benchmark on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`,
  );
  const api = await startFakeApi();
  try {
    await warmThroughput(api);
    await upstreamEconomy(api);
    await worstCase(api);
    await footprint(api);
    await manyAccounts(api);
  } finally {
    api.close();
    for (const child of children) child.kill('SIGKILL');
  }
  console.table(rows.map(({ measurement, figure, value, unit }) => ({ measurement, figure, value, unit })));
  const out =
    process.env.BENCH_OUT ??
    join(process.cwd(), `bench-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    out,
    JSON.stringify(
      { node: process.version, cores: cpus().length, at: new Date().toISOString(), rows },
      null,
      2,
    ),
  );
  console.log(`results written to ${out}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  for (const child of children) child.kill('SIGKILL');
  console.error(error);
  process.exit(1);
});
