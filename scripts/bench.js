// Benchmark: the built exporter beside the peer an operator already runs (Debian's
// blackbox_exporter, Go), the two floors Node offers (bare Express 5 and bare node:http
// serving the exporter's own bytes) and the memory floor of the stack (Node with the
// exporter's libraries loaded, idle), all in one run on this machine. Everything starts
// here on 127.0.0.1, every measurement is bounded in time, and the figures print as one
// table (and go to a JSON file). Run with `npm run bench`, which builds first. This
// machine is shared and noisy: compare ratios taken in the same run.
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { gunzipSync } = require('node:zlib');
const { Agent, request } = require('undici');
const { startFakeApi, after, balance, hang } = require('../test/helpers/fake-api');
const { pipelineAttack } = require('./bench/attacks');
const { load, tool } = require('./bench/load');
const {
  HAS_MAX_CONNECTIONS,
  NODE_FLAGS,
  haveBlackbox,
  killAll,
  sleep,
  startBlackbox,
  startExporter,
  startFloor,
  startLibraryFloor,
} = require('./bench/processes');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const work = mkdtempSync(join(tmpdir(), 'tensorpix-bench-'));
const FLOOR = 'Node + libraries, idle';
const COLUMNS = ['tensorpix-exporter', 'blackbox_exporter', 'bare Express 5', 'bare node:http', FLOOR];
const rows = [];

/** row records one figure: a value per server (absent where it does not apply) and the goal it is held to. */
function row(figure, values, goal = '') {
  rows.push({ figure, ...values, goal });
  console.error(`  ${figure}: ${JSON.stringify(values)}`);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
const mib = (value) => Number(value.toFixed(1));
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

async function get(url, headers = {}) {
  const { statusCode, headers: answered, body } = await request(url, { headers });
  return { statusCode, headers: answered, body: Buffer.from(await body.arrayBuffer()) };
}

async function tokenFile() {
  const file = join(work, 'token');
  writeFileSync(file, 'bench-token\n');
  return { TENSORPIX_API_TOKEN_FILE: file };
}

/** floorMiB is the library floor's resident memory once idle: the base of the memory goals. */
let floorMiB;

/** libraryFloor measures the floor every Node exporter on this stack starts from. */
async function libraryFloor() {
  const floor = await startLibraryFloor();
  await sleep(1000);
  floorMiB = mib(floor.memory().rssMiB);
  row('RSS of Node with express, prom-client, undici, pino and yaml loaded, listening, idle (MiB)', {
    [FLOOR]: floorMiB,
  });
  await floor.stop();
}

/** measured runs a load on `server` and adds the CPU time the server spent on each answer, in µs. */
async function measured(server, run) {
  const cpuBefore = server.cpuSeconds();
  const result = await run();
  const cpu = server.cpuSeconds() - cpuBefore;
  return { ...result, cpuMicros: Math.round((cpu / result.requests) * 1e6) };
}

/** warm loads each server with 10 connections for SECONDS, as the footprint issue measured them. */
async function warm(api) {
  const exporter = await startExporter(
    [`--tensorpix.api-url=${api.url}`, '--cache.ttl=1h', '--cache.max-stale=2h'],
    {
      env: await tokenFile(),
    },
  );
  await sleep(300);
  const idle = { 'tensorpix-exporter': mib(exporter.memory().rssMiB) };
  const body = (await get(`${exporter.url}/metrics`)).body;
  await sleep(300);
  const afterFirst = mib(exporter.memory().rssMiB);
  const servers = [exporter];
  if (haveBlackbox()) servers.push(await startBlackbox(work));
  else
    console.error(
      '  blackbox_exporter not installed (apt-get install prometheus-blackbox-exporter): its column is left empty',
    );
  servers.push(await startFloor('express', body, 'text/plain; version=0.0.4; charset=utf-8', work));
  servers.push(await startFloor('node', body, 'text/plain; version=0.0.4; charset=utf-8', work));
  await sleep(300);
  for (const server of servers.slice(1)) idle[server.name] = mib(server.memory().rssMiB);
  await sleep(1000);
  const results = {};
  for (const server of servers) {
    let peak = server.memory().rssMiB;
    const result = await measured(server, () =>
      load(`${server.url}/metrics`, {
        seconds: SECONDS,
        onSample: () => (peak = Math.max(peak, server.memory().rssMiB)),
      }),
    );
    results[server.name] = { ...result, peakMiB: mib(Math.max(peak, server.memory().peakMiB)) };
  }
  const each = (pick) => Object.fromEntries(Object.entries(results).map(([name, r]) => [name, pick(r)]));
  row(
    `warm /metrics, ${tool} 10 connections ${SECONDS} s: requests/s`,
    each((r) => Math.round(r.rps)),
    '≥ 1.0× blackbox',
  );
  const bb = results['blackbox_exporter'];
  if (bb)
    row(
      '  exporter ÷ blackbox_exporter',
      { 'tensorpix-exporter': ratio(results['tensorpix-exporter'].rps, bb.rps) },
      '≥ 1.00×',
    );
  row(
    '  CPU time per answer (µs)',
    each((r) => r.cpuMicros),
  );
  row(
    '  latency p50 / p99 (ms)',
    each((r) => `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)}`),
  );
  row(
    '  answers other than 200',
    each((r) => r.errors),
  );
  row('RSS after start (MiB)', idle);
  row(
    '  after the first scrape, its first API request included (MiB)',
    { 'tensorpix-exporter': afterFirst },
    `≤ floor + 10 = ${mib(floorMiB + 10)}`,
  );
  row(
    `peak RSS during the ${SECONDS} s of load (MiB)`,
    each((r) => r.peakMiB),
    'exporter ≤ 100',
  );

  // Compression, as Prometheus always asks for it; the floors do not compress.
  const exporters = servers.filter((server) => !server.name.startsWith('bare'));
  const gzipped = {};
  const sizes = {};
  for (const server of exporters) {
    const answer = await get(`${server.url}/metrics`, { 'accept-encoding': 'gzip' });
    const zipped = answer.headers['content-encoding'] === 'gzip';
    gzipped[server.name] = zipped ? 'yes' : 'no';
    const plain = zipped ? gunzipSync(answer.body).length : answer.body.length;
    sizes[server.name] = `${plain} → ${answer.body.length}`;
  }
  row('Accept-Encoding: gzip honoured', gzipped, 'yes');
  row('/metrics body, plain → as sent with gzip (bytes)', sizes);
  const gzipResults = {};
  for (const server of exporters) {
    const result = await load(`${server.url}/metrics`, {
      seconds: Math.min(SECONDS, 10),
      headers: { 'accept-encoding': 'gzip' },
    });
    gzipResults[server.name] = Math.round(result.rps);
  }
  row(`warm /metrics with Accept-Encoding: gzip, ${Math.min(SECONDS, 10)} s: requests/s`, gzipResults);

  for (const server of servers) await server.stop();
}

/**
 * steady measures resident memory after 10 000 scrapes at a steady pace (one connection, one
 * scrape after the other), on a fresh exporter and blackbox_exporter: right after, and once
 * the process has been idle 10 s (V8 gives memory back when the allocation stops).
 */
async function steady(api) {
  const servers = [
    await startExporter([`--tensorpix.api-url=${api.url}`, '--cache.ttl=1h', '--cache.max-stale=2h'], {
      env: await tokenFile(),
    }),
  ];
  if (haveBlackbox()) servers.push(await startBlackbox(work));
  const after = {};
  const idle = {};
  for (const server of servers) {
    const agent = new Agent({ connections: 1 });
    for (let i = 0; i < 10_000; i++) {
      const { body } = await request(`${server.url}/metrics`, { dispatcher: agent });
      await body.dump();
    }
    await agent.close();
    after[server.name] = mib(server.memory().rssMiB);
  }
  await sleep(10_000);
  for (const server of servers) idle[server.name] = mib(server.memory().rssMiB);
  row(
    'RSS after 10 000 scrapes at a steady pace, fresh process (MiB)',
    after,
    `exporter ≤ floor + 15 = ${mib(floorMiB + 15)}`,
  );
  row('  the same, 10 s later', idle);
  for (const server of servers) await server.stop();
}

/**
 * loneScraper is one Prometheus on one keep-alive connection, a scrape after the other: the
 * latency a real scrape sees, and the CPU each answer costs, for the exporter and the peer.
 */
async function loneScraper(api) {
  const servers = [
    await startExporter([`--tensorpix.api-url=${api.url}`, '--cache.ttl=1h', '--cache.max-stale=2h'], {
      env: await tokenFile(),
    }),
  ];
  if (haveBlackbox()) servers.push(await startBlackbox(work));
  const seconds = Math.min(SECONDS, 10);
  const latency = {};
  const cpu = {};
  for (const server of servers) {
    const result = await measured(server, () => load(`${server.url}/metrics`, { connections: 1, seconds }));
    latency[server.name] = `${result.p50.toFixed(2)} / ${result.p99.toFixed(2)}`;
    cpu[server.name] = result.cpuMicros;
  }
  row(
    `a lone scraper on one keep-alive connection, ${seconds} s: p50 / p99 (ms)`,
    latency,
    'exporter p99 ≤ 5',
  );
  row('  CPU time per scrape (µs)', cpu);
  for (const server of servers) await server.stop();
}

/**
 * heapOptions shows what each heap option the exporter starts with does, by running it with
 * all of them, without each one in turn, and without any.
 */
async function heapOptions(api) {
  const env = await tokenFile();
  const args = [`--tensorpix.api-url=${api.url}`, '--cache.ttl=1h', '--cache.max-stale=2h'];
  const variants = [
    ['with all', NODE_FLAGS],
    ...NODE_FLAGS.map((flag) => [`without ${flag}`, NODE_FLAGS.filter((other) => other !== flag)]),
    ['without any', []],
  ];
  const values = [];
  for (const [label, nodeFlags] of variants) {
    const exporter = await startExporter(args, { env, nodeFlags });
    await sleep(500);
    let peak = exporter.memory().rssMiB;
    const result = await load(`${exporter.url}/metrics`, {
      seconds: SECONDS,
      onSample: () => (peak = Math.max(peak, exporter.memory().rssMiB)),
    });
    values.push(
      `${label}: ${Math.round(result.rps)} req/s, peak ${mib(Math.max(peak, exporter.memory().peakMiB))} MiB`,
    );
    await exporter.stop();
  }
  row(`node ${NODE_FLAGS.join(' ')}, ${SECONDS} s of load, each option left out`, {
    'tensorpix-exporter': values.join('; '),
  });
}

async function startToReady(api) {
  const env = await tokenFile();
  const times = { 'tensorpix-exporter': [], blackbox_exporter: [] };
  for (let i = 0; i < 10; i++) {
    const exporter = await startExporter([`--tensorpix.api-url=${api.url}`], { env });
    times['tensorpix-exporter'].push(exporter.readyMs);
    await exporter.stop();
    if (haveBlackbox()) {
      const blackbox = await startBlackbox(work);
      times.blackbox_exporter.push(blackbox.readyMs);
      await blackbox.stop();
    }
  }
  const values = {};
  for (const [name, list] of Object.entries(times)) if (list.length) values[name] = Math.round(median(list));
  row('start → /-/healthy 200, median of 10 (ms)', values);
}

async function upstreamEconomy(api) {
  api.reply(after(50, balance('123.4500')));
  // 1 000 scrapes at once, each on its own connection, are above --web.max-connections' default.
  const exporter = await startExporter(
    [
      `--tensorpix.api-url=${api.url}`,
      '--cache.ttl=1s',
      ...(HAS_MAX_CONNECTIONS ? ['--web.max-connections=2048'] : []),
    ],
    {
      env: await tokenFile(),
    },
  );
  const before = api.requests.length;
  const agent = new Agent({ connections: 1000 });
  await Promise.all(
    Array.from({ length: 1000 }, async () => {
      const { body } = await request(`${exporter.url}/metrics`, { dispatcher: agent });
      await body.dump();
    }),
  );
  await agent.close();
  row(
    '1 000 concurrent scrapes on a cold cache: API requests',
    { 'tensorpix-exporter': api.requests.length - before },
    'ideal 1 (2 when serving them outlasts the 1 s TTL)',
  );
  const start = api.requests.length;
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const { body } = await request(`${exporter.url}/metrics`);
    await body.dump();
    await sleep(100);
  }
  row(
    'a scrape every 100 ms for 10 s, TTL 1 s: API requests',
    { 'tensorpix-exporter': api.requests.length - start },
    'ideal 10',
  );
  await exporter.stop();
}

async function hangingApi(api) {
  api.reply(hang);
  const exporter = await startExporter(
    [`--tensorpix.api-url=${api.url}`, '--cache.ttl=0s', '--tensorpix.timeout=1s'],
    { env: await tokenFile() },
  );
  const times = [];
  const until = Date.now() + 15_000;
  // Four scrapers, as Prometheus would with a 2 s scrape timeout against a dead API.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < until) {
        const started = process.hrtime.bigint();
        const { body } = await request(`${exporter.url}/metrics`, {
          headers: { 'x-prometheus-scrape-timeout-seconds': '2' },
        });
        await body.dump();
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  row(
    `hanging API, scrape timeout 2 s: p50 / p99 / max of ${times.length} scrapes (ms)`,
    {
      'tensorpix-exporter': `${median(times).toFixed(1)} / ${percentile(times, 99).toFixed(1)} / ${Math.max(...times).toFixed(0)}`,
    },
    'max < 1 500 (2 s − 0.5 s offset)',
  );
  await exporter.stop();
}

async function manyAccounts(api) {
  api.reply(after(50, balance('123.4500')));
  const dir = join(work, 'accounts');
  mkdirSync(dir);
  const lines = [`api_url: ${api.url}`, 'accounts:'];
  for (let i = 0; i < 1000; i++) {
    writeFileSync(join(dir, `t${i}`), `token-${i}\n`);
    lines.push(`  - {name: account-${i}, token_file: t${i}}`);
  }
  writeFileSync(join(dir, 'accounts.yml'), lines.join('\n') + '\n');
  const concurrency = 16;
  const idealMs = (1000 / concurrency) * 50;
  const exporter = await startExporter([
    `--config.file=${join(dir, 'accounts.yml')}`,
    `--tensorpix.concurrency=${concurrency}`,
    '--cache.ttl=1h',
    '--cache.max-stale=2h',
  ]);
  const timed = async (headers = {}) => {
    const started = process.hrtime.bigint();
    const answer = await get(`${exporter.url}/metrics`, {
      'x-prometheus-scrape-timeout-seconds': '60',
      ...headers,
    });
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, ...answer };
  };
  const cold = await timed();
  const up = (cold.body.toString().match(/^tensorpix_up\{[^}]*\} 1$/gm) ?? []).length;
  row(
    `1 000 accounts, API 50 ms, concurrency ${concurrency}: cold scrape (ms)`,
    {
      'tensorpix-exporter': `${Math.round(cold.ms)} = ${(cold.ms / idealMs).toFixed(2)}× ideal ${idealMs}; ${up} of 1 000 up`,
    },
    '≤ 1.15× ideal',
  );
  // A warm scrape without gzip is one render of 1 000 accounts' series and its transfer on loopback.
  const renders = [];
  for (let i = 0; i < 5; i++) renders.push((await timed()).ms);
  row(
    '  one render: warm scrape without gzip, median of 5 (ms)',
    { 'tensorpix-exporter': Number(median(renders).toFixed(1)) },
    '≤ 150',
  );
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push((await timed({ 'accept-encoding': 'gzip' })).ms);
  row('  warm scrape with gzip, median of 5 (ms)', { 'tensorpix-exporter': Number(median(warm).toFixed(1)) });
  const zipped = await timed({ 'accept-encoding': 'gzip' });
  row('  /metrics body, plain → gzip (MiB)', {
    'tensorpix-exporter': `${(cold.body.length / 2 ** 20).toFixed(2)} → ${(zipped.body.length / 2 ** 20).toFixed(2)}`,
  });
  await exporter.stop();
}

async function pipelining(api) {
  api.reply(balance('123.4500'));
  const exporter = await startExporter(
    [`--tensorpix.api-url=${api.url}`, '--cache.ttl=1h', '--cache.max-stale=2h'],
    {
      env: await tokenFile(),
    },
  );
  const result = await pipelineAttack(exporter, { sockets: 5, requests: 3000, seconds: 10 });
  row(
    '5 sockets × 3 000 pipelined GET /metrics, never read, 10 s',
    {
      'tensorpix-exporter': `peak RSS ${mib(result.peakMiB)} MiB; another scrape's worst ${result.worstMs} ms, ${result.failures} failed; ${result.cutOff} of 5 sockets cut off`,
    },
    'peak ≤ 200 MiB, scrape < 1 000 ms',
  );
  await exporter.stop();
}

async function main() {
  const started = Date.now();
  console.error(
    `tensorpix-exporter benchmark on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${tool}`,
  );
  const api = await startFakeApi();
  api.reply(balance('123.4500'));
  try {
    await libraryFloor();
    await warm(api);
    await loneScraper(api);
    await steady(api);
    await heapOptions(api);
    await startToReady(api);
    await upstreamEconomy(api);
    await hangingApi(api);
    await manyAccounts(api);
    await pipelining(api);
  } finally {
    await api.close();
    killAll();
  }
  console.table(
    rows.map((r) => Object.fromEntries(['figure', ...COLUMNS, 'goal'].map((key) => [key, r[key] ?? '']))),
  );
  const out =
    process.env.BENCH_OUT ??
    join(process.cwd(), `bench-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    out,
    JSON.stringify(
      { node: process.version, cores: cpus().length, at: new Date().toISOString(), tool, rows },
      null,
      2,
    ),
  );
  console.log(`results written to ${out}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  killAll();
  console.error(error);
  process.exit(1);
});
