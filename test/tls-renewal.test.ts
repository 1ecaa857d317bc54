import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { readRegularFileSync } from '../src/regular-file';
import { refreshTls, watchTlsFiles } from '../src/config/tls-renewal';
import { parseWebConfig } from '../src/config/web-config';
import { createLogger } from '../src/log/logger';
import { createHttpServer, DEFAULT_LIMITS } from '../src/web/http-server';
import { makeTestCerts, type Pem, type TestCerts } from './helpers/certs';
import { makeKeyTypeCerts, type KeyType } from './helpers/key-type-certs';
import { startExporter } from './helpers/child';
import { holdThreadPool } from './helpers/hold-thread-pool';

// exporter-toolkit reads its certificate for every handshake, so a renewal (cert-manager,
// certbot) is served without a restart; so must this exporter, and a renewal it cannot use
// must leave the running certificate in place.
let certs: TestCerts;
let keyTypes: Record<KeyType, Pem>;
let dir: string;
beforeAll(() => {
  certs = makeTestCerts();
  keyTypes = makeKeyTypeCerts(certs.dir);
});
afterAll(() => certs.cleanup());
beforeEach(() => {
  dir = mkdtempSync(join(certs.dir, 'live-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fingerprintOf = (pem: Pem) => new X509Certificate(pem.cert).fingerprint256;

/** install writes a pair where the web config looks for it, as a renewal does: a new file renamed over the old. */
function install(pem: Pem, key: Pem = pem): void {
  writeFileSync(join(dir, 'next.crt'), pem.cert);
  writeFileSync(join(dir, 'next.key'), key.key);
  renameSync(join(dir, 'next.key'), join(dir, 'tls.key'));
  renameSync(join(dir, 'next.crt'), join(dir, 'tls.crt'));
}

/** servedFingerprint is the SHA-256 fingerprint of the certificate a new connection gets. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

/** until polls `check` every 25 ms for at most 3 s. */
async function until(check: () => Promise<boolean> | boolean): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < 3000;) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

const WEB_YML = 'tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n';

async function serveFrom(webConfig: string, intervalMs = 50) {
  const parsed = parseWebConfig(webConfig, readRegularFileSync);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const tls = parsed.value.tls!;
  let logs = '';
  const logger = createLogger({
    level: 'info',
    format: 'json',
    destination: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        logs += chunk.toString();
        done();
      },
    }),
  });
  const server = createHttpServer((_req, res) => res.end('ok'), tls, DEFAULT_LIMITS) as Server;
  refreshTls(server, tls, watchTlsFiles(tls, readRegularFileSync), logger, intervalMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, logs: () => logs };
}

let running: Server | undefined;
afterEach(async () => {
  running?.closeAllConnections();
  await new Promise((resolve) => (running ? running.close(resolve) : resolve(undefined)));
  running = undefined;
});

/** theOneWarning is the "cannot be used" line of a log, which must hold exactly one. */
function theOneWarning(logs: string): string | undefined {
  const warnings = logs.split('\n').filter((line) => line.includes('cannot be used'));
  expect(warnings).toHaveLength(1);
  return warnings[0];
}

test('a certificate renewed in place is served to the next connections, and logged', async () => {
  install(certs.server);
  writeFileSync(join(dir, 'web.yml'), WEB_YML);
  const served = await serveFrom(join(dir, 'web.yml'));
  running = served.server;
  expect(await servedFingerprint(served.port)).toBe(fingerprintOf(certs.server));
  install(certs.selfSigned);
  expect(
    await until(async () => (await servedFingerprint(served.port)) === fingerprintOf(certs.selfSigned)),
  ).toBe(true);
  expect(served.logs()).toMatch(/"msg":"TLS certificate reloaded"/);
  expect(served.logs()).toContain(`"cert_file":"${join(dir, 'tls.crt')}"`);
});

test('a renewal that cannot be used keeps the running certificate, says why once, and the next good one is taken', async () => {
  install(certs.server);
  writeFileSync(join(dir, 'web.yml'), WEB_YML);
  const served = await serveFrom(join(dir, 'web.yml'));
  running = served.server;
  // A certificate with the key of another: half a renewal.
  install(certs.selfSigned, certs.server);
  expect(await until(() => served.logs().includes('cannot be used'))).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await servedFingerprint(served.port)).toBe(fingerprintOf(certs.server));
  expect(theOneWarning(served.logs())).toContain(
    `tls_server_config.key_file: ${join(dir, 'tls.key')} is not the private key of the certificate`,
  );
  expect(served.logs()).not.toMatch(/BEGIN|PRIVATE/);
  // The rest of the renewal arrives.
  install(certs.selfSigned);
  expect(
    await until(async () => (await servedFingerprint(served.port)) === fingerprintOf(certs.selfSigned)),
  ).toBe(true);
});

// OpenSSL takes a key of another type than the certificate's into another slot: the
// context is made, and every new connection would fail.
test.each<[KeyType, KeyType]>([
  ['rsa', 'ec'],
  ['ec', 'rsa'],
  ['ed25519', 'ec'],
])(
  'a %s certificate whose key file alone is replaced by a %s key keeps the running pair, and says why once',
  async (type, other) => {
    install(keyTypes[type]);
    writeFileSync(join(dir, 'web.yml'), WEB_YML);
    const served = await serveFrom(join(dir, 'web.yml'));
    running = served.server;
    writeFileSync(join(dir, 'next.key'), keyTypes[other].key);
    renameSync(join(dir, 'next.key'), join(dir, 'tls.key'));
    expect(await until(() => served.logs().includes('cannot be used'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await servedFingerprint(served.port)).toBe(fingerprintOf(keyTypes[type]));
    expect(theOneWarning(served.logs())).toContain(
      `tls_server_config.key_file: ${join(dir, 'tls.key')} is not the private key of the certificate in ${join(dir, 'tls.crt')}`,
    );
    expect(served.logs()).not.toMatch(/TLS certificate reloaded|BEGIN|PRIVATE/);
  },
);

test('a renewal written file by file is taken without a warning about the moment in between', async () => {
  install(certs.server);
  writeFileSync(join(dir, 'web.yml'), WEB_YML);
  const served = await serveFrom(join(dir, 'web.yml'), 200);
  running = served.server;
  writeFileSync(join(dir, 'tls.crt'), certs.selfSigned.cert);
  await new Promise((resolve) => setTimeout(resolve, 120));
  writeFileSync(join(dir, 'tls.key'), certs.selfSigned.key);
  expect(
    await until(async () => (await servedFingerprint(served.port)) === fingerprintOf(certs.selfSigned)),
  ).toBe(true);
  expect(served.logs()).not.toContain('cannot be used');
});

test("a Kubernetes Secret volume's renewal (the ..data link swapped) is served", async () => {
  // Secret volumes hold tls.crt → ..data/tls.crt, ..data → ..<timestamp>/, and swap ..data.
  const version = (name: string, pem: Pem) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'tls.crt'), pem.cert);
    writeFileSync(join(dir, name, 'tls.key'), pem.key);
  };
  version('..v1', certs.server);
  symlinkSync('..v1', join(dir, '..data'));
  symlinkSync('..data/tls.crt', join(dir, 'tls.crt'));
  symlinkSync('..data/tls.key', join(dir, 'tls.key'));
  writeFileSync(join(dir, 'web.yml'), WEB_YML);
  const served = await serveFrom(join(dir, 'web.yml'));
  running = served.server;
  expect(await servedFingerprint(served.port)).toBe(fingerprintOf(certs.server));
  version('..v2', certs.selfSigned);
  symlinkSync('..v2', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  expect(
    await until(async () => (await servedFingerprint(served.port)) === fingerprintOf(certs.selfSigned)),
  ).toBe(true);
});

test('a renewal that lands while the thread pool is busy at start is still served (its first look cannot miss it)', async () => {
  // Every thread of libuv's pool waits in open() on a FIFO without a writer: no async stat
  // can run until the test opens it for writing, after the renewal.
  const pool = holdThreadPool(dir);
  let port = 0;
  try {
    install(certs.server);
    writeFileSync(join(dir, 'web.yml'), WEB_YML);
    const served = await serveFrom(join(dir, 'web.yml'));
    running = served.server;
    port = served.port;
    install(certs.selfSigned);
  } finally {
    // Released whatever failed: held threads would be lost to every test after this one.
    await pool.release();
  }
  expect(await until(async () => (await servedFingerprint(port)) === fingerprintOf(certs.selfSigned))).toBe(
    true,
  );
});

test('the built exporter serves a renewed certificate without a restart', async () => {
  copyFileSync(certs.server.certFile, join(dir, 'tls.crt'));
  copyFileSync(certs.server.keyFile, join(dir, 'tls.key'));
  writeFileSync(join(dir, 'web.yml'), WEB_YML);
  const exporter = await startExporter([`--web.config.file=${join(dir, 'web.yml')}`, '--demo']);
  try {
    const port = Number(new URL(exporter.url).port);
    expect(await servedFingerprint(port)).toBe(fingerprintOf(certs.server));
    install(certs.selfSigned);
    // The files are looked at every 5 s.
    let served = '';
    for (const started = Date.now(); Date.now() - started < 8000;) {
      served = await servedFingerprint(port);
      if (served === fingerprintOf(certs.selfSigned)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(served).toBe(fingerprintOf(certs.selfSigned));
    expect(exporter.stderr()).toMatch(/"msg":"TLS certificate reloaded"/);
  } finally {
    exporter.child.kill('SIGKILL');
  }
}, 20_000);
