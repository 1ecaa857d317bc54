'use strict';
// The one fake TensorPix API of the project: a real node:http server on 127.0.0.1:0
// whose replies each test, script or benchmark sets, and which records what it
// received. Plain JavaScript so that scripts/bench.js and scripts/soak.js load it as it is;
// fake-api.d.ts types it for the tests.
const { createServer } = require('node:http');
const { createServer: createTlsServer } = require('node:https');

/** DETAIL is the text every scripted error body carries; it must never leave the exporter. */
const DETAIL = 'upstream-detail-text-that-must-not-leak';

/** BALANCE_PATH is the TensorPix endpoint of an account's balance. */
const BALANCE_PATH = '/api/accounts/profile/balance/';

/**
 * startFakeApi starts the fake API over plain HTTP, or over HTTPS with `options.tls`
 * ({ cert, key } in PEM, e.g. the test CA's server certificate); `url` says which.
 */
async function startFakeApi(options = {}) {
  let responders = [json(200, { balance_usd: '1.0000' })];
  const sockets = new Set();
  let inFlight = 0;
  const handle = (req, res) => {
    fake.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    let counted = true;
    res.on('close', () => {
      if (counted) inFlight--;
      counted = false;
    });
    const responder = responders.length > 1 ? responders.shift() : responders[0];
    responder(req, res);
  };
  const server = options.tls ? createTlsServer({ ...options.tls }, handle) : createServer(handle);
  const fake = {
    url: '',
    requests: [],
    maxInFlight: 0,
    /** inFlight is how many requests are being answered now. */
    inFlight: () => inFlight,
    reply(responder) {
      responders = [responder];
    },
    replySequence(...list) {
      responders = list;
    },
    openSockets: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
  return fake;
}

/** json answers with a JSON body (a string body is sent as it is). */
function json(status, body, headers = {}) {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** error answers a status with a `detail` body, as the API does. */
const error = (status, headers = {}) => json(status, { detail: DETAIL }, headers);

/** balance answers 200 with the given decimal string. */
const balance = (value) => json(200, { balance_usd: value });

/** hang accepts the request and never answers. */
const hang = () => undefined;

/** reset closes the connection without an answer. */
const reset = (_req, res) => res.socket?.destroy();

/** after delays another responder. */
const after = (ms, responder) => (req, res) => {
  const timer = setTimeout(() => responder(req, res), ms);
  res.on('close', () => clearTimeout(timer));
};

/** byToken answers each request with the responder of its token (`Authorization: Token …`). */
const byToken =
  (responders, otherwise = error(401)) =>
  (req, res) => {
    const token = /^Token (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    (responders[token] ?? otherwise)(req, res);
  };

module.exports = { DETAIL, BALANCE_PATH, startFakeApi, json, error, balance, hang, reset, after, byToken };
