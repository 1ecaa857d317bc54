'use strict';
// The servers the benchmark compares, each a child process on 127.0.0.1: the built
// exporter (started as its shebang starts it), Debian's blackbox_exporter (Go, with
// exporter-toolkit and client_golang), two floors serving the exporter's own bytes from
// memory (bare Express 5 and bare node:http), and the memory floor of the stack: Node with
// the exporter's libraries loaded and a socket listening, doing nothing.
const { spawn, spawnSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { request } = require('undici');

// BENCH_MAIN runs the benchmark on another build (e.g. an earlier commit's, for "before" figures).
const MAIN = process.env.BENCH_MAIN ?? join(__dirname, '..', '..', 'dist', 'main.js');

/** HAS_MAX_CONNECTIONS tells whether the exporter under test has --web.max-connections (earlier builds have not). */
const HAS_MAX_CONNECTIONS = spawnSync(process.execPath, [MAIN, '--help'], {
  encoding: 'utf8',
}).stdout.includes('--web.max-connections');

/** NODE_FLAGS are the node flags of the exporter's shebang, as `npx tensorpix-exporter` runs it. */
const NODE_FLAGS = /^#!.*\bnode\b(.*)$/m
  .exec(readFileSync(MAIN, 'utf8').split('\n')[0])[1]
  .trim()
  .split(/\s+/)
  .filter(Boolean);

const children = new Set();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** rssMiB is a process's resident memory now, and its peak so far (VmHWM), in MiB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** CLOCK_TICKS is the kernel's unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** cpuSecondsOf is the CPU time a process has used so far, user and system, in seconds. */
function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * start runs `command args`, polls `readyPath` until it answers 200 (bounded), and returns
 * the server with how long that took from the spawn.
 */
async function start(name, command, args, { port, readyPath = '/-/healthy', env = {} }) {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let log = '';
  child.stderr.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${log}`);
    if (i > 5000) throw new Error(`${name} did not answer ${readyPath} within 10 s:\n${log}`);
    try {
      const { statusCode, body } = await request(`${url}${readyPath}`);
      await body.dump();
      if (statusCode === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(2);
  }
  const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    name,
    url,
    pid: child.pid,
    readyMs,
    memory: () => memoryOf(child.pid),
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      child.kill('SIGKILL');
      children.delete(child);
    },
  };
}

/** startExporter runs the built exporter with the flags of its shebang (or `nodeFlags`) and `args`. */
async function startExporter(args, { env = {}, nodeFlags = NODE_FLAGS } = {}) {
  const port = await freePort();
  return start(
    'tensorpix-exporter',
    process.execPath,
    [...nodeFlags, MAIN, `--web.listen-address=127.0.0.1:${port}`, ...args],
    {
      port,
      env,
    },
  );
}

/** HAVE_BLACKBOX tells whether Debian's prometheus-blackbox-exporter is installed (asked once). */
const HAVE_BLACKBOX =
  spawnSync('prometheus-blackbox-exporter', ['--version'], { stdio: 'ignore' }).status === 0;
const haveBlackbox = () => HAVE_BLACKBOX;

async function startBlackbox(work) {
  const config = join(work, 'blackbox.yml');
  writeFileSync(config, 'modules:\n  http_2xx:\n    prober: http\n');
  const port = await freePort();
  return start(
    'blackbox_exporter',
    'prometheus-blackbox-exporter',
    [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`],
    { port },
  );
}

/** startFloor serves `body` at every path with bare Express 5 or bare node:http, in a process of its own. */
async function startFloor(kind, body, contentType, work) {
  const file = join(work, `floor-${kind}.txt`);
  writeFileSync(file, body);
  const port = await freePort();
  const express = require.resolve('express');
  const code =
    kind === 'express'
      ? `const app = require(${JSON.stringify(express)})();
         const body = require('fs').readFileSync(${JSON.stringify(file)});
         app.get('*splat', (req, res) => res.type(${JSON.stringify(contentType)}).send(body));
         app.listen(${port}, '127.0.0.1');`
      : `const body = require('fs').readFileSync(${JSON.stringify(file)});
         require('http').createServer((req, res) => {
           res.writeHead(200, { 'content-type': ${JSON.stringify(contentType)}, 'content-length': body.length });
           res.end(body);
         }).listen(${port}, '127.0.0.1');`;
  return start(kind === 'express' ? 'bare Express 5' : 'bare node:http', process.execPath, ['-e', code], {
    port,
    readyPath: '/metrics',
  });
}

/**
 * startLibraryFloor is the least any Node exporter on this stack can weigh: node with the
 * exporter's flags, express, prom-client (its default metrics registered), undici, pino and
 * yaml loaded, and one socket listening. It answers 200 so that it can be found ready.
 */
async function startLibraryFloor() {
  const port = await freePort();
  const resolved = (name) => JSON.stringify(require.resolve(name));
  const code = `for (const name of [${['express', 'undici', 'pino', 'yaml'].map(resolved).join(', ')}]) require(name);
     const client = require(${resolved('prom-client')});
     client.collectDefaultMetrics({ register: new client.Registry() });
     require('http').createServer((req, res) => res.end()).listen(${port}, '127.0.0.1');`;
  return start('Node + libraries, idle', process.execPath, [...NODE_FLAGS, '-e', code], {
    port,
    readyPath: '/',
  });
}

function killAll() {
  for (const child of children) child.kill('SIGKILL');
}

module.exports = {
  HAS_MAX_CONNECTIONS,
  NODE_FLAGS,
  startExporter,
  startBlackbox,
  haveBlackbox,
  startFloor,
  startLibraryFloor,
  killAll,
  sleep,
  memoryOf,
};
