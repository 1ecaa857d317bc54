'use strict';
// The hostile client of the footprint issue: sockets that pipeline thousands of
// GET /metrics and never read an answer, while a well-behaved scraper goes on.
const { readdirSync } = require('node:fs');
const { connect } = require('node:net');
const { request } = require('undici');

/**
 * pipelineAttack opens `sockets` connections that each send `requests` pipelined
 * GET /metrics at once and then never read, for `seconds`; meanwhile a scraper asks
 * /metrics every 100 ms on a connection of its own. It returns the scraper's worst
 * latency, its failures, the server's peak resident memory, and how many of the hostile
 * connections the server still held at the end (its open descriptors above what it had
 * before, the scraper's own aside): a socket that is never read shows no close on the
 * attacker's side, so the server's count is the one to trust.
 */
async function pipelineAttack(server, { sockets = 5, requests = 3000, seconds = 10 } = {}) {
  const { port } = new URL(server.url);
  const fds = () => readdirSync(`/proc/${server.pid}/fd`).length;
  const before = fds();
  const head = `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n`;
  const hostile = Array.from({ length: sockets }, () => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause(); // never read: answers pile up in the kernel, then in the server
    socket.write(head.repeat(requests));
    return socket;
  });
  let peakMiB = server.memory().peakMiB;
  let worstMs = 0;
  let failures = 0;
  const sampler = setInterval(() => {
    try {
      peakMiB = Math.max(peakMiB, server.memory().rssMiB);
    } catch {
      // the process is gone; the scraper counts that as failures
    }
  }, 50);
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const started = Date.now();
    try {
      const { statusCode, body } = await request(`${server.url}/metrics`, {
        headers: { 'x-prometheus-scrape-timeout-seconds': '10' },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      await body.dump();
      if (statusCode !== 200) failures++;
    } catch {
      failures++;
    }
    worstMs = Math.max(worstMs, Date.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  clearInterval(sampler);
  // The scraper's keep-alive connection is one descriptor; what is left beyond it is held.
  const held = Math.max(0, fds() - before - 1);
  for (const socket of hostile) socket.destroy();
  return { peakMiB, worstMs, failures, cutOff: Math.max(0, sockets - held) };
}

module.exports = { pipelineAttack };
