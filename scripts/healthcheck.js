#!/usr/bin/env node
// The container image's HEALTHCHECK: asks the exporter running in the same container for
// /-/healthy and exits 0 if it answers, 1 if not. Plain Node, so the image needs neither a
// shell nor curl.
//
//   node healthcheck.js [HOST:PORT]
//
// Without an argument the exporter's address is found the way the exporter itself finds it:
// the --web.listen-address flag on its command line (read from /proc), else
// TENSORPIX_EXPORTER_WEB_LISTEN_ADDRESS, else :10863. A wildcard host is reached on loopback.
//
// 401 counts as healthy: with basic_auth_users in --web.config.file the health paths need
// credentials unless listed in basic_auth_excluded_paths, and an answer of any kind proves
// the process serves. A server with tls_server_config resets a plain HTTP request; the
// check then retries over HTTPS without verifying the certificate (it only asks whether the
// local process answers and sends nothing secret). With client_auth_type requiring a client
// certificate the check fails: disable it (docker run --no-healthcheck) and probe from outside.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const http = require('node:http');
const https = require('node:https');

const FLAG = '--web.listen-address';
const DEFAULT_ADDRESS = ':10863';
const TIMEOUT_MS = 2000;

/** exporterArgv is the command line of the exporter process in this PID namespace, if found. */
function exporterArgv() {
  let pids = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.endsWith('dist/main.js'))) return argv;
    } catch {
      // The process ended or is not ours to read.
    }
  }
  return undefined;
}

/** listenAddress mirrors the exporter: the last --web.listen-address wins, then the variable. */
function listenAddress(argv, env) {
  let fromFlag;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith(`${FLAG}=`)) fromFlag = argv[i].slice(FLAG.length + 1);
    else if (argv[i] === FLAG && i + 1 < argv.length) fromFlag = argv[++i];
  }
  return fromFlag || env.TENSORPIX_EXPORTER_WEB_LISTEN_ADDRESS || DEFAULT_ADDRESS;
}

/** target turns HOST:PORT into where to connect; an empty or wildcard host means loopback. */
function target(address) {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1)) || 10863;
  if (host === '' || host === '0.0.0.0') return { host: '127.0.0.1', port };
  if (host === '::') return { host: '::1', port };
  return { host, port };
}

function get(client, { host, port }) {
  return new Promise((resolve) => {
    const request = client.get({ host, port, path: '/-/healthy', rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve({ status: response.statusCode });
    });
    request.on('error', (error) => resolve({ error }));
  });
}

async function main() {
  const to = target(process.argv[2] || listenAddress(exporterArgv() ?? [], process.env));
  const unhealthy = (why) => {
    console.error(`healthcheck: ${to.host}:${to.port}/-/healthy: ${why}`);
    process.exit(1);
  };
  // One deadline for everything, a slow trickle of bytes included.
  setTimeout(() => unhealthy(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS).unref();
  let result = await get(http, to);
  if (result.error?.code === 'ECONNRESET') result = await get(https, to);
  if (result.status === 200 || result.status === 401) process.exit(0);
  unhealthy(result.error ? result.error.code || result.error.message : `HTTP ${result.status}`);
}

if (require.main === module) void main();

module.exports = { listenAddress, target };
