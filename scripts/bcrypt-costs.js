'use strict';
// Benchmark: how long bcryptjs (the exporter's bcrypt) takes to check one password at each
// cost, on this machine, on one thread as the exporter's worker does. It is what the range
// of costs that basic_auth_users accepts rests on (see docs/security.md): the
// first check after a start costs two runs (the worker's decoy hash, then the check), and
// it must fit inside a scrape. Run with `node scripts/bcrypt-costs.js [maxCost]`. The
// machine may be shared: the median of a few runs is printed beside the fastest and slowest.
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const bcrypt = require('bcryptjs');

const MAX_COST = Number(process.argv[2] ?? 14);
const PASSWORD = 'correct horse battery staple';

const rows = [];
for (let cost = 4; cost <= MAX_COST; cost++) {
  const hash = bcrypt.hashSync(PASSWORD, cost);
  // Fewer runs where one run takes seconds; at least three for a median.
  const runs = Math.max(3, Math.min(20, Math.round(2 ** (14 - cost))));
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    if (!bcrypt.compareSync(PASSWORD, hash)) throw new Error('bcryptjs did not match its own hash');
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  rows.push({ cost, runs, median, min: times[0], max: times[times.length - 1] });
  process.stdout.write(
    `cost ${String(cost).padStart(2)}: median ${median.toFixed(1).padStart(8)} ms  ` +
      `(min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}, ${runs} runs)  ` +
      `first check after a start ~${(2 * median).toFixed(0)} ms\n`,
  );
}
// bcryptjs exports no package.json: read it from the package's folder (its entry is umd/index.js).
const pkg = JSON.parse(
  readFileSync(join(dirname(require.resolve('bcryptjs')), '..', 'package.json'), 'utf8'),
);
process.stdout.write(`node ${process.version}, bcryptjs ${pkg.version}\n`);
