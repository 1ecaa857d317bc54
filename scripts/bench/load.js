'use strict';
// Load on loopback, bounded in time: wrk (Debian's, as the issue measured: one thread, 10
// connections) where installed, else autocannon from npm. Both report requests/s and latency.
const { spawn, spawnSync } = require('node:child_process');
const autocannon = require('autocannon');

const haveWrk = spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;

function wrk(url, { connections, seconds, headers }) {
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => {
      const rate = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (code !== 0 || !rate) return reject(new Error(`wrk failed:\n${out}`));
      const ms = (label) => {
        const match = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
        if (!match) return NaN;
        return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]];
      };
      const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      const total = /(\d+) requests in/.exec(out);
      resolve({
        rps: Number(rate[1]),
        requests: total ? Number(total[1]) : NaN,
        p50: ms('50%'),
        p99: ms('99%'),
        errors: errors ? Number(errors[1]) : 0,
      });
    });
  });
}

function withAutocannon(url, { connections, seconds, headers }) {
  return new Promise((resolve, reject) =>
    autocannon({ url, connections, duration: seconds, headers }, (error, result) =>
      error
        ? reject(error)
        : resolve({
            rps: result.requests.average,
            requests: result.requests.total,
            p50: result.latency.p50,
            p99: result.latency.p99,
            errors: result.non2xx + result.errors,
          }),
    ),
  );
}

/** load runs `seconds` of load on `url` with `connections`, sampling `onSample` every 100 ms meanwhile. */
async function load(url, { connections = 10, seconds, headers = {}, onSample }) {
  const timer = onSample && setInterval(onSample, 100);
  try {
    return await (haveWrk ? wrk : withAutocannon)(url, { connections, seconds, headers });
  } finally {
    if (timer) clearInterval(timer);
  }
}

module.exports = { load, tool: haveWrk ? 'wrk -t1' : 'autocannon' };
