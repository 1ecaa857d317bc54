'use strict';
// The hostile client of the abuse matrix, run as its own process by test/helpers/abuse-row.ts:
// its sockets are then counted against its own descriptor limit (raised to the hard limit by
// the test), its work does not delay the well-behaved scraper that the test times, and a
// SIGKILL bounds it whatever happens. Plain JavaScript so that node runs it as it is.
//
// Usage: node attacker.js '{"port":1234,"durationMs":4000,"attacks":[{"kind":"flood",...}]}'
// It attacks 127.0.0.1 only (from 127.0.0.1, or the loopback address an attack's `from` names), stops every attack after durationMs, prints one JSON line
// with what each attack did and exits.
const net = require('node:net');
const { randomBytes } = require('node:crypto');

const plan = JSON.parse(process.argv[2] ?? '{}');
const HOST = '127.0.0.1';
const deadline = Date.now() + plan.durationMs;
const running = () => Date.now() < deadline;
const sockets = new Set();
/** stopping is set when the attacker closes its own sockets, which then do not count as closed by the exporter. */
let stopping = false;
/** MAX_PENDING_CONNECTS bounds each attack's connects in flight, so a flood neither overflows the listen backlog nor holds up the other attacks of a mix. */
const MAX_PENDING_CONNECTS = 128;

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const requestText = (path, headers = {}) =>
  `GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\n` +
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('') +
  '\r\n';

/** Stats counts what one attack did: connections opened and closed by the exporter, answers. */
function newStats(kind) {
  return { kind, opened: 0, closedByPeer: 0, errors: 0, requests: 0, statuses: {}, pending: 0, waiting: [] };
}

/** open connects one socket (bounded concurrency); `onOpen` runs once it is connected. */
function open(stats, onOpen, onClose) {
  if (!running()) return;
  if (stats.pending >= MAX_PENDING_CONNECTS)
    return void stats.waiting.push(() => open(stats, onOpen, onClose));
  stats.pending++;
  // `from` binds the attack to another loopback address (127.0.0.2): another client to the exporter.
  const socket = net.connect({
    host: HOST,
    port: plan.port,
    ...(stats.from && { localAddress: stats.from }),
  });
  let connected = false;
  const settle = () => {
    stats.pending--;
    while (stats.pending < MAX_PENDING_CONNECTS && stats.waiting.length) stats.waiting.shift()();
  };
  socket.on('connect', () => {
    connected = true;
    settle();
    stats.opened++;
    sockets.add(socket);
    onOpen(socket);
  });
  socket.on('error', () => stats.errors++);
  socket.on('close', () => {
    if (!connected) settle();
    sockets.delete(socket);
    if (connected && !stopping) stats.closedByPeer++;
    if (running()) onClose?.();
  });
}

/** countStatuses reads the status lines of whatever answers arrive and drops the rest. */
function countStatuses(socket, stats) {
  let tail = '';
  socket.on('data', (chunk) => {
    const text = tail + chunk.toString('latin1');
    for (const match of text.matchAll(/HTTP\/1\.1 (\d{3}) /g))
      stats.statuses[match[1]] = (stats.statuses[match[1]] ?? 0) + 1;
    tail = text.slice(-16);
  });
}

/** reopening keeps `count` connections going: each one that closes is replaced, up to `maxAttempts` connects in all. */
function reopening(stats, count, maxAttempts, onOpen) {
  let attempts = 0;
  const start = () => attempts++ < maxAttempts && open(stats, onOpen, start);
  for (let i = 0; i < count; i++) start();
}

const attacks = {
  /** guess: keep-alive connections sending random wrong passwords (and unknown users), one request at a time. */
  guess({ connections, user }, stats) {
    const next = (socket) => {
      if (!running() || socket.destroyed) return;
      const who = stats.requests % 4 === 0 ? `nobody-${randomBytes(3).toString('hex')}` : user;
      stats.requests++;
      socket.write(requestText('/metrics', { Authorization: basic(who, randomBytes(9).toString('base64')) }));
    };
    reopening(stats, connections, connections * 20, (socket) => {
      // One answer in, the next guess out. An answer is small: its head and body come in one chunk.
      socket.on('data', (chunk) => {
        const status = /^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1];
        if (!status) return;
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        next(socket);
      });
      next(socket);
    });
  },

  /** flood: many connections, a share of them sending one request and never reading; the rest silent. */
  flood({ connections, sendingShare, path, authorization }, stats) {
    const request = requestText(path ?? '/metrics', authorization ? { Authorization: authorization } : {});
    let nth = 0;
    reopening(stats, connections, connections * 2, (socket) => {
      socket.pause();
      if (nth++ % Math.round(1 / sendingShare) === 0) socket.write(request);
    });
  },

  /**
   * pipeline: sockets each writing thousands of requests at once and never reading an answer;
   * one more request every 500 ms tells a socket the exporter cut (the write fails) to reconnect.
   */
  pipeline({ sockets: count, requests, authorization }, stats) {
    const request = requestText('/metrics', authorization ? { Authorization: authorization } : {});
    const batch = request.repeat(requests);
    reopening(stats, count, count * 10, (socket) => {
      socket.pause();
      stats.requests += requests;
      socket.write(batch);
      const timer = setInterval(() => socket.write(request), 500);
      socket.on('close', () => clearInterval(timer));
    });
  },

  /** slowloris: connections that send a header line every `intervalMs` and never end their headers. */
  slowloris({ connections, intervalMs }, stats) {
    reopening(stats, connections, connections * 4, (socket) => {
      socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      countStatuses(socket, stats);
      const timer = setInterval(() => socket.write(`X-Slow-${stats.requests++}: 1\r\n`), intervalMs);
      socket.on('close', () => clearInterval(timer));
    });
  },

  /** slowread: connections that ask for /metrics and take one byte of the answer a second. */
  slowread({ connections, authorization }, stats) {
    const request = requestText('/metrics', authorization ? { Authorization: authorization } : {});
    reopening(stats, connections, connections * 4, (socket) => {
      socket.pause();
      stats.requests++;
      socket.write(request);
      const timer = setInterval(() => socket.read(1), 1000);
      socket.on('close', () => clearInterval(timer));
    });
  },

  /** idle: keep-alive connections that ask once for a small page, read it, then stay silent. */
  idle({ connections, authorization }, stats) {
    const request = requestText('/-/healthy', authorization ? { Authorization: authorization } : {});
    reopening(stats, connections, connections * 2, (socket) => {
      countStatuses(socket, stats);
      stats.requests++;
      socket.write(request);
    });
  },

  /**
   * busyIdle: connections that each make `requests` quick requests one after another and
   * then stay open, idle, to outrank a scraper's connection by what they did; `churn` loops
   * keep opening more of them, each as soon as the last one is done, to push the scraper's
   * new connection out before its request is read.
   */
  busyIdle({ connections, requests, churn, authorization }, stats) {
    const request = requestText('/-/healthy', authorization ? { Authorization: authorization } : {});
    const busy = (socket, done) => {
      let left = requests;
      let tail = '';
      socket.on('data', (chunk) => {
        const text = tail + chunk.toString('latin1');
        let seen = 0;
        for (const match of text.matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
          seen = match.index + match[0].length;
          stats.statuses[match[1]] = (stats.statuses[match[1]] ?? 0) + 1;
          if (--left > 0) {
            stats.requests++;
            socket.write(request);
          } else if (left === 0) done?.();
        }
        // What is left may be the start of a status line split across chunks, never a counted one.
        tail = text.slice(Math.max(seen, text.length - 16));
      });
      stats.requests++;
      socket.write(request);
    };
    // Each connection's `done` runs once: when it made its requests, or was closed before.
    const openBusy = (done) => {
      let called = false;
      const once = () => !called && (called = true) && done();
      open(stats, (socket) => busy(socket, once), once);
    };
    // The churn starts once the fill is done (its connections idle, or shed): the guard then
    // chooses between them, the scraper's connection and the newcomers.
    let attempts = 0;
    const next = () => running() && attempts++ < 50_000 && openBusy(next);
    let settled = 0;
    const churning = () => ++settled === connections && Array.from({ length: churn }, next);
    for (let i = 0; i < connections; i++) openBusy(churning);
  },

  /** body: GET /metrics declaring a 10 GB body, then sending it as fast as the exporter takes it. */
  body({ connections, authorization }, stats) {
    const head = requestText('/metrics', {
      'Content-Length': '10000000000',
      ...(authorization && { Authorization: authorization }),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    reopening(stats, connections, connections * 10, (socket) => {
      countStatuses(socket, stats);
      stats.requests++;
      socket.write(head);
      const pump = () => {
        while (running() && !socket.destroyed) {
          stats.bodyBytes = (stats.bodyBytes ?? 0) + chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  },
};

const results = plan.attacks.map((attack) => {
  const stats = { ...newStats(attack.kind), ...(attack.from && { from: attack.from }) };
  attacks[attack.kind](attack, stats);
  return stats;
});

// At the end, the sockets that never read take what is left: one the exporter cut sees its end
// (or a reset) and counts as closed by it. Then the attacker closes the rest and reports.
setTimeout(() => {
  for (const socket of sockets) socket.resume();
  setTimeout(report, 300);
}, plan.durationMs);

function report() {
  stopping = true;
  for (const socket of sockets) socket.destroy();
  const summary = results.map(({ pending: _pending, waiting, ...stats }) => ({
    ...stats,
    neverConnected: waiting.length,
  }));
  process.stdout.write(`${JSON.stringify({ attacks: summary })}\n`, () => process.exit(0));
}
