// Sizing: the built exporter's resident memory for a given number of accounts, to choose
// MemoryMax (systemd) and the memory limit (Kubernetes). For each count it starts the
// exporter as shipped (the shebang's node flags) with an accounts file of that many token
// files, against a fake API on 127.0.0.1, and prints its RSS after start, after the first
// full scrape, and its peak (VmHWM) through a storm of reloads with scrapes going on.
// Run: `npm run build && node scripts/sizing.js [counts...]` (default 1000 10000).
// Figures, not a test: re-run after any change that moves memory (the metrics library).
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { request } = require('undici');
const { startFakeApi, balance } = require('../test/helpers/fake-api');
const { killAll, sleep, startExporter } = require('./bench/processes');

const counts = process.argv.slice(2).map(Number);
if (counts.length === 0) counts.push(1000, 10_000);
/** HEADROOM is what the memory to give adds to the peak seen: GC timing, a larger scrape, a busier API. */
const HEADROOM = 1.5;

function writeAccounts(dir, count, api) {
  let yaml = `api_url: ${api.url}\naccounts:\n`;
  for (let i = 0; i < count; i++) {
    writeFileSync(join(dir, `a${i}.token`), `token-${i}\n`);
    yaml += `  - name: a${i}\n    token_file: a${i}.token\n`;
  }
  writeFileSync(join(dir, 'accounts.yml'), yaml);
  return join(dir, 'accounts.yml');
}

async function scrape(exporter) {
  const { body } = await request(`${exporter.url}/metrics`, {
    headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '30' },
  });
  return body.text();
}

async function measure(count, api) {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-sizing-'));
  try {
    const file = writeAccounts(dir, count, api);
    const exporter = await startExporter([
      `--config.file=${file}`,
      '--web.enable-lifecycle',
      '--cache.ttl=1h',
      '--cache.max-stale=2h',
    ]);
    await sleep(2000);
    const started = exporter.memory();
    const last = `tensorpix_up{account="a${count - 1}"} 1`;
    for (let i = 0; i < 60 && !(await scrape(exporter)).includes(last); i++);
    await sleep(1000);
    const scraped = exporter.memory();
    // The storm: 100 SIGHUPs and 100 POST /-/reload within a second, scrapes throughout.
    let storming = true;
    const scrapes = (async () => {
      while (storming) await scrape(exporter);
    })();
    const posts = [];
    for (let i = 0; i < 100; i++) {
      process.kill(exporter.pid, 'SIGHUP');
      posts.push(request(`${exporter.url}/-/reload`, { method: 'POST' }).then(({ body }) => body.dump()));
      await sleep(10);
    }
    await Promise.all(posts);
    await sleep(5000);
    storming = false;
    await scrapes;
    const stormed = exporter.memory();
    await exporter.stop();
    const peak = Math.max(scraped.peakMiB, stormed.peakMiB);
    return {
      accounts: count,
      'RSS after start (MiB)': started.rssMiB.toFixed(0),
      'RSS after the first full scrape (MiB)': scraped.rssMiB.toFixed(0),
      'peak RSS through it (MiB)': scraped.peakMiB.toFixed(0),
      'peak RSS, reload storm included (MiB)': peak.toFixed(0),
      'memory to give it (MiB)': Math.ceil((peak * HEADROOM) / 32) * 32,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const api = await startFakeApi();
  api.reply(balance('7.0000'));
  const rows = [];
  try {
    for (const count of counts) rows.push(await measure(count, api));
  } finally {
    killAll();
    await api.close();
  }
  console.table(rows);
})().catch((error) => {
  killAll();
  console.error(error);
  process.exit(1);
});
